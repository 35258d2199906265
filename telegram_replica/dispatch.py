"""One Bot API call from start to answer: token, method lookup, blocked chats, flood control, recording."""

import time
from typing import Any

from telegram_replica.errors import (
    BLOCKED,
    METHOD_NOT_FOUND,
    UNAUTHORIZED,
    WEBHOOK_ACTIVE,
    ApiError,
    too_many_requests,
)
from telegram_replica.methods import MESSAGE_METHODS, METHODS
from telegram_replica.params import Params
from telegram_replica.records import Call
from telegram_replica.replica import Replica

_CANONICAL = {name.lower(): name for name in [*METHODS, "getUpdates"]}


def canonical_method(name: str) -> str | None:
    """Telegram matches method names case-insensitively; ``None`` for methods the replica lacks."""
    return _CANONICAL.get(name.lower())


async def call_method(replica: Replica, token: str, name: str, params: Params) -> tuple[int, dict[str, Any]]:
    """Run the call and return the HTTP status and Bot API envelope; every call is recorded."""
    method = canonical_method(name) or name
    started = time.time()
    try:
        result = await _run(replica, token, method, params)
    except ApiError as error:
        replica.record(_call(method, params, started, status=error.code, description=error.description))
        chat_id = _chat_of(params)
        if error.code == 429 and chat_id is not None:
            with replica.lock:
                replica.rate_limited[chat_id] += 1
        return error.code, error.envelope()
    replica.record(_call(method, params, started, status=200, result=result))
    return 200, {"ok": True, "result": result}


async def _run(replica: Replica, token: str, method: str, params: Params) -> Any:
    if replica.config.token is not None and token != replica.config.token:
        raise UNAUTHORIZED
    with replica.lock:
        if replica.failing[method] > 0:
            replica.failing[method] -= 1
            raise ApiError(502, "Bad Gateway")
    if method == "getUpdates":
        return await _get_updates(replica, params)
    implementation = METHODS.get(method)
    if implementation is None:
        raise METHOD_NOT_FOUND
    with replica.lock:
        if method in MESSAGE_METHODS:
            _admit(replica, params)
        return implementation(replica, params)


def _admit(replica: Replica, params: Params) -> None:
    chat_id = params.chat_id()
    if chat_id in replica.config.blocked_chats:
        raise BLOCKED
    retry_after = replica.flood.admit(chat_id, time.monotonic())
    if retry_after is not None:
        raise too_many_requests(retry_after)


async def _get_updates(replica: Replica, params: Params) -> list[dict[str, Any]]:
    if replica.webhook is not None:
        raise WEBHOOK_ACTIVE
    offset = params.get("offset")
    limit = params.get("limit")
    timeout = params.get("timeout")
    return await replica.updates.poll(
        offset=offset if isinstance(offset, int) else None,
        limit=min(100, max(1, limit)) if isinstance(limit, int) else 100,
        wait=float(timeout) if isinstance(timeout, int | float) else 0.0,
    )


def _call(
    method: str,
    params: Params,
    started: float,
    *,
    status: int,
    description: str | None = None,
    result: Any = None,
) -> Call:
    return Call(
        method=method,
        chat_id=_chat_of(params),
        params=params.values,
        files=list(params.files.values()),
        time=started,
        status=status,
        description=description,
        result=result,
    )


def _chat_of(params: Params) -> int | str | None:
    try:
        return params.chat_id() if "chat_id" in params.values else None
    except ApiError:
        return None

"""HTTP control routes under ``/__control__/`` so a test can drive a replica running in another process."""

from typing import Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from telegram_replica.config import ReplicaConfig
from telegram_replica.deps import ReplicaDep
from telegram_replica.records import Call

router = APIRouter(prefix="/__control__", include_in_schema=False)


class UserText(BaseModel):
    chat_id: int
    text: str
    user_id: int | None = None
    language_code: str = "en"
    first_name: str = "Test"


class ButtonPress(BaseModel):
    chat_id: int
    message_id: int
    callback_data: str
    user_id: int | None = None
    language_code: str = "en"
    first_name: str = "Test"


class Block(BaseModel):
    chat_id: int
    notify: bool = True


class Failure(BaseModel):
    method: str
    times: int = 1


class Injected(BaseModel):
    update_id: int | None


class Stats(BaseModel):
    deliveries: dict[str, int]
    rate_limited: dict[str, int]
    rate_limited_total: int
    pending_updates: int


def _chat(chat_id: str | None) -> int | str | None:
    if chat_id is not None and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return chat_id


@router.get("/health")
def health() -> dict[str, bool]:
    return {"ok": True}


@router.post("/updates/message")
def inject_message(body: UserText, replica: ReplicaDep) -> Injected:
    update_id = replica.send_text(
        body.chat_id,
        body.text,
        user_id=body.user_id,
        language_code=body.language_code,
        first_name=body.first_name,
    )
    return Injected(update_id=update_id)


@router.post("/updates/callback")
def inject_button_press(body: ButtonPress, replica: ReplicaDep) -> Injected:
    try:
        update_id = replica.press_button(
            body.chat_id,
            body.message_id,
            body.callback_data,
            user_id=body.user_id,
            language_code=body.language_code,
            first_name=body.first_name,
        )
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    return Injected(update_id=update_id)


@router.post("/fail")
def fail_next(body: Failure, replica: ReplicaDep) -> None:
    replica.fail_next(body.method, body.times)


@router.post("/updates/block")
def inject_block(body: Block, replica: ReplicaDep) -> Injected:
    return Injected(update_id=replica.block_chat(body.chat_id, notify=body.notify))


@router.post("/updates/unblock")
def unblock(body: Block, replica: ReplicaDep) -> None:
    replica.unblock_chat(body.chat_id)


@router.post("/updates/raw")
def inject_raw(payload: dict[str, Any], replica: ReplicaDep) -> Injected:
    """Any update body (``{"edited_message": …}``); the replica only adds the ``update_id``."""
    return Injected(update_id=replica.updates.push(payload))


@router.get("/updates")
def list_user_updates(replica: ReplicaDep, chat_id: str | None = None) -> list[dict[str, Any]]:
    return replica.user_updates(_chat(chat_id))


@router.get("/calls")
def list_calls(
    replica: ReplicaDep, method: str | None = None, chat_id: str | None = None, ok: bool | None = None
) -> list[Call]:
    return replica.calls(method, _chat(chat_id), ok=ok)


@router.get("/calls/wait")
async def wait_for_calls(
    replica: ReplicaDep,
    method: str | None = None,
    chat_id: str | None = None,
    count: int = 1,
    seconds: float = Query(default=5.0, le=120, alias="timeout"),
) -> list[Call]:
    try:
        return await replica.wait_for_calls_async(method, _chat(chat_id), count, seconds)
    except TimeoutError as error:
        raise HTTPException(408, str(error)) from error


@router.get("/messages/{chat_id}/{message_id}")
def get_message(chat_id: str, message_id: int, replica: ReplicaDep) -> dict[str, Any]:
    message = replica.message(_chat(chat_id) or chat_id, message_id)
    if message is None:
        raise HTTPException(404, "no such message")
    return message


@router.get("/stats")
def stats(replica: ReplicaDep) -> Stats:
    with replica.lock:
        return Stats(
            deliveries={str(k): v for k, v in replica.deliveries.items()},
            rate_limited={str(k): v for k, v in replica.rate_limited.items()},
            rate_limited_total=replica.rate_limited.total(),
            pending_updates=len(replica.updates.pending()),
        )


@router.post("/reset")
def reset(replica: ReplicaDep) -> None:
    replica.reset()


@router.get("/config")
def get_config(replica: ReplicaDep) -> ReplicaConfig:
    return replica.config


@router.put("/config")
def put_config(config: ReplicaConfig, replica: ReplicaDep) -> ReplicaConfig:
    return replica.configure(config)


@router.patch("/config")
def patch_config(changes: dict[str, Any], replica: ReplicaDep) -> ReplicaConfig:
    """Change some fields only, e.g. ``{"per_chat_limit": {"count": 1, "period": 1}}``."""
    return replica.configure(**changes)

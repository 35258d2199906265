"""Keeping under Telegram's ~30 messages/s: requests to chats leave evenly spaced, one queue for all.

PTB invites rate limiters of one's own (``BaseRateLimiter``); this one exists because its AIORateLimiter,
against a server that counts any sliding second as Telegram does, turns one 429 into many: requests that
already took their turn wait out the ``retry_after`` inside the limiter and then leave together, a burst
that earns the next 429. Here a ``retry_after`` holds the queue *before* anyone takes a turn, so after the
pause the pace resumes evenly. A late turn may be made up once (at most two messages close together), so
the achieved rate stays at the set one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]


class EvenPace(BaseRateLimiter[int]):
    """``per_second`` requests to chats a second, evenly spaced; each retried up to ``max_retries`` times."""

    def __init__(self, per_second: float, *, max_retries: int) -> None:
        self._interval = 1.0 / per_second
        self._max_retries = max_retries
        self._next_turn = 0.0
        self._held_until = 0.0
        self._gate = asyncio.Lock()  # FIFO: turns are taken in the order requests arrive

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if data.get("chat_id") is None:
            return await callback(*args, **kwargs)  # answerCallbackQuery, setMyCommands …: no message to a chat
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        for attempt in itertools.count():
            await self._take_turn()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                self._hold(exc.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _take_turn(self) -> None:
        async with self._gate:
            loop = asyncio.get_running_loop()
            wait = max(self._next_turn, self._held_until) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            now = loop.time()
            self._next_turn = max(self._next_turn, now - self._interval) + self._interval

    def _hold(self, retry_after: int | dt.timedelta) -> None:
        seconds = retry_after.total_seconds() if isinstance(retry_after, dt.timedelta) else float(retry_after)
        loop = asyncio.get_running_loop()
        self._held_until = max(self._held_until, loop.time() + seconds + 0.1)
        self._next_turn = max(self._next_turn, self._held_until)
        log.info("Telegram asked to wait %.0f s; holding every message to a chat until then", seconds)

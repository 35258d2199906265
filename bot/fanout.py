"""Sending one thing to many chats: shuffled, bounded, and a chat that blocked the bot reported, not retried.

The pace is the application's rate limiter (``rate_limiter``, ``bot.pace.EvenPace``): messages evenly spaced
below Telegram's ~30/s, and a ``retry_after`` waited out by every request alike.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.orm import Session
from telegram.error import Forbidden, TelegramError

from bot.context import BotDeps
from bot.pace import EvenPace
from core import subscriptions as crud

log = logging.getLogger(__name__)
T = TypeVar("T")

CONCURRENCY = 32  # requests in flight at once; the limiter sets the pace, this only bounds the waiting queue
RETRIES_AFTER_429 = 8


def rate_limiter(messages_per_second: float) -> EvenPace:
    return EvenPace(messages_per_second, max_retries=RETRIES_AFTER_429)


@dataclass
class Outcome(Generic[T]):
    delivered: list[T] = field(default_factory=list)
    blocked: list[T] = field(default_factory=list)  # Forbidden: the user blocked the bot or is gone
    failed: list[T] = field(default_factory=list)  # anything else; worth another try later


async def send_all(items: Sequence[T], send: Callable[[T], Awaitable[object]]) -> Outcome[T]:
    """Call ``send`` for every item in a random order, so the same chat is not always last."""
    outcome: Outcome[T] = Outcome()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: T) -> None:
        async with gate:
            try:
                await send(item)
            except Forbidden:
                outcome.blocked.append(item)
            except TelegramError as exc:
                log.warning("sending to %r failed; it will be tried again: %r", item, exc)
                outcome.failed.append(item)
            else:
                outcome.delivered.append(item)

    await asyncio.gather(*(one(item) for item in random.sample(list(items), len(items))))
    return outcome


async def deactivate(deps: BotDeps, chat_ids: set[int]) -> None:
    """Chats that answered Forbidden: no more messages until they start the bot again."""
    if not chat_ids:
        return
    log.info("%d chat(s) blocked the bot; deactivating them", len(chat_ids))

    def work(session: Session) -> None:
        for chat_id in chat_ids:
            crud.set_user_active(session, user_id=chat_id, active=False)

    await deps.db(work)

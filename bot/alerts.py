"""Delivering alerts: woken by the workers through Redis, reading pending alerts from the database."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session
from telegram import Bot
from telegram.error import Forbidden

from bot.context import BotDeps
from bot.texts import text
from core.alerts import ALERTS_WAKE_KEY, AlertMessage, deactivate_user, mark_sent, pending_messages
from core.catalogue import Catalogue, CatalogueError
from core.db import transaction
from core.slots import MUNICH

log = logging.getLogger(__name__)
T = TypeVar("T")

SHOWN_TIMES = 5


def booking_link(base: str, *, service_id: int, office_id: int) -> str:
    return f"{base}#/services/{service_id}/locations/{office_id}"


def caption(message: AlertMessage, *, catalogue: Catalogue | None, link_base: str) -> str:
    language = message.language
    times = [t.astimezone(MUNICH).strftime("%a %d.%m.%Y %H:%M") for t in message.slot_times]
    shown = ", ".join(times[:SHOWN_TIMES])
    if len(times) > SHOWN_TIMES:
        shown += " " + text(language, "more_times", n=len(times) - SHOWN_TIMES)
    service = catalogue.services.get(message.service_id) if catalogue else None
    office = catalogue.offices.get(message.office_id) if catalogue else None
    return text(
        language,
        "alert",
        service=service.name if service else message.service_id,
        office=office.name if office else message.office_id,
        times=shown,
        link=booking_link(link_base, service_id=message.service_id, office_id=message.office_id),
    )


async def deliver(bot: Bot, deps: BotDeps, message: AlertMessage, catalogue: Catalogue | None) -> None:
    body = caption(message, catalogue=catalogue, link_base=deps.settings.booking_link_url)
    photo = await asyncio.to_thread(_read, message.screenshot_path)
    try:
        if photo is not None:
            await bot.send_photo(message.chat_id, photo=photo, caption=body)
        else:
            await bot.send_message(message.chat_id, body)
    except Forbidden:
        log.info("chat %s blocked the bot; deactivating it", message.chat_id)
        await asyncio.to_thread(_run, deps, lambda s: deactivate_user(s, user_id=message.chat_id))
        return
    await asyncio.to_thread(_run, deps, lambda s: mark_sent(s, alert_ids=message.alert_ids))


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path and Path(path).is_file() else None


def _run(deps: BotDeps, work: Callable[[Session], T]) -> T:
    with transaction(deps.sessions) as session:
        return work(session)


async def deliver_pending(bot: Bot, deps: BotDeps) -> int:
    """Send every pending alert once; recipients in random order so nobody is always last."""
    messages = await asyncio.to_thread(_run, deps, pending_messages)
    if not messages:
        return 0
    try:
        catalogue: Catalogue | None = await asyncio.to_thread(deps.catalogue.get)
    except CatalogueError:
        catalogue = None
    random.shuffle(messages)
    results = await asyncio.gather(*(deliver(bot, deps, m, catalogue) for m in messages), return_exceptions=True)
    for failure in (r for r in results if isinstance(r, BaseException)):
        log.warning("alert delivery failed; it stays pending: %r", failure)
    return len(messages)


async def alert_loop(bot: Bot, deps: BotDeps, *, idle_s: float = 5.0) -> None:
    """Run until cancelled: deliver pending alerts whenever a worker wakes us, and every ``idle_s``."""
    while True:
        try:
            await deliver_pending(bot, deps)
            await deps.redis.blpop([ALERTS_WAKE_KEY], timeout=idle_s)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("alert loop error; retrying")
            await asyncio.sleep(idle_s)

"""Delivering alerts: woken by the workers through Redis, reading pending alerts from the database.

One message per (subscription, check): the screenshot, the office, the first few free times and the official
booking link. An alert waits for its screenshot ``alert_photo_wait_s`` at most; without one by then it leaves
as text, and the screenshot follows as a reply once the worker has made it. A screenshot goes up once per
finding; every further chat gets it by Telegram's ``file_id``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot import formats, keyboards
from bot.booking_news import tell_outcomes
from bot.context import BotDeps
from bot.fanout import deactivate, send_all
from bot.portal_news import announce_portal_news
from bot.texts import text
from core.alerts import (
    ALERTS_WAKE_KEY,
    AlertMessage,
    Proof,
    mark_proof_sent,
    mark_sent,
    pending_messages,
    proofs_due,
    screenshots_of,
)
from core.bookings import BOOKINGS_WAKE_KEY
from core.catalogue import Catalogue, CatalogueError
from core.metrics import ALERTS_SENT
from core.slots import MUNICH

log = logging.getLogger(__name__)

PHOTO_POLL_S = 0.05
PROOF_WINDOW = dt.timedelta(minutes=10)  # a screenshot later than this after its alert is not sent
SHOWN_TIMES = 5
BOOK_BUTTONS = 3


def booking_link(base: str, *, service_id: int, office_id: int) -> str:
    return f"{base}#/services/{service_id}/locations/{office_id}"


def caption(message: AlertMessage, *, catalogue: Catalogue | None, link_base: str) -> str:
    language = message.language
    times = [formats.moment(language, t) for t in message.slot_times]
    shown = ", ".join(times[:SHOWN_TIMES])
    if len(times) > SHOWN_TIMES:
        shown += " " + text(language, "more_times", n=len(times) - SHOWN_TIMES)
    return text(
        language,
        "alert",
        service=formats.service_name(catalogue, message.service_id),
        office=formats.office_name(catalogue, message.office_id),
        times=shown,
        seen=formats.clock_seconds_at(message.seen_at),
        link=booking_link(link_base, service_id=message.service_id, office_id=message.office_id),
    )


def book_buttons(message: AlertMessage) -> list[tuple[int, str]]:
    """(slot id, label) of the earliest times; the label names the day only when the times span several."""
    shown = list(zip(message.slot_ids, message.slot_times, strict=False))[:BOOK_BUTTONS]
    one_day = len({formats.day(t.astimezone(MUNICH).date()) for t in message.slot_times}) <= 1
    return [(sid, formats.clock_at(t) if one_day else formats.short_moment(t)) for sid, t in shown]


class Screenshots:
    """Uploads each screenshot once, then sends Telegram's ``file_id`` for it."""

    def __init__(self) -> None:
        self._file_ids: dict[str, str] = {}
        self._uploading: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def send(
        self,
        bot: Bot,
        chat_id: int,
        path: str,
        *,
        caption: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        reply_to: int | None = None,
    ) -> Message | None:
        """The photo message, or ``None`` when the file is missing (the caller sends text instead)."""

        async def photo(file: bytes | str) -> Message:
            return await bot.send_photo(
                chat_id, file, caption=caption, reply_markup=reply_markup, reply_to_message_id=reply_to
            )

        if path not in self._file_ids:
            async with self._uploading[path]:
                if path not in self._file_ids:
                    data = await asyncio.to_thread(_read, path)
                    if data is None:
                        return None
                    sent = await photo(data)
                    self._file_ids[path] = sent.photo[-1].file_id
                    return sent
        return await photo(self._file_ids[path])


def _read(path: str) -> bytes | None:
    return Path(path).read_bytes() if Path(path).is_file() else None


async def deliver(
    bot: Bot, deps: BotDeps, message: AlertMessage, catalogue: Catalogue | None, screenshots: Screenshots
) -> None:
    """Send one alert, then mark it sent at once, so a crash right after never sends it twice."""
    body = caption(message, catalogue=catalogue, link_base=deps.settings.booking_link_url)
    link = booking_link(deps.settings.booking_link_url, service_id=message.service_id, office_id=message.office_id)
    markup = keyboards.booking(message.language, link, book_buttons(message))
    sent = None
    if message.screenshot_path:
        try:
            sent = await screenshots.send(
                bot, message.chat_id, message.screenshot_path, caption=body, reply_markup=markup
            )
        except BadRequest as exc:  # a screenshot Telegram will not take must not hold the alert back
            log.warning("screenshot of check %s refused (%s); alerting by text", message.check_id, exc)
    with_proof = sent is not None
    if sent is None:
        sent = await bot.send_message(message.chat_id, body, reply_markup=markup)
    message_id = sent.message_id
    await deps.db(lambda s: mark_sent(s, alert_ids=message.alert_ids, message_id=message_id, with_proof=with_proof))
    ALERTS_SENT.inc()


async def _with_screenshots(deps: BotDeps, messages: list[AlertMessage]) -> list[AlertMessage]:
    """The messages, with the screenshots their workers make within ``alert_photo_wait_s`` of recording."""
    wait = dt.timedelta(seconds=deps.settings.alert_photo_wait_s)
    latest = dt.datetime.now(dt.UTC) + wait  # a worker's clock ahead of ours holds no alert back longer
    awaited = {m.check_id: min(m.recorded_at + wait, latest) for m in messages if m.recorded_at and _awaits(m)}
    while awaited and (left := (max(awaited.values()) - dt.datetime.now(dt.UTC)).total_seconds()) > 0:
        await asyncio.sleep(min(PHOTO_POLL_S, left))
        found = await _screenshots_now(deps, set(awaited))
        messages = [replace(m, screenshot_path=found[m.check_id]) if m.check_id in found else m for m in messages]
        awaited = {c: until for c, until in awaited.items() if c not in found}
    return messages


async def _screenshots_now(deps: BotDeps, check_ids: set[int]) -> dict[int, str | None]:
    return await deps.db(lambda s: screenshots_of(s, check_ids=check_ids))


def _awaits(message: AlertMessage) -> bool:
    """Whether the message's screenshot may still come."""
    return message.screenshot_path is None and not message.render_failed


async def deliver_pending(bot: Bot, deps: BotDeps) -> int:
    """Send every pending alert once, in random order; chats that blocked the bot are deactivated."""
    messages = await deps.db(pending_messages)
    if not messages:
        return 0
    messages = await _with_screenshots(deps, messages)
    try:
        catalogue: Catalogue | None = await deps.portal_catalogue()
    except CatalogueError:
        catalogue = None
    screenshots = Screenshots()
    outcome = await send_all(messages, lambda m: deliver(bot, deps, m, catalogue, screenshots))
    await deactivate(deps, {m.chat_id for m in outcome.blocked})
    return len(outcome.delivered)


async def send_proofs(bot: Bot, deps: BotDeps, screenshots: Screenshots | None = None) -> int:
    """Reply to alerts that left as text with their screenshot, now that it exists."""
    since = dt.datetime.now(dt.UTC) - PROOF_WINDOW
    proofs = await deps.db(lambda s: proofs_due(s, since=since))
    if not proofs:
        return 0
    screenshots = screenshots or Screenshots()

    async def reply(proof: Proof) -> None:
        body = text(proof.language, "proof", seen=formats.clock_seconds_at(proof.seen_at))
        await screenshots.send(bot, proof.chat_id, proof.screenshot_path, caption=body, reply_to=proof.message_id)
        await deps.db(lambda s: mark_proof_sent(s, alert_ids=proof.alert_ids))

    outcome = await send_all(proofs, reply)
    await deactivate(deps, {p.chat_id for p in outcome.blocked})
    return len(outcome.delivered)


async def alert_loop(bot: Bot, deps: BotDeps, *, idle_s: float = 5.0) -> None:
    """Run until cancelled: announce portal changes, deliver alerts and tell booking outcomes when a worker wakes
    us, and every ``idle_s``."""
    while True:
        try:
            await announce_portal_news(bot, deps)
            await deliver_pending(bot, deps)
            await send_proofs(bot, deps)
            await tell_outcomes(bot, deps)
            await deps.redis.blpop([ALERTS_WAKE_KEY, BOOKINGS_WAKE_KEY], timeout=idle_s)
            if (task := asyncio.current_task()) is not None and task.cancelling():
                raise asyncio.CancelledError  # redis-py swallows a cancel that lands just as its answer arrives
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("alert loop error; retrying")
            await asyncio.sleep(idle_s)

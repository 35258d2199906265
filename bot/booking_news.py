"""Telling users what became of their bookings: woken by the workers through Redis, reading outcomes from the DB.

A preconfirmed booking goes out with the screenshot of the portal's view of it and what the user must do now
(click the link in the city's e-mail within the activation time); a failure says why, and that nothing was
booked. Each outcome is marked told right after it is sent, so it is never told twice.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Bot
from telegram.error import BadRequest

from bot import formats, keyboards
from bot.context import BotDeps
from bot.fanout import deactivate, send_all
from bot.texts import CATALOGUES, text
from core.bookings import Outcome, fail_stale, mark_told, outcomes_to_tell
from core.catalogue import Catalogue, CatalogueError

log = logging.getLogger(__name__)


def reason(language: str, code: str, *, email: str | None) -> str:
    """Why a booking or a cancel did not work, in words; the portal's code when we have none for it."""
    key = f"reason_{code}"
    if key not in CATALOGUES["en"]:
        return text(language, "reason_other", code=code)
    return text(language, key, email=email or "")


def news(outcome: Outcome, catalogue: Catalogue | None) -> str:
    """The message for one outcome."""
    language, booking = outcome.language, outcome.booking
    values = {
        "service": formats.service_name(catalogue, booking.service_id),
        "office": formats.office_name(catalogue, booking.office_id),
        "time": formats.moment(language, booking.starts_at),
        "email": booking.email or "",
    }
    if booking.error and booking.error.startswith("cancel:"):
        why = reason(language, booking.error.removeprefix("cancel:"), email=booking.email)
        return text(language, "cancel_failed", reason=why, **values)
    if booking.status == "preconfirmed":
        minutes = booking.activation_minutes
        within = text(language, "within_minutes", minutes=minutes) if minutes else text(language, "within_soon")
        return text(language, "booked", within=within, **values)
    if booking.status == "failed":
        return text(
            language, "book_failed", reason=reason(language, booking.error or "", email=booking.email), **values
        )
    return text(language, f"booking_{booking.status}", **values)  # confirmed, cancelled


async def tell(bot: Bot, deps: BotDeps, outcome: Outcome, catalogue: Catalogue | None) -> None:
    body, booking = news(outcome, catalogue), outcome.booking
    markup = keyboards.cancel_booking(outcome.language, booking.id) if booking.cancellable else None
    photo = await asyncio.to_thread(_read, booking.screenshot_path) if booking.status == "preconfirmed" else None
    sent = False
    if photo is not None:
        try:
            await bot.send_photo(outcome.chat_id, photo, caption=body, reply_markup=markup)
            sent = True
        except BadRequest as exc:  # a screenshot Telegram refuses must not hold the news back
            log.warning("screenshot of booking %s refused (%s); telling by text", booking.id, exc)
    if not sent:
        await bot.send_message(outcome.chat_id, body, reply_markup=markup)
    await deps.db(lambda s: mark_told(s, booking_id=booking.id, key=outcome.key))


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path and Path(path).is_file() else None


async def tell_outcomes(bot: Bot, deps: BotDeps) -> int:
    """Tell every outcome not told yet; bookings a lost worker left unfinished are failed first."""
    await deps.db(fail_stale)
    outcomes = await deps.db(outcomes_to_tell)
    if not outcomes:
        return 0
    try:
        catalogue: Catalogue | None = await deps.portal_catalogue()
    except CatalogueError:
        catalogue = None
    sent = await send_all(outcomes, lambda o: tell(bot, deps, o, catalogue))
    await deactivate(deps, {o.chat_id for o in sent.blocked})
    return len(sent.delivered)

"""Booking from the bot: a tap on "Book HH:MM" under an alert, /bookings, and the Cancel buttons.

The bot only records what the user asked for and hands it to the farm by task name; the farm talks to the
portal, and ``bot.booking_news`` tells the user what came of it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import formats, keyboards
from bot.booking_news import reason
from bot.context import deps_of
from bot.replies import answer, language, say
from bot.texts import text
from core.bookings import (
    BookingRefused,
    BookingView,
    awaiting_activation,
    request_booking,
    request_cancel,
    user_bookings,
)
from core.catalogue import Catalogue, CatalogueError
from core.queue import BOOK_SLOT, CANCEL_BOOKING, REFRESH_BOOKING


async def _catalogue(context: ContextTypes.DEFAULT_TYPE) -> Catalogue | None:
    try:
        return await deps_of(context).portal_catalogue()
    except CatalogueError:
        return None


async def book(update: Update, context: ContextTypes.DEFAULT_TYPE, slot_id: int) -> None:
    """Book ``slot_id`` for the user who tapped (with their own contact data), through the farm."""
    assert update.effective_chat is not None
    chat_id, deps = update.effective_chat.id, deps_of(context)
    try:
        booking = await deps.db(lambda s: request_booking(s, user_id=chat_id, slot_id=slot_id))
    except BookingRefused as refused:
        await say(update, context, refused.reason)
        if refused.reason == "book_active":
            await refresh(context, chat_id)  # a reservation never activated frees the service once the farm knows
        return
    await deps.send_task(BOOK_SLOT, booking.id)
    lang, catalogue = await language(update, context), await _catalogue(context)
    when, office = formats.moment(lang, booking.starts_at), formats.office_name(catalogue, booking.office_id)
    await say(update, context, "book_requested", time=when, office=office)


async def refresh(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Have the farm ask the portal whether the user's preconfirmed bookings were activated or have lapsed."""
    deps = deps_of(context)
    for booking_id in await deps.db(lambda s: awaiting_activation(s, user_id=chat_id)):
        await deps.send_task(REFRESH_BOOKING, booking_id)


def describe(language: str, booking: BookingView, catalogue: Catalogue | None) -> str:
    status = text(
        language,
        f"status_{booking.status}",
        email=booking.email or "",
        reason=reason(language, (booking.error or "").removeprefix("cancel:"), email=booking.email),
    )
    return text(
        language,
        "booking_item",
        service=formats.service_name(catalogue, booking.service_id),
        office=formats.office_name(catalogue, booking.office_id),
        time=formats.moment(language, booking.starts_at),
        status=status,
    )


async def list_bookings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bookings: the user's newest bookings, each with a Cancel button while it can be cancelled."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    views = await deps_of(context).db(lambda s: user_bookings(s, user_id=chat_id))
    await refresh(context, chat_id)  # what changed is told when the farm has asked
    if not views:
        await say(update, context, "bookings_empty")
        return
    lang, catalogue = await language(update, context), await _catalogue(context)
    await say(update, context, "bookings_header")
    for view in views:
        markup = keyboards.cancel_booking(lang, view.id) if view.cancellable else None
        await context.bot.send_message(chat_id, describe(lang, view, catalogue), reply_markup=markup)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A Cancel button under a booking: the farm cancels it at the portal, and the user hears when it has."""
    assert update.callback_query is not None
    assert update.effective_chat is not None
    booking_id, chat_id = int((update.callback_query.data or "").rsplit(":", 1)[-1]), update.effective_chat.id
    deps = deps_of(context)
    previous = await deps.db(lambda s: request_cancel(s, booking_id=booking_id, user_id=chat_id))
    if previous is None:
        await answer(update, context, "no_such_booking")
        return
    await deps.send_task(CANCEL_BOOKING, booking_id, previous)
    await answer(update, context, "cancelling")
    await update.callback_query.edit_message_reply_markup(None)

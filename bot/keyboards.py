"""The inline keyboards, and the callback data their buttons carry (at most 64 bytes each)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import text, weekday_names
from core.catalogue import Office, Service

Button = InlineKeyboardButton
CHECKED = "✅ "


def _rows(*rows: list[Button]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([row for row in rows if row])


def _cancel(language: str) -> list[Button]:
    return [Button(text(language, "cancel_button"), callback_data="w:cancel")]


def services(language: str, found: Sequence[Service]) -> InlineKeyboardMarkup:
    return _rows(*([Button(s.name, callback_data=f"w:svc:{s.id}")] for s in found), _cancel(language))


def offices(language: str, offered: Sequence[Office], chosen: Collection[int]) -> InlineKeyboardMarkup:
    return _rows(
        *([Button((CHECKED if o.id in chosen else "") + o.name, callback_data=f"w:off:{o.id}")] for o in offered),
        [
            Button(text(language, "offices_any"), callback_data="w:off:any"),
            Button(text(language, "done"), callback_data="w:off:done"),
        ],
        _cancel(language),
    )


def windows(language: str) -> InlineKeyboardMarkup:
    return _rows(
        [
            Button(text(language, "window_2w"), callback_data="w:win:2w"),
            Button(text(language, "window_1m"), callback_data="w:win:1m"),
        ],
        [
            Button(text(language, "window_3m"), callback_data="w:win:3m"),
            Button(text(language, "window_date"), callback_data="w:win:date"),
        ],
        _cancel(language),
    )


def weekdays(language: str, chosen: Collection[int]) -> InlineKeyboardMarkup:
    days = [
        Button((CHECKED if d in chosen else "") + name, callback_data=f"w:day:{d}")
        for d, name in enumerate(weekday_names(language))
    ]
    return _rows(
        days[:5],
        days[5:],
        [
            Button(text(language, "any_day"), callback_data="w:day:any"),
            Button(text(language, "done"), callback_data="w:day:done"),
        ],
        _cancel(language),
    )


def times(language: str) -> InlineKeyboardMarkup:
    return _rows(
        [Button(text(language, "times_any"), callback_data="w:time:any")],
        [
            Button(text(language, "times_morning"), callback_data="w:time:am"),
            Button(text(language, "times_afternoon"), callback_data="w:time:pm"),
        ],
        [Button(text(language, "times_range"), callback_data="w:time:range")],
        _cancel(language),
    )


def confirm(language: str) -> InlineKeyboardMarkup:
    return _rows([Button(text(language, "subscribe_button"), callback_data="w:ok")], _cancel(language))


def subscription(language: str, subscription_id: int, *, active: bool, auto_book: bool = False) -> InlineKeyboardMarkup:
    toggle = (
        Button(text(language, "pause_button"), callback_data=f"sub:pause:{subscription_id}")
        if active
        else Button(text(language, "resume_button"), callback_data=f"sub:resume:{subscription_id}")
    )
    auto = Button(
        (CHECKED if auto_book else "") + text(language, "auto_button"),
        callback_data=f"sub:auto:{'off' if auto_book else 'on'}:{subscription_id}",
    )
    return _rows(
        [toggle, Button(text(language, "delete_button"), callback_data=f"sub:delete:{subscription_id}")], [auto]
    )


def languages() -> InlineKeyboardMarkup:
    return _rows([Button("Deutsch", callback_data="lang:de"), Button("English", callback_data="lang:en")])


def forget(language: str) -> InlineKeyboardMarkup:
    return _rows(
        [Button(text(language, "forget_yes"), callback_data="forget:yes")],
        [Button(text(language, "forget_no"), callback_data="forget:no")],
    )


def booking(language: str, link: str, slots: Sequence[tuple[int, str]] = ()) -> InlineKeyboardMarkup:
    """Under an alert: a Book button per time in ``slots`` (slot id, label), then the official booking page."""
    times = [
        Button(text(language, "book_slot_button", time=label), callback_data=f"book:{sid}") for sid, label in slots
    ]
    return _rows(times, [Button(text(language, "book_button"), url=link)])


def skip_phone(language: str) -> InlineKeyboardMarkup:
    return _rows([Button(text(language, "skip_button"), callback_data="contact:skip")])


def cancel_booking(language: str, booking_id: int) -> InlineKeyboardMarkup:
    return _rows([Button(text(language, "cancel_booking_button"), callback_data=f"bkc:{booking_id}")])

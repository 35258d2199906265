"""Booking through the running bot: contact data, Book buttons, the tasks it hands the farm, outcomes, /bookings.

No worker runs here: the bot's tasks are read off the broker (Redis), and outcomes are recorded the way the
farm records them, then the bot is woken through Redis as the farm wakes it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application

from core import bookings
from core import subscriptions as crud
from core.bookings import BOOKINGS_WAKE_KEY
from core.contacts import ContactData, get_contact, save_contact
from core.db import transaction
from core.models import Booking, Contact, Slot
from core.settings import Settings
from tests.bot.helpers import Chat, buttons, message_id, text_of
from tests.bot.test_alerts import MONDAY, munich, screenshot, slots_open, subscribe
from tests.bot.test_alerts import wake as wake_alerts
from tests.core.test_alerts import found, watch

ANNA_DATA = ContactData("Anna Muster", "anna@example.org", None)


def tasks_sent(settings: Settings) -> list[tuple[str, list[Any]]]:
    """(task name, args) of every task waiting on the broker, oldest first."""
    messages = redis.Redis.from_url(settings.redis_url).lrange("celery", 0, -1)
    found = []
    for raw in reversed(messages):  # type: ignore[union-attr]  # the sync client
        message = json.loads(raw)
        args, _, _ = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], args))
    return found


def rows(sessions: sessionmaker[Session]) -> list[Booking]:
    with transaction(sessions) as session:
        return list(session.query(Booking).order_by(Booking.id))


async def alert(chat: Chat, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path) -> dict[str, Any]:
    """``chat`` watches Wohnsitzanmeldung at Ruppertstraße and is alerted of Monday 09:00 and 09:30."""
    target = subscribe(sessions, chat.id, language=chat.language_code)
    slots_open(sessions, settings, target, munich(MONDAY, 9), munich(MONDAY, 9, 30), shot=screenshot(tmp_path))
    [photo] = await chat.answers(1)
    return chat.screen(photo)


def wake(settings: Settings, booking_id: int) -> None:
    redis.Redis.from_url(settings.redis_url).rpush(BOOKINGS_WAKE_KEY, booking_id)


async def test_contact_is_asked_once_checked_as_the_portal_checks_it_and_forgotten(
    anna: Chat, sessions: sessionmaker[Session]
) -> None:
    [intro] = await anna.send("/contact")
    assert text_of(anna.screen(intro)).endswith("Your name, as on your ID:")
    [ask_email] = await anna.send("  Anna   Muster ")
    assert text_of(anna.screen(ask_email)) == "Your e-mail address:"
    [refused] = await anna.send("anna+mta@example.org")
    assert 'does not accept "anna+mta@example.org"' in text_of(anna.screen(refused))
    [ask_phone] = await anna.send("anna@example.org")
    assert buttons(anna.screen(ask_phone)) == {"Skip": "contact:skip"}
    [refused] = await anna.send("12 34")
    assert "7 to 15 digits" in text_of(anna.screen(refused))
    [saved] = await anna.send("+49 170 123-4567")
    assert text_of(anna.screen(saved)).startswith("Saved: Anna Muster, anna@example.org, +491701234567\n")

    [data] = await anna.send("/mydata")
    assert "Contact data for bookings: Anna Muster, anna@example.org, +491701234567" in text_of(anna.screen(data))

    # Editable: /contact shows what is stored and asks anew; Skip leaves the phone out.
    [again] = await anna.send("/contact")
    assert "Stored now: Anna Muster, anna@example.org, +491701234567" in text_of(anna.screen(again))
    await anna.send("Anna Muster")
    [ask_phone] = await anna.send("anna.muster@example.org")
    [saved] = await anna.press(message_id(ask_phone), "contact:skip")
    assert text_of(anna.screen(saved)).startswith("Saved: Anna Muster, anna.muster@example.org\n")

    [ask] = await anna.send("/forget")
    await anna.press(message_id(ask), "forget:yes")
    with transaction(sessions) as session:
        assert session.get(Contact, anna.id) is None


async def test_a_tap_without_contact_data_asks_for_them_then_books(
    anna: Chat, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    shown = await alert(anna, sessions, settings, tmp_path)
    assert buttons(shown)["Book 09:00"] == "book:1"

    [ask_name] = await anna.press(shown["message_id"], "book:1")
    assert text_of(anna.screen(ask_name)).startswith("To book, I need your own name and e-mail address first")
    await anna.send("Anna Muster")
    ask_phone, *_ = await anna.send("anna@example.org")
    saved, requested = await anna.press(message_id(ask_phone), "contact:skip", answers=2)
    assert text_of(anna.screen(saved)).startswith("Saved: Anna Muster, anna@example.org\n")
    assert text_of(anna.screen(requested)) == "Booking Mo 04.03.2030 09:00 at Bürgerbüro Ruppertstraße for you…"

    [booking] = rows(sessions)
    assert (booking.user_id, booking.slot_id, booking.status, booking.source) == (anna.id, 1, "requested", "tap")
    assert tasks_sent(settings) == [("workers.tasks.book_slot", [booking.id])]

    # Another tap for the same service: one active booking per user and service.
    [refused] = await anna.press(shown["message_id"], "book:2")
    assert text_of(anna.screen(refused)).startswith("You already have a booking for this service")
    assert len(rows(sessions)) == 1


async def test_a_tap_on_a_time_since_taken_says_so_at_once_and_books_nothing(
    anna: Chat, sessions: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(sessions) as session:
        [slot_id] = found(session, watch(session, anna.id), munich(MONDAY, 9))
        save_contact(session, user_id=anna.id, data=ANNA_DATA)
    wake_alerts(settings)
    [shown] = await anna.answers(1)
    assert buttons(anna.screen(shown))["Book 09:00"] == f"book:{slot_id}"

    with transaction(sessions) as session:  # a later check saw it taken
        session.get_one(Slot, slot_id).gone_at = dt.datetime.now(dt.UTC)
    [told] = await anna.press(message_id(shown), f"book:{slot_id}")
    assert text_of(anna.screen(told)) == "This time is no longer free."
    assert rows(sessions) == []
    assert tasks_sent(settings) == [], "no task: the portal is not asked"


async def test_a_tap_on_a_gone_time_without_contact_data_says_so_before_asking_for_them(
    anna: Chat, sessions: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(sessions) as session:
        [slot_id] = found(session, watch(session, anna.id), munich(MONDAY, 9))
    wake_alerts(settings)
    [shown] = await anna.answers(1)
    with transaction(sessions) as session:
        session.get_one(Slot, slot_id).gone_at = dt.datetime.now(dt.UTC)
    [told] = await anna.press(message_id(shown), f"book:{slot_id}")
    assert text_of(anna.screen(told)) == "This time is no longer free."
    assert rows(sessions) == []


async def test_only_slots_the_user_was_alerted_of_can_be_booked(
    anna: Chat, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    await alert(anna, sessions, settings, tmp_path)
    bernd = 4812
    with transaction(sessions) as session:
        save_contact(session, user_id=bernd, data=ContactData("Bernd", "bernd@example.org", None))
    with transaction(sessions) as session, pytest.raises(bookings.BookingRefused, match="book_not_yours"):
        bookings.request_booking(session, user_id=bernd, slot_id=1)  # Anna's slot, not his
    assert rows(sessions) == []


async def test_the_outcome_is_told_with_the_screenshot_and_what_to_do(
    anna: Chat, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    shown = await alert(anna, sessions, settings, tmp_path)
    with transaction(sessions) as session:
        save_contact(session, user_id=anna.id, data=ANNA_DATA)
    await anna.press(shown["message_id"], "book:1")
    [booking] = rows(sessions)

    # The farm reserved and preconfirmed it, and woke the bot.
    with transaction(sessions) as session:
        bookings.record_reserved(
            session,
            booking_id=booking.id,
            process_id=100001,
            auth_key="ab" * 32,
            office_id=booking.office_id,
            starts_at=booking.starts_at,
        )
        shot = screenshot(tmp_path).path
        bookings.record_preconfirmed(
            session, booking_id=booking.id, email=ANNA_DATA.email, activation_minutes=60, screenshot_path=shot
        )
    wake(settings, booking.id)
    [told] = await anna.answers(1)
    assert told.method == "sendPhoto"
    assert told.files[0].data.startswith(b"\x89PNG")
    caption = told.params["caption"]
    assert caption.startswith("Reserved for you: Wohnsitzanmeldung\n")
    assert "The city has sent an e-mail to anna@example.org. Click the link in it within 60 minutes" in caption
    assert buttons(anna.screen(told)) == {"Cancel appointment": f"bkc:{booking.id}"}

    # /bookings lists it; Cancel hands it to the farm, which cancels at the portal and wakes the bot.
    header, item = await anna.send("/bookings", answers=2)
    assert text_of(anna.screen(header)) == "Your bookings:"
    assert text_of(anna.screen(item)).endswith(
        "reserved; please click the link in the city's e-mail to anna@example.org"
    )
    assert ("workers.tasks.refresh_booking", [booking.id]) in tasks_sent(settings), "has Anna clicked the link?"
    await anna.press(message_id(item), f"bkc:{booking.id}")
    assert anna.callback_answers()[-1].params["text"] == "Cancelling…"
    assert buttons(anna.screen(item)) == {}
    assert tasks_sent(settings)[-1] == ("workers.tasks.cancel_booking", [booking.id, "preconfirmed"])
    with transaction(sessions) as session:
        bookings.record_cancelled(session, booking_id=booking.id)
    wake(settings, booking.id)
    [cancelled] = await anna.answers(1)
    assert text_of(anna.screen(cancelled)) == (
        "Cancelled: Wohnsitzanmeldung\nBürgerbüro Ruppertstraße\nMo 04.03.2030 09:00"
    )


async def test_a_refused_booking_is_told_clearly(
    bernd: Chat, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    shown = await alert(bernd, sessions, settings, tmp_path)
    with transaction(sessions) as session:
        save_contact(session, user_id=bernd.id, data=ContactData("Bernd", "bernd@example.org", None))
    await bernd.press(shown["message_id"], "book:1")
    [booking] = rows(sessions)
    with transaction(sessions) as session:
        bookings.record_failed(session, booking_id=booking.id, error="tooManyAppointmentsWithSameMail")
    wake(settings, booking.id)
    [told] = await bernd.answers(1)
    assert text_of(bernd.screen(told)).startswith("Ich konnte Mo 04.03.2030 09:00 bei Bürgerbüro Ruppertstraße nicht")
    assert "nur wenige Termine pro E-Mail-Adresse" in text_of(bernd.screen(told))
    assert text_of(bernd.screen(told)).endswith("Es wurde nichts gebucht.")


async def test_auto_book_is_switched_on_per_subscription_with_contact_data_only(
    anna: Chat, sessions: sessionmaker[Session]
) -> None:
    subscribe(sessions, anna.id)
    _, item = await anna.send("/list", answers=2)
    assert buttons(anna.screen(item))["Book automatically"] == "sub:auto:on:1"
    [needs] = await anna.press(message_id(item), "sub:auto:on:1")
    assert text_of(anna.screen(needs)) == "To book automatically I need your name and e-mail address first: /contact."

    with transaction(sessions) as session:
        save_contact(session, user_id=anna.id, data=ANNA_DATA)
    [switched] = await anna.press(message_id(item), "sub:auto:on:1")
    assert anna.callback_answers()[-1].params["text"] == "I'll book the first suitable time automatically."
    assert text_of(anna.screen(switched)).endswith("\nBooks the first suitable time automatically")
    assert buttons(anna.screen(switched))["✅ Book automatically"] == "sub:auto:off:1"
    with transaction(sessions) as session:
        assert [v.auto_book for v in crud.subscription_views(session, user_id=anna.id)] == [True]
        assert get_contact(session, user_id=anna.id) == ANNA_DATA

    [off] = await anna.press(message_id(item), "sub:auto:off:1")
    assert buttons(anna.screen(off))["Book automatically"] == "sub:auto:on:1"


async def test_bookings_without_any(anna: Chat, bot: Application) -> None:  # type: ignore[type-arg]
    [empty] = await anna.send("/bookings")
    assert text_of(anna.screen(empty)).startswith("You have no bookings.")

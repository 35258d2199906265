"""Requesting a booking: only a slot that is still free is handed to the farm."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.bookings import BookingRefused, prune_booking_screenshots, record_preconfirmed, request_booking
from core.contacts import ContactData, save_contact
from core.db import transaction
from core.models import Booking
from tests.core.test_alerts import MONDAY_9, found, watch

ANNA = ContactData("Anna Muster", "anna@example.org", None)
NOW = dt.datetime.now(dt.UTC)


@pytest.mark.parametrize(
    ("starts_at", "gone"),
    [(MONDAY_9, NOW - dt.timedelta(minutes=1)), (NOW - dt.timedelta(minutes=1), None)],
    ids=["taken", "begun"],
)
def test_a_slot_no_longer_free_is_refused_and_nothing_recorded(
    sessions: sessionmaker[Session], starts_at: dt.datetime, gone: dt.datetime | None
) -> None:
    with transaction(sessions) as session:
        [slot_id] = found(session, watch(session, 1), starts_at, gone=gone)
        save_contact(session, user_id=1, data=ANNA)
    with transaction(sessions) as session, pytest.raises(BookingRefused, match="book_gone"):
        request_booking(session, user_id=1, slot_id=slot_id)
    with transaction(sessions) as session:
        assert session.scalars(select(Booking.id)).all() == []


def test_a_free_slot_is_requested(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        [slot_id] = found(session, watch(session, 1), MONDAY_9)
        save_contact(session, user_id=1, data=ANNA)
    with transaction(sessions) as session:
        booking = request_booking(session, user_id=1, slot_id=slot_id)
    assert (booking.status, booking.starts_at) == ("requested", MONDAY_9)


def test_a_booking_screenshot_is_forgotten_once_its_appointment_has_passed(sessions: sessionmaker[Session]) -> None:
    """Issue 19: the screenshot shows the citizen's name and e-mail; pruning forgets it after the appointment."""
    with transaction(sessions) as session:
        [slot_id] = found(session, watch(session, 1), MONDAY_9)
        save_contact(session, user_id=1, data=ANNA)
    with transaction(sessions) as session:
        booking = request_booking(session, user_id=1, slot_id=slot_id)
        record_preconfirmed(
            session, booking_id=booking.id, email=ANNA.email, activation_minutes=30, screenshot_path="/ev/b1.png"
        )
    with transaction(sessions) as session:
        assert prune_booking_screenshots(session, appointments_before=MONDAY_9) == [], "the appointment is ahead"
    with transaction(sessions) as session:
        later = MONDAY_9 + dt.timedelta(days=1)
        assert prune_booking_screenshots(session, appointments_before=later) == ["/ev/b1.png"]
    with transaction(sessions) as session:
        assert session.scalars(select(Booking.screenshot_path)).all() == [None]

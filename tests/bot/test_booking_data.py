"""The core functions behind bookings, on SQLite and PostgreSQL: contact data as the portal checks it, requests,
the claim that makes a booking run once, auto-bookings from checks, outcomes to tell, and forgetting."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from core import bookings
from core import subscriptions as crud
from core.checks import record_observation
from core.contacts import (
    ContactData,
    InvalidContact,
    delete_contact,
    get_contact,
    save_contact,
    valid_email,
    valid_name,
    valid_phone,
)
from core.db import make_sessionmaker, transaction
from core.models import Booking, Contact, Slot
from core.personal_data import forget_user
from core.slots import MUNICH, Observation, SeenSlot
from tests.bot.helpers import RUPPERT, WOHNSITZ

ANNA = 21


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


DAY = dt.date(2030, 3, 4)
CONTACT = ContactData("Anna Muster", "anna@example.org", None)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), MUNICH).astimezone(dt.UTC)


def check_finds(db: sessionmaker[Session], target_id: int, *times: dt.datetime) -> list[int]:
    observation = Observation(
        frozenset(SeenSlot(t, RUPPERT) for t in times), frozenset({(DAY, RUPPERT)}), frozenset({(DAY, RUPPERT)})
    )
    with transaction(db) as session:
        _, opened, _ = record_observation(
            session,
            target_id=target_id,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            observation=observation,
            request_url=None,
        )
        return [s.id for s in opened]


def watching(db: sessionmaker[Session], *, auto_book: bool, contact: bool = True, **filters: object) -> int:
    with transaction(db) as session:
        subscription = crud.create_subscription(
            session, user_id=ANNA, service_id=WOHNSITZ, office_ids=[RUPPERT], filters=crud.Filters(**filters)
        )
        subscription.auto_book = auto_book
        if contact:
            save_contact(session, user_id=ANNA, data=CONTACT)
        return subscription.targets[0].id


def all_bookings(db: sessionmaker[Session]) -> list[Booking]:
    with transaction(db) as session:
        return list(session.scalars(select(Booking).order_by(Booking.id)))


@pytest.mark.parametrize(
    "email", ["anna+mta@example.org", "anna..m@example.org", ".anna@example.org", "anna@example", "an na@example.org"]
)
def test_email_addresses_the_portal_refuses(email: str) -> None:
    with pytest.raises(InvalidContact, match="invalidEmail"):
        valid_email(email)


def test_contact_values_as_the_portal_takes_them() -> None:
    assert valid_email(" anna.muster@example.org ") == "anna.muster@example.org"
    assert valid_name("  Anna   Muster ") == "Anna Muster"
    assert valid_phone("+49 (170) 123-4567") == "+491701234567"
    for bad_phone in ("123", "+49 170 abc", "0" * 16):
        with pytest.raises(InvalidContact, match="invalidTelephone"):
            valid_phone(bad_phone)
    with pytest.raises(InvalidContact, match="invalidFamilyName"):
        valid_name("   ")


def test_contact_is_saved_replaced_and_deleted(db: sessionmaker[Session]) -> None:
    with transaction(db) as session:
        save_contact(session, user_id=ANNA, data=ContactData("Anna", "anna@example.org", "0170 1234567"))
        assert get_contact(session, user_id=ANNA) == ContactData("Anna", "anna@example.org", "01701234567")
        save_contact(session, user_id=ANNA, data=CONTACT)
        assert get_contact(session, user_id=ANNA) == CONTACT
        with pytest.raises(InvalidContact):
            save_contact(session, user_id=ANNA, data=ContactData("Anna", "anna+x@example.org", None))
    with transaction(db) as session:
        assert delete_contact(session, user_id=ANNA)
        assert get_contact(session, user_id=ANNA) is None


def test_an_auto_book_subscription_books_its_first_matching_slot_once(db: sessionmaker[Session]) -> None:
    target = watching(db, auto_book=True, time_from=dt.time(9, 30))
    check_finds(db, target, at(9), at(11), at(10))
    check_finds(db, target, at(9), at(11), at(10))  # the same answer again (a redelivered check)
    [booking] = all_bookings(db)
    assert (booking.user_id, booking.source, booking.status, booking.starts_at) == (ANNA, "auto", "requested", at(10))
    with transaction(db) as session:
        assert bookings.requested_ids(session) == [booking.id]

    # A new slot while the booking is active: no second booking for the service.
    check_finds(db, target, at(9), at(11), at(10), at(12))
    assert len(all_bookings(db)) == 1


def test_no_auto_booking_without_contact_data_or_opt_in(db: sessionmaker[Session]) -> None:
    target = watching(db, auto_book=True, contact=False)
    check_finds(db, target, at(9))
    with transaction(db) as session:
        crud.create_subscription(session, user_id=22, service_id=WOHNSITZ, office_ids=[RUPPERT])
        save_contact(session, user_id=22, data=ContactData("Bernd", "bernd@example.org", None))
    check_finds(db, target, at(9), at(10))
    assert all_bookings(db) == []


def test_the_claim_lets_one_of_two_concurrent_tasks_run(db: sessionmaker[Session]) -> None:
    target = watching(db, auto_book=True)
    check_finds(db, target, at(9))
    [booking] = all_bookings(db)
    start, results = threading.Barrier(2), []

    def claim() -> None:
        start.wait()
        with transaction(db) as session:
            results.append(bookings.claim(session, booking_id=booking.id))

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    with transaction(db) as session:
        assert not bookings.claim(session, booking_id=booking.id), "a redelivered task"


def test_outcomes_are_told_once_and_a_failed_cancel_too(db: sessionmaker[Session]) -> None:
    target = watching(db, auto_book=True)
    check_finds(db, target, at(9))
    [booking] = all_bookings(db)
    with transaction(db) as session:
        bookings.claim(session, booking_id=booking.id)
        bookings.record_reserved(
            session, booking_id=booking.id, process_id=1, auth_key="k", office_id=RUPPERT, starts_at=at(9)
        )
        assert bookings.outcomes_to_tell(session) == []
        bookings.record_preconfirmed(
            session, booking_id=booking.id, email=CONTACT.email, activation_minutes=30, screenshot_path=None
        )
        [outcome] = bookings.outcomes_to_tell(session)
        assert (outcome.chat_id, outcome.key, outcome.booking.activation_minutes) == (ANNA, "preconfirmed:", 30)
        bookings.mark_told(session, booking_id=booking.id, key=outcome.key)
        assert bookings.outcomes_to_tell(session) == []

        assert bookings.request_cancel(session, booking_id=booking.id, user_id=ANNA) == "preconfirmed"
        assert bookings.request_cancel(session, booking_id=booking.id, user_id=ANNA) is None, "already cancelling"
        bookings.record_cancel_failed(session, booking_id=booking.id, status="preconfirmed", error="portalDown")
        [outcome] = bookings.outcomes_to_tell(session)
        assert (outcome.key, outcome.booking.status) == ("preconfirmed:cancel:portalDown", "preconfirmed")


def test_unfinished_bookings_of_a_lost_worker_fail_and_free_the_service(db: sessionmaker[Session]) -> None:
    target = watching(db, auto_book=True)
    _, second = check_finds(db, target, at(9), at(10))
    with transaction(db) as session:
        assert bookings.fail_stale(session) == 0
        assert bookings.fail_stale(session, now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)) == 1
        [outcome] = bookings.outcomes_to_tell(session)
        assert outcome.key == "failed:interrupted"
        assert bookings.request_booking(session, user_id=ANNA, slot_id=second).status == "requested"


def test_forget_deletes_contact_data_and_bookings(db: sessionmaker[Session], tmp_path: Path) -> None:
    target = watching(db, auto_book=True)
    check_finds(db, target, at(9))
    shot = tmp_path / "booking-1.png"  # the appointment's view: the user's name and e-mail
    shot.write_bytes(b"\x89PNG")
    with transaction(db) as session:
        session.execute(update(Booking).values(screenshot_path=str(shot)))
    with transaction(db) as session:
        assert forget_user(session, user_id=ANNA)
    assert not shot.exists(), "no file of the user is left"
    with transaction(db) as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert session.scalar(select(func.count()).select_from(Booking)) == 0
        assert session.scalar(select(func.count()).select_from(Slot)) == 1, "what the portal showed stays"

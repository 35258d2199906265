"""Booking against the portal replica, in this process: the farm's own browser, budget, captcha and database.

What the bot and the Celery task hand over is a booking id; these tests call ``workers.booking`` with it the way
the task does, and read the result from the replica's processes and outbox and from the database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core import bookings
from core import subscriptions as crud
from core.checks import record_observation
from core.contacts import ContactData, save_contact
from core.db import transaction
from core.models import Booking
from core.settings import Settings
from core.slots import MUNICH, Observation, SeenSlot
from workers import booking
from workers.farm import Farm

WOHNSITZ, RUPPERT = 1063475, 10489
EINBUERGERUNG, ZUWANDERUNG = 10339028, 10461  # an office whose scope requires the captcha
ANNA = ContactData("Anna Muster", "anna@example.org", "+491701234567")
API = "/buergeransicht/api/citizen"


def bookable_day() -> dt.date:
    day = dt.datetime.now(MUNICH).date() + dt.timedelta(days=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


DAY = bookable_day()


def at(clock: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(clock), MUNICH).astimezone(dt.UTC)


class Portal:
    """The replica's admin routes and its citizen API, as a test reads and prepares them."""

    def __init__(self, url: str) -> None:
        self.url = url

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.url}/__replica__/{path}"
        response = httpx.post(url, json=body) if body is not None else httpx.get(url)
        response.raise_for_status()
        return response.json()

    def open(self, office: int, service: int, *times: str) -> None:
        self.admin("slots/open", {"officeId": office, "serviceId": service, "date": DAY.isoformat(), "times": times})

    def api(self, endpoint: str, body: dict[str, Any]) -> Any:
        return httpx.post(f"{self.url}{API}/{endpoint}/", json=body).json()

    def book_elsewhere(self, office: int, service: int, clock: str, email: str | None = None) -> None:
        """Someone else takes the time (and, with ``email``, preconfirms it)."""
        reserved = self.api(
            "reserve-appointment",
            {"timestamp": int(at(clock).timestamp()), "serviceCount": [1], "officeId": office, "serviceId": [service]},
        )
        if email:
            credentials = {"processId": reserved["processId"], "authKey": reserved["authKey"]}
            self.api("update-appointment", {**credentials, "familyName": "Someone", "email": email})
            self.api("preconfirm-appointment", credentials)

    def processes(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.admin("processes")
        return found


@pytest.fixture
def portal(replica_url: str) -> Portal:
    portal = Portal(replica_url)
    portal.admin("reset", {})
    return portal


def farm_settings(database_url: str, redis_url: str, replica_url: str, evidence: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        redis_url=redis_url,
        portal_api_url=f"{replica_url}{API}",
        portal_page_url=f"{replica_url}/buergerservice/terminvereinbarung.html",
        evidence_dir=evidence,
        portal_rate_limit=0,
    )


@pytest.fixture
def settings(sqlite_url: str, redis_url: str, replica_url: str, tmp_path: Path) -> Settings:
    return farm_settings(sqlite_url, redis_url, replica_url, tmp_path / "evidence")


@pytest.fixture
def farm(settings: Settings) -> Iterator[Farm]:
    farm = Farm(settings)
    yield farm
    farm.browser.close()


def alerted(
    sessions: sessionmaker[Session],
    *times: dt.datetime,
    chat: int = 4711,
    service: int = WOHNSITZ,
    office: int = RUPPERT,
    contact: ContactData | None = ANNA,
    filters: crud.Filters = crud.Filters(),
) -> list[int]:
    """A user watching (office, service) is alerted of ``times``, as a check records it; their slot ids."""
    with transaction(sessions) as session:
        subscription = crud.create_subscription(
            session, user_id=chat, service_id=service, office_ids=[office], filters=filters
        )
        if contact is not None:
            save_contact(session, user_id=chat, data=contact)
        seen = frozenset(SeenSlot(t, office) for t in times)
        observation = Observation(seen, frozenset(s.office_day for s in seen), frozenset(s.office_day for s in seen))
        _, opened, _ = record_observation(
            session,
            target_id=subscription.targets[0].id,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            observation=observation,
            request_url=None,
        )
        return [slot.id for slot in opened]


def tap(sessions: sessionmaker[Session], slot_id: int, chat: int = 4711) -> int:
    with transaction(sessions) as session:
        return bookings.request_booking(session, user_id=chat, slot_id=slot_id).id


def row(sessions: sessionmaker[Session], booking_id: int) -> Booking:
    with transaction(sessions) as session:
        found = session.get(Booking, booking_id)
        assert found is not None
        return found


def test_a_tap_books_with_the_users_own_data_and_screenshots_the_portals_view(
    farm: Farm, portal: Portal, tmp_path: Path
) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00", "09:30")
    first, _ = alerted(farm.sessions, at("09:00"), at("09:30"))
    booking_id = tap(farm.sessions, first)

    assert booking.book(farm, booking_id=booking_id) == "preconfirmed"

    [process] = portal.processes()
    assert process["status"] == "preconfirmed"
    assert (process["officeId"], process["serviceIds"], process["timestamp"]) == (
        RUPPERT,
        [WOHNSITZ],
        int(at("09:00").timestamp()),
    )
    assert (process["familyName"], process["email"], process["telephone"]) == (ANNA.name, ANNA.email, ANNA.phone)
    [mail] = portal.admin("outbox")
    assert (mail["kind"], mail["to"], mail["processId"]) == ("activation", ANNA.email, process["processId"])
    assert "#/appointment/confirm/" in mail["link"]

    stored = row(farm.sessions, booking_id)
    assert (stored.status, stored.process_id, stored.auth_key) == (
        "preconfirmed",
        process["processId"],
        process["authKey"],
    )
    assert (stored.email, stored.activation_minutes, stored.error) == (ANNA.email, 60, None)
    assert stored.screenshot_path is not None
    shot = Path(stored.screenshot_path)
    assert shot.is_relative_to(tmp_path / "evidence")
    assert shot.read_bytes().startswith(b"\x89PNG")

    # Delivered again (or by a second worker later): claimed already, nothing more is booked.
    assert booking.book(farm, booking_id=booking_id) == "skipped"
    assert len(portal.processes()) == 1


def test_a_time_taken_in_between_books_the_next_matching_time(farm: Farm, portal: Portal) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00", "09:15", "10:00", "10:30")
    after_half_past_nine = crud.Filters(time_from=dt.time(9, 30))
    slot_ids = alerted(farm.sessions, at("10:00"), at("10:30"), filters=after_half_past_nine)
    portal.book_elsewhere(RUPPERT, WOHNSITZ, "10:00")

    booking_id = tap(farm.sessions, slot_ids[0])
    assert booking.book(farm, booking_id=booking_id) == "preconfirmed"

    mine = [p for p in portal.processes() if p["status"] == "preconfirmed"]
    assert [p["timestamp"] for p in mine] == [int(at("10:30").timestamp())], "09:15 is free but does not suit"
    assert row(farm.sessions, booking_id).starts_at == at("10:30")


def test_no_suitable_time_left_fails_and_frees_the_service_for_another_booking(farm: Farm, portal: Portal) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00", "09:45", "11:00")
    until_ten = crud.Filters(time_to=dt.time(10, 0))
    first, second = alerted(farm.sessions, at("09:00"), at("09:45"), filters=until_ten)
    portal.book_elsewhere(RUPPERT, WOHNSITZ, "09:00")
    portal.book_elsewhere(RUPPERT, WOHNSITZ, "09:45")  # 11:00 stays free, but does not suit

    booking_id = tap(farm.sessions, first)
    assert booking.book(farm, booking_id=booking_id) == "failed"
    failed = row(farm.sessions, booking_id)
    assert (failed.status, failed.error, failed.active_key) == ("failed", "slotGone", None)
    with transaction(farm.sessions) as session:
        [outcome] = bookings.outcomes_to_tell(session)
    assert outcome.key == "failed:slotGone"
    assert tap(farm.sessions, second), "a failed booking does not block the next one"


def test_the_per_email_limit_is_a_failure_that_leaves_nothing_booked(farm: Farm, portal: Portal) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00", "09:30")
    portal.book_elsewhere(RUPPERT, WOHNSITZ, "09:30", email=ANNA.email)  # the replica allows one per e-mail
    [slot_id] = alerted(farm.sessions, at("09:00"))

    booking_id = tap(farm.sessions, slot_id)
    assert booking.book(farm, booking_id=booking_id) == "failed"

    assert row(farm.sessions, booking_id).error == "tooManyAppointmentsWithSameMail"
    ours = [p for p in portal.processes() if p["timestamp"] == int(at("09:00").timestamp())]
    assert [p["status"] for p in ours] == ["deleted"], "the reservation was released"
    activations = [m["processId"] for m in portal.admin("outbox") if m["kind"] == "activation"]
    assert ours[0]["processId"] not in activations


def test_an_office_with_captcha_is_booked_with_the_farms_token(farm: Farm, portal: Portal) -> None:
    portal.open(ZUWANDERUNG, EINBUERGERUNG, "08:30")
    [slot_id] = alerted(farm.sessions, at("08:30"), service=EINBUERGERUNG, office=ZUWANDERUNG)
    assert booking.book(farm, booking_id=tap(farm.sessions, slot_id)) == "preconfirmed"
    assert [p["status"] for p in portal.processes()] == ["preconfirmed"]
    assert portal.admin("counters")["captchaChallenges"] == 1


def test_cancel_releases_the_appointment(farm: Farm, portal: Portal) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00")
    [slot_id] = alerted(farm.sessions, at("09:00"))
    booking_id = tap(farm.sessions, slot_id)
    booking.book(farm, booking_id=booking_id)

    with transaction(farm.sessions) as session:
        assert bookings.request_cancel(session, booking_id=booking_id, user_id=999) is None, "only the user's own"
        previous = bookings.request_cancel(session, booking_id=booking_id, user_id=4711)
    assert previous == "preconfirmed"
    assert booking.cancel(farm, booking_id=booking_id, previous_status=previous) == "cancelled"
    assert booking.cancel(farm, booking_id=booking_id, previous_status=previous) == "skipped"

    assert [p["status"] for p in portal.processes()] == ["deleted"]
    assert [m["kind"] for m in portal.admin("outbox")] == ["activation", "cancellation"]
    assert row(farm.sessions, booking_id).status == "cancelled"


def test_refresh_learns_that_the_user_activated_the_booking(farm: Farm, portal: Portal) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00")
    [slot_id] = alerted(farm.sessions, at("09:00"))
    booking_id = tap(farm.sessions, slot_id)
    booking.book(farm, booking_id=booking_id)
    assert booking.refresh(farm, booking_id=booking_id) == "preconfirmed", "not clicked yet"

    [process] = portal.processes()
    portal.api("confirm-appointment", {"processId": process["processId"], "authKey": process["authKey"]})
    assert booking.refresh(farm, booking_id=booking_id) == "confirmed"
    with transaction(farm.sessions) as session:
        [outcome] = bookings.outcomes_to_tell(session)
    assert (outcome.key, outcome.booking.cancellable) == ("confirmed:", True)


def test_refresh_learns_that_the_activation_lapsed_and_frees_the_service(farm: Farm, portal: Portal) -> None:
    portal.open(RUPPERT, WOHNSITZ, "09:00", "09:30")
    first, second = alerted(farm.sessions, at("09:00"), at("09:30"))
    booking_id = tap(farm.sessions, first)
    booking.book(farm, booking_id=booking_id)
    with transaction(farm.sessions) as session, pytest.raises(bookings.BookingRefused, match="book_active"):
        bookings.request_booking(session, user_id=4711, slot_id=second)

    portal.admin("clock/advance", {"seconds": 61 * 60})  # the replica's activation time is 60 minutes
    assert booking.refresh(farm, booking_id=booking_id) == "expired"
    assert row(farm.sessions, booking_id).active_key is None
    assert tap(farm.sessions, second), "the service can be booked again"


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_workers_at_once_book_once(
    database: str, request: pytest.FixtureRequest, redis_url: str, replica_url: str, portal: Portal, tmp_path: Path
) -> None:
    database_url: str = request.getfixturevalue(f"{database}_url")
    settings = farm_settings(database_url, redis_url, replica_url, tmp_path / "evidence")
    portal.open(RUPPERT, WOHNSITZ, "09:00")
    first = Farm(settings)
    [slot_id] = alerted(first.sessions, at("09:00"))
    booking_id = tap(first.sessions, slot_id)

    start, results = threading.Barrier(2), []

    def worker(farm: Farm) -> None:
        try:
            start.wait()
            results.append(booking.book(farm, booking_id=booking_id))
        finally:
            farm.browser.close()

    threads = [threading.Thread(target=worker, args=(f,)) for f in (first, Farm(settings))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["preconfirmed", "skipped"]
    assert [p["status"] for p in portal.processes()] == ["preconfirmed"]

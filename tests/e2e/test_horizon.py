"""Issue 15 end to end: every opening reaches its subscribers, at any office, on any day of the horizon.

One farm (replica on its built-in sample, Bot API server, API, worker with Chromium, beat, bot) serves the cases
in turn; each case has its own chats, days and times, and ends with its subscriptions deleted and the replica
reset. The portal answers like the city's: times for the first bookable day only, the other days listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
import redis

from core.migrate import upgrade
from launch.processes import ProcessGroup
from telegram_replica.records import Call
from tests.conftest import REDIS_SERVER
from tests.e2e.conftest import ALERT, RUPPERT, WOHNSITZ, Farm, launch_farm, screenshot_of, wait_until

ORLEANS = 102522  # another Bürgerbüro offering Wohnsitzanmeldung, booking apart from Ruppertstraße
NAMES = {RUPPERT: "Ruppertstraße", ORLEANS: "Orleansplatz"}
MUNICH = ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Farm]:
    folder = tmp_path_factory.mktemp("horizon")
    redis_url = f"{REDIS_SERVER}/14"
    redis.Redis.from_url(redis_url).flushdb()
    database_url = f"sqlite:///{folder / 'mta.db'}"
    upgrade(database_url)
    with ProcessGroup(folder / "logs") as group:
        yield launch_farm(group, folder, dldb=None, redis_url=redis_url, database_url=database_url)


def weekday(days_ahead: int, wanted: int | None = None) -> dt.date:
    """The first day ``days_ahead`` or more from today that is a weekday (``wanted``: that weekday, Monday=0)."""
    day = dt.datetime.now(MUNICH).date() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5 or (wanted is not None and day.weekday() != wanted):
        day += dt.timedelta(days=1)
    return day


def subscribe(farm: Farm, chat: int, offices: list[int], **filters: Any) -> int:
    body = {"user_id": chat, "service_id": WOHNSITZ, "office_ids": offices, **filters}
    response = farm.api_post("/subscriptions", body)
    response.raise_for_status()
    subscription: int = response.json()["id"]
    return subscription


def open_slot(farm: Farm, office: int, day: dt.date, clock: str) -> int:
    body = {"officeId": office, "serviceId": WOHNSITZ, "date": day.isoformat(), "times": [clock]}
    opened: int = farm.admin("slots/open", body)["opened"][0]
    return opened


def close_slot(farm: Farm, office: int, timestamp: int) -> None:
    farm.admin("slots/close", {"officeId": office, "serviceId": WOHNSITZ, "timestamps": [timestamp]})


def alerts(farm: Farm, chat: int) -> list[Call]:
    return farm.telegram.said(chat, ALERT)


def _text(call: Call) -> str:
    return str(call.params.get("caption") or call.params.get("text") or "")


def alerted(farm: Farm, chat: int, count: int, *, timeout: float = 60) -> list[Call]:
    """The chat's alerts once there are ``count``; each names its office, day and time and carries the proof."""
    found: list[Call] = wait_until(
        lambda: (a := alerts(farm, chat)) and len(a) >= count and a, timeout=timeout, what=f"{count} alert(s) to {chat}"
    )
    return found


def says(call: Call, office: int, day: dt.date, clock: str) -> bool:
    text = _text(call)
    return NAMES[office] in text and day.strftime("%d.%m.%Y") in text and clock in text


def a_few_checks(farm: Farm, count: int = 3) -> None:
    """Let ``count`` more checks of the service pass: time for anything that would alert to do so."""
    seen = len(farm.calendar_requests())
    wait_until(lambda: len(farm.calendar_requests()) >= seen + count, timeout=30, what=f"{count} more checks")


@pytest.fixture
def watch(farm: Farm) -> Iterator[Callable[..., int]]:
    """Subscribe for this case; afterwards the subscriptions go and the replica forgets its slots and days."""
    made: list[int] = []

    def subscribe_for_case(chat: int, offices: list[int], **filters: Any) -> int:
        made.append(subscribe(farm, chat, offices, **filters))
        return made[-1]

    yield subscribe_for_case
    for subscription in made:
        farm.api_delete(f"/subscriptions/{subscription}")
    farm.admin("reset", {})


def test_an_office_is_not_blinded_by_another_with_an_earlier_day(farm: Farm, watch: Callable[..., int]) -> None:
    """Case 1: a new day at office B while office A, watched by someone else, has an earlier bookable day."""
    watch(101, [RUPPERT])
    watch(102, [ORLEANS])
    early, later = weekday(2), weekday(9)
    open_slot(farm, RUPPERT, early, "08:05")
    assert says(alerted(farm, 101, 1)[0], RUPPERT, early, "08:05")
    slot = open_slot(farm, ORLEANS, later, "10:05")
    [alert] = alerted(farm, 102, 1)
    assert says(alert, ORLEANS, later, "10:05"), _text(alert)
    photo = screenshot_of(farm.telegram, 102, alert)
    assert photo.files, "the alert carries the screenshot, or its reply does"
    assert photo.files[0].data.startswith(b"\x89PNG")
    a_few_checks(farm)
    assert len(alerts(farm, 101)) == 1, "nobody else"
    assert len(alerts(farm, 102)) == 1, "nothing twice"
    close_slot(farm, ORLEANS, slot)
    a_few_checks(farm)
    open_slot(farm, ORLEANS, later, "10:05")
    assert says(alerted(farm, 102, 2)[1], ORLEANS, later, "10:05"), "a re-opening alerts again"
    assert len(alerts(farm, 101)) == 1


def test_a_later_day_at_the_same_office_is_alerted(farm: Farm, watch: Callable[..., int]) -> None:
    """Case 2: a later day at an office while an earlier day there stays bookable."""
    watch(201, [RUPPERT])
    early, later = weekday(3), weekday(10)
    open_slot(farm, RUPPERT, early, "08:10")
    alerted(farm, 201, 1)
    slot = open_slot(farm, RUPPERT, later, "11:10")
    assert says(alerted(farm, 201, 2)[1], RUPPERT, later, "11:10")
    close_slot(farm, RUPPERT, slot)
    a_few_checks(farm)
    open_slot(farm, RUPPERT, later, "11:10")
    assert says(alerted(farm, 201, 3)[2], RUPPERT, later, "11:10"), "a re-opening alerts again"
    a_few_checks(farm)
    assert len(alerts(farm, 201)) == 3


def test_a_day_in_a_later_month_is_alerted(farm: Farm, watch: Callable[..., int]) -> None:
    """Case 3: a day months ahead, while an earlier day stays bookable."""
    watch(301, [ORLEANS])
    early, months_later = weekday(2), weekday(75)
    open_slot(farm, ORLEANS, early, "08:15")
    alerted(farm, 301, 1)
    open_slot(farm, ORLEANS, months_later, "09:15")
    assert says(alerted(farm, 301, 2)[1], ORLEANS, months_later, "09:15")
    a_few_checks(farm)
    assert len(alerts(farm, 301)) == 2


def test_a_wednesday_behind_an_earlier_other_day_is_alerted(farm: Farm, watch: Callable[..., int]) -> None:
    """Case 4: a Wednesday-only subscriber, and a bookable Tuesday before the Wednesday."""
    watch(401, [RUPPERT], weekdays=[2])
    tuesday = weekday(2, wanted=1)
    wednesday = tuesday + dt.timedelta(days=8)
    open_slot(farm, RUPPERT, tuesday, "08:20")
    a_few_checks(farm)
    assert alerts(farm, 401) == [], "a Tuesday is not what they asked for"
    open_slot(farm, RUPPERT, wednesday, "12:20")
    [alert] = alerted(farm, 401, 1)
    assert says(alert, RUPPERT, wednesday, "12:20")
    a_few_checks(farm)
    assert len(alerts(farm, 401)) == 1


def test_a_slot_gone_at_one_office_closes_while_another_stays_that_day(farm: Farm, watch: Callable[..., int]) -> None:
    """Case 5: B's slot goes while A stays bookable that day (behind an earlier day): it is seen gone, and its
    re-opening alerts again."""
    watch(501, [ORLEANS])
    watch(502, [RUPPERT])
    early, shared = weekday(2), weekday(12)
    open_slot(farm, RUPPERT, early, "08:25")
    alerted(farm, 502, 1)
    open_slot(farm, RUPPERT, shared, "09:25")
    slot = open_slot(farm, ORLEANS, shared, "10:25")
    assert says(alerted(farm, 501, 1)[0], ORLEANS, shared, "10:25")
    assert says(alerted(farm, 502, 2)[1], RUPPERT, shared, "09:25")
    close_slot(farm, ORLEANS, slot)
    target = next(t["id"] for t in farm.api_get("/targets") if t["office_id"] == ORLEANS)

    def seen_gone() -> bool:
        slots = farm.api_get(f"/targets/{target}/slots")
        return any(s["gone_at"] and dt.datetime.fromisoformat(s["starts_at"]).timestamp() == slot for s in slots)

    wait_until(seen_gone, timeout=30, what="the slot seen gone")
    open_slot(farm, ORLEANS, shared, "10:25")
    assert says(alerted(farm, 501, 2)[1], ORLEANS, shared, "10:25"), "the re-opening alerts again"
    a_few_checks(farm)
    assert len(alerts(farm, 502)) == 2, "A's subscriber is not told again"


def test_a_day_listed_without_a_free_time_alerts_no_one(farm: Farm, watch: Callable[..., int]) -> None:
    """The day list may name a day with no free time: its verification finds none, and nobody is alerted."""
    watch(601, [ORLEANS])
    early, empty, real = weekday(2), weekday(6), weekday(20)
    open_slot(farm, ORLEANS, early, "08:30")
    alerted(farm, 601, 1)  # the earliest day's times come with every check; the empty day is behind it
    farm.admin("days/list", {"officeId": ORLEANS, "serviceId": WOHNSITZ, "dates": [empty.isoformat()]})
    wait_until(lambda: verifications(farm, empty), timeout=30, what="the listed day verified")
    a_few_checks(farm)
    assert len(alerts(farm, 601)) == 1, "a day without a free time alerts no one"
    assert len(verifications(farm, empty)) == 1, "a day stays verified while it is listed"
    open_slot(farm, ORLEANS, real, "13:30")
    assert says(alerted(farm, 601, 2)[1], ORLEANS, real, "13:30")


def verifications(farm: Farm, day: dt.date) -> list[dict[str, Any]]:
    """The one-day calendar requests for ``day``."""
    found = []
    for request in farm.calendar_requests():
        query = parse_qs(request["query"])
        if query.get("slotsStartDate") == query.get("slotsEndDate") == [day.isoformat()]:
            found.append(request)
    return found

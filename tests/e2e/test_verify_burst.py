"""Issue 15 end to end: a burst of newly listed days under the portal's limiter (real processes, the replica's
built-in sample)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from launch.farm import start_beat
from launch.processes import ProcessGroup
from tests.e2e.conftest import RUPPERT, Farm, launch_farm, wait_until
from tests.e2e.test_horizon import ORLEANS, open_slot, subscribe, weekday

pytestmark = pytest.mark.e2e

BUERGERBUEROS = [RUPPERT, ORLEANS, 102523, 102524, 102526, 54261]  # every office of Wohnsitzanmeldung


@pytest.fixture
def limited_farm(tmp_path: Path, redis_url: str, sqlite_url: str) -> Iterator[Farm]:
    """The farm under a scaled-down limiter (10 requests, then 6 s of silence), no bot, beat not yet started."""
    with ProcessGroup(tmp_path / "logs") as group:
        yield launch_farm(
            group,
            tmp_path,
            dldb=None,
            redis_url=redis_url,
            database_url=sqlite_url,
            bot=False,
            beat=False,
            portal_rate_limit="10",
            portal_rate_silence_s="6",
            budget_margin_s="0.25",
        )


def test_a_burst_of_new_days_is_verified_most_wanted_first_without_a_429(limited_farm: Farm) -> None:
    """30 newly bookable days across the six offices at once: more than a run can verify. The days wanted by
    the most subscribers go first, the rest follow in later runs, and the limiter never refuses a request."""
    farm = limited_farm
    wanted = {office: k + 1 for k, office in enumerate(BUERGERBUEROS)}  # office k: k + 1 subscribers
    chats = iter(range(7000, 8000))
    for office, subscribers in wanted.items():
        for _ in range(subscribers):
            subscribe(farm, next(chats), [office])
    days = sorted({weekday(2 + n) for n in range(60)})[:30]
    office_of = {day: BUERGERBUEROS[n % 6] for n, day in enumerate(days)}
    for day, office in office_of.items():
        open_slot(farm, office, day, "09:00")
    farm.admin("scenario", {"limiter": {"enabled": True, "maxRequests": 10, "silenceSeconds": 6}})
    start_beat(farm.group, schedule_dir=farm.group.log_dir)

    def verified_days() -> list[dt.date]:
        return [dt.date.fromisoformat(parse_qs(r["query"])["slotsStartDate"][0]) for r in one_day_requests(farm)]

    wait_until(lambda: len(set(verified_days())) >= 29, timeout=120, what="29 days verified")
    refused = [r for r in farm.admin("requests") if r["status"] == 429]
    assert refused == [], f"{len(refused)} requests refused by the limiter"
    order = verified_days()
    assert days[0] not in order, "the horizon answer carries the first day's times: no request for it"
    assert len(order) == len(set(order)), "each day verified once"
    counts = [wanted[office_of[day]] for day in order]
    assert counts == sorted(counts, reverse=True), f"the most wanted first: {counts}"


def one_day_requests(farm: Farm) -> list[dict[str, Any]]:
    """The calendar requests for a single day, in the order the replica got them."""
    found = []
    for request in farm.calendar_requests():
        query = parse_qs(request["query"])
        if query.get("slotsStartDate") == query.get("slotsEndDate"):
            found.append(request)
    return sorted(found, key=lambda r: float(r["time"]))

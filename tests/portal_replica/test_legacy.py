"""The legacy generation (≤ muc45): *-by-office routes with singular params (docs/portal.md, "Legacy availability")."""

from __future__ import annotations

import httpx
import pytest

from portal_replica.config import ReplicaConfig
from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import API, ts


@pytest.fixture
def config() -> ReplicaConfig:
    return ReplicaConfig(generation="legacy", rate_limit_enabled=False)


QUERY = {"officeId": "10489,10503", "serviceId": "1063475", "serviceCount": "1"}


async def test_days_and_appointments(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, 1063475, day="2026-08-24", times=["09:00"])
    replica.open_slots(10503, 1063475, day="2026-08-26", times=["10:00", "10:15"])
    days = await client.get(
        f"{API}/available-days-by-office/", params={**QUERY, "startDate": "2026-08-21", "endDate": "2027-02-21"}
    )
    assert days.status_code == 200
    assert days.json() == {
        "availableDays": [
            {"time": "2026-08-24", "providerIDs": "10489"},
            {"time": "2026-08-26", "providerIDs": "10503"},
        ]
    }
    appointments = await client.get(f"{API}/available-appointments-by-office/", params={**QUERY, "date": "2026-08-26"})
    assert appointments.json() == {
        "offices": [{"officeId": "10503", "appointments": [ts("2026-08-26", "10:00"), ts("2026-08-26", "10:15")]}]
    }


async def test_nothing_free_is_404_and_calendar_route_is_gone(client: httpx.AsyncClient) -> None:
    days = await client.get(
        f"{API}/available-days-by-office/", params={**QUERY, "startDate": "2026-08-21", "endDate": "2027-02-21"}
    )
    assert days.status_code == 404
    assert days.json()["errors"] == [
        {
            "errorCode": "noAppointmentForThisDay",
            "errorMessage": "No available days found for the given criteria.",
            "statusCode": 404,
            "errorType": "info",
        }
    ]
    empty_day = await client.get(f"{API}/available-appointments-by-office/", params={**QUERY, "date": "2026-08-26"})
    assert empty_day.status_code == 404
    calendar = await client.get(f"{API}/available-calendar/", params={"officeIds": "10489"})
    assert (calendar.status_code, calendar.json()["errors"][0]["errorCode"]) == (404, "notFound")


async def test_switch_generation_at_runtime(client: httpx.AsyncClient) -> None:
    await client.post("/__replica__/scenario", json={"generation": "calendar"})
    legacy = await client.get(f"{API}/available-days-by-office/", params=QUERY)
    assert legacy.json()["errors"][0]["errorCode"] == "notFound"
    calendar = await client.get(f"{API}/available-calendar/", params={"officeIds": "10489"})
    assert calendar.status_code == 400  # the route exists again: validation errors, not notFound


async def test_listed_days_without_times(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, 1063475, day="2026-08-24", times=["09:00"])
    replica.list_days(10503, 1063475, ["2026-08-24", "2026-08-25"])
    days = await client.get(
        f"{API}/available-days-by-office/", params={**QUERY, "startDate": "2026-08-21", "endDate": "2027-02-21"}
    )
    assert days.json() == {
        "availableDays": [
            {"time": "2026-08-24", "providerIDs": "10489,10503"},
            {"time": "2026-08-25", "providerIDs": "10503"},
        ]
    }
    mixed = await client.get(f"{API}/available-appointments-by-office/", params={**QUERY, "date": "2026-08-24"})
    assert mixed.json() == {"offices": [{"officeId": "10489", "appointments": [ts("2026-08-24", "09:00")]}]}
    empty = await client.get(f"{API}/available-appointments-by-office/", params={**QUERY, "date": "2026-08-25"})
    assert (empty.status_code, empty.json()["errors"][0]["errorCode"]) == (404, "noAppointmentForThisDay")

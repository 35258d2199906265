"""available-calendar semantics (docs/portal.md, "Calendar"): painting, narrowing, Vorlauf, prev/next, errors."""

from __future__ import annotations

from typing import Any

import httpx

from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import API, ts

WOHNSITZ = 1063475


def params(**overrides: str) -> dict[str, str]:
    base = {
        "startDate": "2026-08-21",
        "endDate": "2027-02-21",
        "officeIds": "10489",
        "serviceIds": str(WOHNSITZ),
        "serviceCounts": "1",
        "slotsStartDate": "2026-08-21",
        "slotsEndDate": "2026-08-21",
    }
    base.update(overrides)
    return base


async def calendar(client: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    return await client.get(f"{API}/available-calendar/", params=params(**overrides))


def days(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["date"]: d for d in body["availableDays"]}


def open_sample(replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, day="2026-08-25", times=["09:00", "09:30"])
    replica.open_slots(10489, WOHNSITZ, day="2026-08-28", times=["10:00"])
    replica.open_slots(10489, WOHNSITZ, day="2026-09-10", times=["11:00"])


async def test_one_day_window_moves_to_first_bookable_day_and_paints_the_month(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    open_sample(replica)
    response = await calendar(client)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["startDate"] == "2026-08-21"
    assert body["endDate"] == "2027-02-21"
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-25", "2026-08-25")
    assert body["prevBookableDate"] is None
    assert body["nextBookableDate"] == "2026-09-10"
    painted = days(body)
    assert list(painted) == ["2026-08-25", "2026-08-28"]
    assert painted["2026-08-25"]["offices"] == [
        {"officeId": "10489", "appointments": [ts("2026-08-25", "09:00"), ts("2026-08-25", "09:30")]}
    ]
    assert painted["2026-08-28"] == {"date": "2026-08-28", "providerIDs": "10489", "offices": []}


async def test_multi_day_window_is_narrowed_to_its_first_bookable_day(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    open_sample(replica)
    body = (await calendar(client, slotsStartDate="2026-08-26", slotsEndDate="2026-09-30")).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-28", "2026-08-28")
    painted = days(body)
    assert list(painted) == ["2026-08-25", "2026-08-28", "2026-09-10"]
    assert painted["2026-08-25"]["offices"] == []
    assert painted["2026-08-28"]["offices"][0]["appointments"] == [ts("2026-08-28", "10:00")]
    assert painted["2026-09-10"]["offices"] == []
    assert body["prevBookableDate"] is None
    assert body["nextBookableDate"] is None


async def test_selected_day_returns_its_times_and_neighbours(client: httpx.AsyncClient, replica: Replica) -> None:
    open_sample(replica)
    replica.open_slots(10489, WOHNSITZ, day="2026-10-05", times=["08:30"])
    body = (await calendar(client, slotsStartDate="2026-09-10", slotsEndDate="2026-09-10")).json()
    assert body["slotsStartDate"] == "2026-09-10"
    assert [d["date"] for d in body["availableDays"]] == ["2026-09-10"]
    assert body["availableDays"][0]["offices"][0]["appointments"] == [ts("2026-09-10", "11:00")]
    assert body["prevBookableDate"] == "2026-08-28"
    assert body["nextBookableDate"] == "2026-10-05"


async def test_vorlauf_jumps_to_the_first_bookable_day_after_an_empty_month(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    replica.open_slots(10489, WOHNSITZ, day="2026-10-05", times=["08:30", "08:45"])
    replica.open_slots(10489, WOHNSITZ, day="2026-11-03", times=["12:00"])
    body = (await calendar(client)).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-10-05", "2026-10-05")
    assert [d["date"] for d in body["availableDays"]] == ["2026-10-05"]
    assert len(body["availableDays"][0]["offices"][0]["appointments"]) == 2
    assert body["prevBookableDate"] is None
    assert body["nextBookableDate"] == "2026-11-03"


async def test_nothing_free_is_200_with_empty_days(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, day="2026-08-21", times=["07:00"])  # already past at 08:00
    response = await calendar(client)
    assert response.status_code == 200
    assert response.json() == {
        "startDate": "2026-08-21",
        "endDate": "2027-02-21",
        "slotsStartDate": "2026-08-21",
        "slotsEndDate": "2026-08-21",
        "prevBookableDate": None,
        "nextBookableDate": None,
        "availableDays": [],
    }


async def test_shared_peers_get_each_wall_clock_time_once(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, day="2026-08-24", times=["09:00", "09:05", "09:10"])
    replica.open_slots(10503, WOHNSITZ, day="2026-08-24", times=["09:00", "09:05", "10:00"])
    body = (await calendar(client, officeIds="10489,10503")).json()
    day = body["availableDays"][0]
    assert day["providerIDs"] == "10489,10503"
    seen = [t for office in day["offices"] for t in office["appointments"]]
    expected = {ts("2026-08-24", t) for t in ["09:00", "09:05", "09:10", "10:00"]}
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


async def test_unshared_offices_keep_their_own_times(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, day="2026-08-24", times=["09:00"])
    replica.open_slots(102522, WOHNSITZ, day="2026-08-24", times=["09:00"])
    body = (await calendar(client, officeIds="10489,102522")).json()
    offices = body["availableDays"][0]["offices"]
    assert [o["officeId"] for o in offices] == ["102522", "10489"]
    assert all(o["appointments"] == [ts("2026-08-24", "09:00")] for o in offices)


async def test_slots_are_per_service(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, 1063453, day="2026-08-24", times=["09:00"])  # Reisepass only
    assert (await calendar(client)).json()["availableDays"] == []
    assert (await calendar(client, serviceIds="1063453")).json()["availableDays"] != []


async def test_missing_start_date_error_is_verbatim(client: httpx.AsyncClient) -> None:
    query = params()
    del query["startDate"]
    response = await client.get(f"{API}/available-calendar/", params=query)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "errorCode": "invalidStartDate",
                "errorMessage": "startDate is required and must be a valid date.",
                "statusCode": 400,
                "errorType": "warning",
            }
        ]
    }


async def test_validation_codes(client: httpx.AsyncClient) -> None:
    async def codes(**overrides: str) -> list[str]:
        response = await calendar(client, **overrides)
        assert response.status_code == 400
        return [e["errorCode"] for e in response.json()["errors"]]

    assert await codes(serviceCounts="26") == ["invalidServiceCount"]
    assert await codes(serviceCounts="one,two") == ["invalidServiceCount"]
    assert await codes(officeIds="abc") == ["invalidOfficeId"]
    assert await codes(serviceIds="") == ["invalidServiceId"]
    assert await codes(endDate="2027-13-01") == ["invalidEndDate"]
    assert await codes(slotsStartDate="x") == ["invalidSlotsStartDate"]
    assert await codes(slotsStartDate="2026-09-02", slotsEndDate="2026-09-01") == ["slotsStartDateAfterEndDate"]
    assert await codes(officeIds="10489,10462") == ["invalidLocationAndServiceCombination"]


async def test_range_checks_fall_back_to_unknown_error_520(client: httpx.AsyncClient) -> None:
    for overrides in ({"startDate": "2026-09-01", "endDate": "2026-08-31"}, {"endDate": "2027-09-01"}):
        response = await calendar(client, **overrides)
        assert response.status_code == 520
        assert {e["errorCode"] for e in response.json()["errors"]} == {"unknownError"}


async def test_catch_all_not_found(client: httpx.AsyncClient) -> None:
    not_found = {
        "errors": [
            {"errorCode": "notFound", "errorMessage": "Endpoint not found.", "statusCode": 404, "errorType": "error"}
        ]
    }
    for method, path in [
        ("POST", "/available-calendar/"),
        ("GET", "/available-calendar"),
        ("GET", "/available-days-by-office/"),
        ("GET", "/no-such-thing/"),
        ("DELETE", "/offices-and-services/"),
    ]:
        response = await client.request(method, API + path, params=params())
        assert response.status_code == 404, (method, path)
        assert response.json() == not_found


async def test_horizon_wide_window_paints_every_month_with_times_for_the_first_day_only(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    open_sample(replica)
    for day in ["2026-10-05", "2026-12-24", "2027-01-15", "2027-02-21", "2027-02-22"]:
        replica.open_slots(10489, WOHNSITZ, day=day, times=["10:00"])
    body = (await calendar(client, slotsStartDate="2026-08-21", slotsEndDate="2027-02-21")).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-25", "2026-08-25")
    painted = days(body)
    assert list(painted) == [
        "2026-08-25",
        "2026-08-28",
        "2026-09-10",
        "2026-10-05",
        "2026-12-24",
        "2027-01-15",
        "2027-02-21",
    ]
    assert all(day["providerIDs"] == "10489" for day in painted.values())
    assert painted["2026-08-25"]["offices"][0]["appointments"] == [ts("2026-08-25", "09:00"), ts("2026-08-25", "09:30")]
    assert all(day["offices"] == [] for date, day in painted.items() if date != "2026-08-25")
    assert (body["prevBookableDate"], body["nextBookableDate"]) == (None, None)

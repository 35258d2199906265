"""Days the day list names without a free time ("unverified" days) in available-calendar and the admin routes."""

from __future__ import annotations

import httpx

from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import ts
from tests.portal_replica.test_calendar import WOHNSITZ, calendar, days, open_sample


def times_of(body: dict[str, object]) -> list[int]:
    available = body["availableDays"]
    assert isinstance(available, list)
    return [t for day in available for office in day["offices"] for t in office["appointments"]]


async def test_listed_day_outside_the_window_names_its_office_without_times(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    open_sample(replica)
    replica.list_days(10489, WOHNSITZ, ["2026-08-27"])
    body = (await calendar(client)).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-25", "2026-08-25")
    painted = days(body)
    assert list(painted) == ["2026-08-25", "2026-08-27", "2026-08-28"]
    assert painted["2026-08-27"] == {"date": "2026-08-27", "providerIDs": "10489", "offices": []}
    assert times_of(body) == [ts("2026-08-25", "09:00"), ts("2026-08-25", "09:30")]


async def test_window_day_names_only_offices_with_times(client: httpx.AsyncClient, replica: Replica) -> None:
    open_sample(replica)
    replica.list_days(10503, WOHNSITZ, ["2026-08-25"])
    inside = days((await calendar(client, officeIds="10489,10503")).json())
    assert inside["2026-08-25"]["providerIDs"] == "10489"
    assert [o["officeId"] for o in inside["2026-08-25"]["offices"]] == ["10489"]
    window = {"slotsStartDate": "2026-08-28", "slotsEndDate": "2026-08-28"}
    outside = days((await calendar(client, officeIds="10489,10503", **window)).json())
    assert outside["2026-08-25"] == {"date": "2026-08-25", "providerIDs": "10489,10503", "offices": []}
    assert days((await calendar(client)).json())["2026-08-25"]["providerIDs"] == "10489"  # 10503 not asked


async def test_multi_day_window_narrowed_to_a_listed_day_has_no_times(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    open_sample(replica)
    replica.list_days(10489, WOHNSITZ, ["2026-08-27"])
    body = (await calendar(client, slotsStartDate="2026-08-26", slotsEndDate="2026-09-30")).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-27", "2026-08-27")
    painted = days(body)
    assert list(painted) == ["2026-08-25", "2026-08-28", "2026-09-10"]
    assert painted["2026-08-28"] == {"date": "2026-08-28", "providerIDs": "10489", "offices": []}
    assert times_of(body) == []


async def test_one_day_request_for_a_listed_day_has_no_times(client: httpx.AsyncClient, replica: Replica) -> None:
    open_sample(replica)
    replica.list_days(10489, WOHNSITZ, ["2026-08-27"])
    body = (await calendar(client, slotsStartDate="2026-08-27", slotsEndDate="2026-08-27")).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-27", "2026-08-27")
    assert list(days(body)) == ["2026-08-25", "2026-08-28"]
    assert times_of(body) == []


async def test_one_day_request_for_an_unlisted_day_moves_to_the_first_listed_day(
    client: httpx.AsyncClient, replica: Replica
) -> None:
    open_sample(replica)
    replica.list_days(10489, WOHNSITZ, ["2026-08-27"])
    body = (await calendar(client, slotsStartDate="2026-08-26", slotsEndDate="2026-08-26")).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-25", "2026-08-25")
    assert times_of(body) == [ts("2026-08-25", "09:00"), ts("2026-08-25", "09:30")]
    replica.list_days(10489, WOHNSITZ, ["2026-08-24"])  # now the first listed day carries no time
    body = (await calendar(client, slotsStartDate="2026-08-26", slotsEndDate="2026-08-26")).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-08-24", "2026-08-24")
    assert list(days(body)) == ["2026-08-25", "2026-08-27", "2026-08-28"]
    assert times_of(body) == []


async def test_vorlauf_and_neighbours_count_listed_days(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, day="2026-10-05", times=["08:30"])
    replica.list_days(10489, WOHNSITZ, ["2026-10-01", "2026-11-02", "2027-03-01"])  # the last is past endDate
    body = (await calendar(client)).json()
    assert (body["slotsStartDate"], body["slotsEndDate"]) == ("2026-10-01", "2026-10-01")
    assert body["availableDays"] == [{"date": "2026-10-05", "providerIDs": "10489", "offices": []}]
    assert (body["prevBookableDate"], body["nextBookableDate"]) == (None, "2026-11-02")


async def test_listed_day_needs_every_asked_service(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.list_days(10489, WOHNSITZ, ["2026-08-27"])
    assert (await calendar(client, serviceIds=f"{WOHNSITZ},1063453", serviceCounts="1,1")).json()["availableDays"] == []
    replica.list_days(10489, 1063453, ["2026-08-27"])
    body = (await calendar(client, serviceIds=f"{WOHNSITZ},1063453", serviceCounts="1,1")).json()
    assert body["slotsStartDate"] == "2026-08-27"
    assert body["availableDays"] == []


async def test_admin_routes_list_and_unlist_days(client: httpx.AsyncClient) -> None:
    listed = await client.post(
        "/__replica__/days/list",
        json={"officeId": 10489, "serviceId": WOHNSITZ, "dates": ["2026-08-28", "2026-08-27", "2026-08-28"]},
    )
    assert listed.status_code == 200
    assert listed.json() == {"listed": ["2026-08-27", "2026-08-28"]}
    other = {"officeId": 10503, "serviceId": WOHNSITZ, "dates": ["2026-09-01"]}
    assert (await client.post("/__replica__/days/list", json=other)).json() == {"listed": ["2026-09-01"]}
    state = (await client.get("/__replica__/state")).json()
    assert state["listedDays"][0] == {"officeId": 10489, "serviceId": WOHNSITZ, "date": "2026-08-27"}
    assert len(state["listedDays"]) == 3
    body = (await calendar(client, slotsStartDate="2026-08-28", slotsEndDate="2026-08-28")).json()
    assert body["availableDays"] == [{"date": "2026-08-27", "providerIDs": "10489", "offices": []}]

    wrong = await client.post("/__replica__/days/list", json={"officeId": 10462, "serviceId": WOHNSITZ, "dates": []})
    assert wrong.status_code == 400
    bad_date = {"officeId": 10489, "serviceId": WOHNSITZ, "dates": ["2026-13-01"]}
    assert (await client.post("/__replica__/days/list", json=bad_date)).status_code == 400

    unlisted = await client.post("/__replica__/days/unlist", json={"officeId": 10489})
    assert unlisted.json() == {"unlisted": 2}
    assert (await calendar(client)).json()["availableDays"] == []
    await client.post("/__replica__/reset")
    assert (await client.get("/__replica__/state")).json()["listedDays"] == []
    assert (await client.post("/__replica__/days/unlist", json={})).json() == {"unlisted": 0}

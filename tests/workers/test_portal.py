"""Reading the portal's answers: values for slots, typed failures otherwise.

See docs/portal.md, "Calendar", "Legacy availability" and "Errors".
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from core.slots import SeenSlot
from workers.portal import (
    PortalBlocked,
    PortalChanged,
    PortalDown,
    backend_failure,
    calendar_from,
    calendar_url,
    page_catalogue,
    parse_calendar,
    parse_legacy_day,
    parse_legacy_days,
    raise_for_answer,
)

# The verbatim expected body of the city's AvailableCalendarControllerTest::testRendering.
CALENDAR = {
    "startDate": "2024-08-21",
    "endDate": "2024-08-23",
    "slotsStartDate": "2024-08-21",
    "slotsEndDate": "2024-08-23",
    "prevBookableDate": None,
    "nextBookableDate": None,
    "availableDays": [
        {
            "date": "2024-08-22",
            "providerIDs": "9999998",
            "offices": [{"officeId": "9999998", "appointments": [32526616522]}],
        },
        {
            "date": "2024-08-23",
            "providerIDs": "9999998",
            "offices": [{"officeId": "9999998", "appointments": [32526616622, 32526616652]}],
        },
    ],
}


WINDOW = (dt.date(2024, 8, 21), dt.date(2024, 8, 23))
OFFICE = 9999998


def test_the_city_calendar_answer_reads_as_three_slots() -> None:
    seen = parse_calendar(CALENDAR, url="u", office_ids=[OFFICE], window=WINDOW)
    assert len(seen.slots) == 3
    assert {s.office_id for s in seen.slots} == {OFFICE}
    assert seen.listed == {(dt.date(2024, 8, 22), OFFICE), (dt.date(2024, 8, 23), OFFICE)}
    assert seen.timed == {(dt.date(2024, 8, d), OFFICE) for d in (21, 22, 23)}, "the whole slots window, timed"


def test_nothing_free_is_a_value_not_an_error() -> None:
    seen = parse_calendar({**CALENDAR, "availableDays": []}, url="u", office_ids=[OFFICE], window=WINDOW)
    assert not seen.slots
    assert not seen.listed


@pytest.mark.parametrize(
    "body",
    [
        {"offices": []},
        [],
        "<html>",
        {**CALENDAR, "availableDays": [{"date": "x"}]},
        {**CALENDAR, "slotsStartDate": None},
        {**CALENDAR, "availableDays": [{"date": "2024-08-22", "providerIDs": "9999998"}]},  # no "offices": not []
        {**CALENDAR, "availableDays": [{"date": "2024-08-22", "providerIDs": "1", "offices": [{"officeId": "1"}]}]},
    ],
)
def test_an_answer_of_another_shape_means_the_portal_changed(body: object) -> None:
    with pytest.raises(PortalChanged):
        parse_calendar(body, url="u", office_ids=[OFFICE], window=WINDOW)


def _horizon_answer() -> dict[str, object]:
    """Two offices over a horizon of three months: times for the first bookable day only, the other days listed
    with their offices (the city's answer to a slots window over the whole horizon)."""
    first = SeenSlot(dt.datetime(2030, 1, 8, 8, tzinfo=dt.UTC), 1)
    return {
        "startDate": "2030-01-07",
        "endDate": "2030-04-07",
        "slotsStartDate": "2030-01-08",
        "slotsEndDate": "2030-01-08",
        "prevBookableDate": None,
        "nextBookableDate": None,
        "availableDays": [
            {
                "date": "2030-01-08",
                "providerIDs": "1",
                "offices": [{"officeId": "1", "appointments": [int(first.starts_at.timestamp())]}],
            },
            {"date": "2030-01-09", "providerIDs": "1,2", "offices": []},
            {"date": "2030-03-20", "providerIDs": "2", "offices": []},
        ],
    }


def test_a_horizon_answer_lists_every_office_day_and_times_only_the_first() -> None:
    horizon = (dt.date(2030, 1, 7), dt.date(2030, 4, 7))
    seen = parse_calendar(_horizon_answer(), url="u", office_ids=[1, 2], window=horizon)
    assert (seen.painted_from, seen.painted_to) == horizon, "the day list covers every month of the window"
    assert seen.timed == {(dt.date(2030, 1, 8), 1), (dt.date(2030, 1, 8), 2)}
    assert seen.unverified() == {(dt.date(2030, 1, 9), 1), (dt.date(2030, 1, 9), 2), (dt.date(2030, 3, 20), 2)}
    slot_at_2 = SeenSlot(dt.datetime(2030, 1, 9, 9, tzinfo=dt.UTC), 2)
    assert not seen.shows_gone(slot_at_2), "listed but not timed: neither seen nor gone"
    assert seen.shows_gone(SeenSlot(dt.datetime(2030, 1, 8, 9, tzinfo=dt.UTC), 2)), "timed: office 2 had none"
    assert seen.shows_gone(SeenSlot(dt.datetime(2030, 3, 20, 9, tzinfo=dt.UTC), 1)), "painted, office 1 not listed"
    verified = seen.verified_by(
        parse_calendar(
            {**_horizon_answer(), "slotsStartDate": "2030-01-09", "slotsEndDate": "2030-01-09", "availableDays": []},
            url="u",
            office_ids=[1, 2],
            window=(dt.date(2030, 1, 9), dt.date(2030, 1, 9)),
        )
    )
    assert verified.shows_gone(slot_at_2), "a verification without times proves the office day empty"
    assert verified.listed == seen.listed, "a verification's day list is not taken"


def test_a_later_month_is_painted_where_the_portal_moved_the_window() -> None:
    """A one-day window in a month without bookable days jumps to the first bookable day after it."""
    body = {**_horizon_answer(), "slotsStartDate": "2030-03-20", "slotsEndDate": "2030-03-20", "availableDays": []}
    seen = parse_calendar(body, url="u", office_ids=[2], window=(dt.date(2030, 2, 3), dt.date(2030, 2, 3)))
    assert (seen.painted_from, seen.painted_to) == (dt.date(2030, 3, 1), dt.date(2030, 3, 31))


@pytest.mark.parametrize(
    ("status", "code", "failure"),
    [
        (429, "rateLimitExceeded", PortalBlocked),
        (403, "IP_BLACKLISTED", PortalBlocked),
        (503, "serviceUnavailable", PortalDown),
        (520, "unknownError", PortalDown),
        (400, "invalidStartDate", PortalChanged),
    ],
)
def test_error_answers_become_typed_failures(status: int, code: str, failure: type[Exception]) -> None:
    body = {"errors": [{"errorCode": code, "statusCode": status, "errorMessage": "…", "errorType": "error"}]}
    with pytest.raises(failure, match=code):
        raise_for_answer(url="u", status=status, body=body)


def test_a_400_without_the_portals_errors_is_a_backend_failure_behind_the_gateway() -> None:
    """Issue 18: the city's gateway answers a backend 5xx with a generic 400 body; the portal's own 400s name
    their error codes."""
    gateway = {"status": 400, "error": "Bad Request"}
    assert backend_failure(400, gateway)
    assert not backend_failure(400, {"errors": [{"errorCode": "invalidStartDate", "statusCode": 400}]})
    with pytest.raises(PortalDown, match="backend failure"):
        raise_for_answer(url="u", status=400, body=gateway)


def test_one_request_asks_for_every_office_over_the_whole_horizon() -> None:
    url = calendar_url("https://portal/api", office_ids=[10489, 10503], service_id=1063475, today=dt.date(2026, 8, 21))
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/api/available-calendar/"
    assert query["officeIds"] == ["10489,10503"]
    assert query["slotsStartDate"] == query["startDate"] == ["2026-08-21"]
    assert query["slotsEndDate"] == query["endDate"] == ["2027-02-20"]


def test_a_verification_asks_for_one_day_like_a_person_picking_it() -> None:
    day = dt.date(2026, 10, 7)
    url = calendar_url("https://p/api", office_ids=[10489], service_id=1063475, today=dt.date(2026, 8, 21), day=day)
    query = parse_qs(urlsplit(url).query)
    assert query["slotsStartDate"] == query["slotsEndDate"] == ["2026-10-07"]
    assert query["startDate"] == ["2026-08-21"]


def test_the_page_is_shown_the_finding_day_of_its_target() -> None:
    seen = parse_calendar(
        _horizon_answer(), url="u", office_ids=[1, 2], window=(dt.date(2030, 1, 7), dt.date(2030, 4, 7))
    )
    later = SeenSlot(dt.datetime(2030, 3, 20, 9, tzinfo=dt.UTC), 2)
    verified = seen.verified_by(type(seen)(frozenset({later}), timed=frozenset({later.office_day}))).only_offices([2])
    body = calendar_from(verified, today=dt.date(2030, 1, 7), day=dt.date(2030, 3, 20))
    assert body["slotsStartDate"] == body["slotsEndDate"] == "2030-03-20"
    assert body["availableDays"] == [
        {"date": "2030-01-09", "providerIDs": "2", "offices": []},
        {
            "date": "2030-03-20",
            "providerIDs": "2",
            "offices": [{"officeId": "2", "appointments": [int(later.starts_at.timestamp())]}],
        },
    ]


def test_the_page_gets_the_catalogue_of_its_service_only() -> None:
    catalogue = {
        "offices": [
            {"id": 10489, "sharedBookingOfficeIds": [10489, 10503]},
            {"id": 10503, "sharedBookingOfficeIds": None},  # a peer that does not offer the service itself
            {"id": 102522},
            {"id": 99},  # offers only another service
        ],
        "services": [{"id": 1, "combinable": [1, 2]}, {"id": 2, "combinable": []}, {"id": 3, "combinable": []}],
        "relations": [
            {"officeId": 10489, "serviceId": 1},
            {"officeId": 102522, "serviceId": 2},
            {"officeId": 99, "serviceId": 3},
        ],
    }
    cut = page_catalogue(catalogue, 1)
    assert [o["id"] for o in cut["offices"]] == [10489, 102522, 10503]
    assert [s["id"] for s in cut["services"]] == [1, 2]
    assert cut["relations"] == catalogue["relations"][:2]
    assert page_catalogue({"offices": None, "services": [{"id": "x"}]}, 1) == {
        "offices": [],
        "services": [],
        "relations": [],
    }


def test_the_legacy_generation_reads_the_same_way() -> None:
    days = {
        "availableDays": [{"time": "2024-08-22", "providerIDs": "9999998"}, {"time": "2024-09-02", "providerIDs": "1"}]
    }
    appointments = {"offices": [{"officeId": "9999998", "appointments": [1724313600]}]}
    listed = parse_legacy_days(days, url="u", today=dt.date(2024, 8, 21))
    assert listed.listed == {(dt.date(2024, 8, 22), OFFICE), (dt.date(2024, 9, 2), 1)}
    assert listed.painted_to == dt.date(2025, 2, 20), "the legacy day list covers the whole horizon"
    seen = listed.verified_by(parse_legacy_day(appointments, url="u", day=dt.date(2024, 8, 22), office_ids=[OFFICE, 1]))
    assert len(seen.slots) == 1
    assert seen.unverified() == {(dt.date(2024, 9, 2), 1)}
    for changed in ({}, {"offices": [{"officeId": "1"}]}, None):  # a missing key is a change, never "nothing free"
        with pytest.raises(PortalChanged):
            parse_legacy_day(changed, url="u", day=dt.date(2024, 8, 22), office_ids=[1])

"""Reading the portal's answers (PORTAL.md §2.4.2, §2.4.2b, §2.5): values for slots, typed failures otherwise."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from workers.portal import (
    PortalBlocked,
    PortalChanged,
    PortalDown,
    calendar_url,
    page_calendar,
    page_catalogue,
    parse_calendar,
    parse_legacy,
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


def test_the_city_calendar_answer_reads_as_three_slots() -> None:
    seen = parse_calendar(CALENDAR, url="u")
    assert len(seen.slots) == 3
    assert {s.office_id for s in seen.slots} == {9999998}
    assert seen.bookable_days == {dt.date(2024, 8, 22), dt.date(2024, 8, 23)}


def test_nothing_free_is_a_value_not_an_error() -> None:
    seen = parse_calendar({**CALENDAR, "availableDays": []}, url="u")
    assert not seen.slots
    assert not seen.bookable_days


@pytest.mark.parametrize("body", [{"offices": []}, [], "<html>", {"availableDays": [{"date": "x"}]}])
def test_an_answer_of_another_shape_means_the_portal_changed(body: object) -> None:
    with pytest.raises(PortalChanged):
        parse_calendar(body, url="u")


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


def test_one_request_asks_for_every_office_like_the_city_page() -> None:
    url = calendar_url("https://portal/api", office_ids=[10489, 10503], service_id=1063475, today=dt.date(2026, 8, 21))
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/api/available-calendar/"
    assert query["officeIds"] == ["10489,10503"]
    assert query["slotsStartDate"] == query["slotsEndDate"] == ["2026-08-21"]
    assert query["endDate"] == ["2027-02-20"]


def test_a_coalesced_answer_is_cut_down_to_one_target_for_its_page() -> None:
    body = {
        "availableDays": [
            {"date": "2030-01-02", "providerIDs": "1,2", "offices": [{"officeId": "1", "appointments": [1]}]},
            {"date": "2030-01-03", "providerIDs": "2", "offices": []},
        ]
    }
    cut = page_calendar(body, [1])
    assert cut["availableDays"] == [
        {"date": "2030-01-02", "providerIDs": "1", "offices": [{"officeId": "1", "appointments": [1]}]}
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
    days = {"availableDays": [{"time": "2024-08-22", "providerIDs": "9999998"}]}
    appointments = {"offices": [{"officeId": "9999998", "appointments": [32526616522]}]}
    seen = parse_legacy(days, appointments, day=dt.date(2024, 8, 22), url="u")
    assert len(seen.slots) == 1
    assert seen.bookable_days == {dt.date(2024, 8, 22)}

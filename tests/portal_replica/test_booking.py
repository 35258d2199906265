"""Reserve → update → preconfirm → confirm → read → cancel, the outbox, the per-mail cap and expiry."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx

from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import API, Clock, ts

WOHNSITZ = 1063475
SLOT = "2026-08-24"


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{API}/{path}/", json=body)


async def reserve(client: httpx.AsyncClient, timestamp: int, office_id: int = 10489) -> httpx.Response:
    body = {"timestamp": timestamp, "serviceCount": [1], "officeId": office_id, "serviceId": [str(WOHNSITZ)]}
    return await post(client, "reserve-appointment", body)


def codes(response: httpx.Response) -> list[str]:
    return [e["errorCode"] for e in response.json()["errors"]]


async def free_times(client: httpx.AsyncClient) -> list[int]:
    query = {
        "startDate": "2026-08-21",
        "endDate": "2027-02-21",
        "officeIds": "10489",
        "serviceIds": str(WOHNSITZ),
        "serviceCounts": "1",
    }
    body = (await client.get(f"{API}/available-calendar/", params=query)).json()
    return [t for day in body["availableDays"] for o in day["offices"] for t in o["appointments"]]


async def booked(client: httpx.AsyncClient, timestamp: int, email: str) -> dict[str, Any]:
    process = (await reserve(client, timestamp)).json()
    creds = {"processId": process["processId"], "authKey": process["authKey"]}
    contact = {**creds, "familyName": "Max Mustermann", "email": email, "telephone": "+491701234567"}
    assert (await post(client, "update-appointment", contact)).status_code == 200
    return creds


async def test_full_lifecycle_with_outbox(client: httpx.AsyncClient, replica: Replica) -> None:
    nine = ts(SLOT, "09:00")
    replica.open_slots(10489, WOHNSITZ, [nine, ts(SLOT, "09:15")])

    response = await reserve(client, nine)
    assert response.status_code == 200
    process = response.json()
    assert process["status"] == "reserved"
    assert process["timestamp"] == str(nine)
    assert re.fullmatch(r"[0-9a-f]{64}", process["authKey"])
    assert process["email"] == "test@muenchen.de"
    assert process["officeId"] == 10489
    assert process["scope"]["id"] == 10489
    assert await free_times(client) == [ts(SLOT, "09:15")]
    assert codes(await reserve(client, nine)) == ["appointmentNotAvailable"]

    creds = {"processId": process["processId"], "authKey": process["authKey"]}
    bad = await post(client, "update-appointment", {**creds, "familyName": "", "email": "max+1@example.org"})
    assert bad.status_code == 400
    assert codes(bad) == ["invalidFamilyName", "invalidEmail"]
    contact = {**creds, "familyName": "Max Mustermann", "email": "max@example.org", "telephone": "+491701234567"}
    updated = (await post(client, "update-appointment", contact)).json()
    assert (updated["status"], updated["familyName"], updated["email"]) == (
        "reserved",
        "Max Mustermann",
        "max@example.org",
    )

    preconfirmed = await post(client, "preconfirm-appointment", creds)
    assert preconfirmed.json()["status"] == "preconfirmed"
    [mail] = (await client.get("/__replica__/outbox")).json()
    assert mail["to"] == "max@example.org"
    prefix = "http://replica.test/buergerservice/terminvereinbarung.html#/appointment/confirm/"
    assert mail["link"].startswith(prefix)
    assert mail["link"] in mail["body"]
    decoded = json.loads(base64.b64decode(mail["link"][len(prefix) :]))
    assert decoded == {"id": str(process["processId"]), "authKey": process["authKey"]}

    confirmed = await post(client, "confirm-appointment", creds)
    assert confirmed.json()["status"] == "confirmed"
    assert codes(await post(client, "confirm-appointment", creds)) == ["processNotPreconfirmedAnymore"]
    read = await client.get(f"{API}/appointment/", params=creds)
    assert read.json()["status"] == "confirmed"
    wrong = await client.get(f"{API}/appointment/", params={**creds, "authKey": "0" * 64})
    assert (wrong.status_code, codes(wrong)) == (406, ["authKeyMismatch"])

    cancelled = await post(client, "cancel-appointment", creds)
    assert cancelled.json()["status"] == "deleted"
    gone = await client.get(f"{API}/appointment/", params=creds)
    assert (gone.status_code, codes(gone)) == (404, ["appointmentNotFound"])
    assert await free_times(client) == [nine, ts(SLOT, "09:15")]
    kinds = [m["kind"] for m in (await client.get("/__replica__/outbox")).json()]
    assert kinds == ["activation", "confirmation", "cancellation"]
    [listed] = (await client.get("/__replica__/processes")).json()
    assert listed["status"] == "deleted"


async def test_per_mail_limit(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, [ts(SLOT, "09:00"), ts(SLOT, "10:00")])
    first = await booked(client, ts(SLOT, "09:00"), "anna@example.org")
    assert (await post(client, "preconfirm-appointment", first)).status_code == 200
    second = await booked(client, ts(SLOT, "10:00"), "Anna@example.org")
    refused = await post(client, "preconfirm-appointment", second)
    assert (refused.status_code, codes(refused)) == (406, ["tooManyAppointmentsWithSameMail"])


async def test_preconfirm_needs_an_email(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, [ts(SLOT, "09:00")])
    process = (await reserve(client, ts(SLOT, "09:00"))).json()
    response = await post(client, "preconfirm-appointment", {k: process[k] for k in ("processId", "authKey")})
    assert (response.status_code, codes(response)) == (406, ["emailIsRequired"])


async def test_reservation_expires_and_frees_the_slot(
    client: httpx.AsyncClient, replica: Replica, clock: Clock
) -> None:
    nine = ts(SLOT, "09:00")
    replica.open_slots(10489, WOHNSITZ, [nine])
    creds = await booked(client, nine, "eva@example.org")
    assert await free_times(client) == []
    clock.now += 16 * 60  # reservationDuration 15 minutes
    late = await post(client, "preconfirm-appointment", creds)
    assert (late.status_code, codes(late)) == (409, ["processNotReservedAnymore"])
    assert (await client.get(f"{API}/appointment/", params=creds)).status_code == 404
    assert await free_times(client) == [nine]


async def test_activation_expires(client: httpx.AsyncClient, replica: Replica, clock: Clock) -> None:
    replica.open_slots(10489, WOHNSITZ, [ts(SLOT, "09:00")])
    creds = await booked(client, ts(SLOT, "09:00"), "eva@example.org")
    assert (await post(client, "preconfirm-appointment", creds)).status_code == 200
    clock.now += 61 * 60  # activationDuration 60 minutes
    late = await post(client, "confirm-appointment", creds)
    assert (late.status_code, codes(late)) == (400, ["preconfirmationExpired"])


async def test_reserve_validation(client: httpx.AsyncClient, replica: Replica) -> None:
    replica.open_slots(10489, WOHNSITZ, [ts(SLOT, "09:00")])
    past = await reserve(client, ts("2026-08-21", "07:00"))
    assert (past.status_code, codes(past)) == (400, ["invalidTimestamp"])
    wrong_office = await reserve(client, ts(SLOT, "09:00"), office_id=10462)
    assert codes(wrong_office) == ["invalidLocationAndServiceCombination"]
    not_json = await client.post(f"{API}/reserve-appointment/", content=b"x", headers={"content-type": "text/plain"})
    assert (not_json.status_code, codes(not_json)) == (400, ["invalidRequest"])
    empty = await post(client, "reserve-appointment", {})
    assert codes(empty) == ["invalidOfficeId", "invalidServiceId", "invalidTimestamp", "invalidServiceCount"]

"""offices-and-services from the DLDB export, and the built-in sample (docs/portal.md, "Catalogue", "Real IDs")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from tests.portal_replica.replica_helpers import API, client_for


def office(body: dict[str, Any], office_id: int) -> dict[str, Any]:
    return next(o for o in body["offices"] if o["id"] == office_id)


@pytest.mark.usefixtures("city_catalogue")
async def test_catalogue_from_dldb(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/offices-and-services/", params={"serviceId": "1063475", "locationId": "10489"})
    assert response.status_code == 200
    body = response.json()
    assert (len(body["offices"]), len(body["services"])) == (109, 287)
    ruppert = office(body, 10489)
    assert ruppert["name"] == "Bürgerbüro Ruppertstraße"
    assert ruppert["sharedBookingOfficeIds"] == [10489, 10503, 10500, 10491]
    assert ruppert["allowDisabledServicesMix"] == [10489, 10491, 10500, 10502]
    assert ruppert["disabledByServices"] == [1063453, 1063441, 1080582]
    assert ruppert["slotTimeInMinutes"] == 5
    assert ruppert["address"]["street"] == "Ruppertstraße"
    assert ruppert["scope"]["captchaActivatedRequired"] is False
    assert ruppert["scope"]["provider"]["name"] == "Bürgerbüro Ruppertstraße (KVR-II/22)"
    assert office(body, 10461)["scope"]["captchaActivatedRequired"] is True
    assert office(body, 10187259)["scope"]["captchaActivatedRequired"] is True
    assert office(body, 10462)["slotTimeInMinutes"] == 15
    assert office(body, 102522)["sharedBookingOfficeIds"] is None
    relations = {(r["officeId"], r["serviceId"]): r for r in body["relations"]}
    assert relations[(10489, 1063475)]["slots"] == 3
    assert relations[(10502, 1063453)]["slots"] == 1
    assert (10491, 1063475) not in relations
    assert {s["id"]: s["name"] for s in body["services"]}[1063475] == "Wohnsitzanmeldung"


async def test_builtin_sample_when_no_dldb_path() -> None:
    async with client_for(create_app(ReplicaConfig(dldb_path=None))) as client:
        body = (await client.get(f"{API}/offices-and-services/")).json()
    ids = {o["id"] for o in body["offices"]}
    assert ids == {10489, 10503, 102522, 102523, 102524, 102526, 54261, 10462, 10461, 10308175, 10308013}
    assert office(body, 10489)["sharedBookingOfficeIds"] == [10489, 10503]
    assert office(body, 10461)["scope"]["captchaActivatedRequired"] is True
    pairs = {(r["officeId"], r["serviceId"]) for r in body["relations"]}
    assert {(10489, 1063475), (10503, 1063475), (10462, 1064101), (10461, 10339028)} <= pairs
    assert {r["serviceId"] for r in body["relations"]} == {s["id"] for s in body["services"]}

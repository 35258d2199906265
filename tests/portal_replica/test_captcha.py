"""ALTCHA v1 / v2 round trips, the IP-bound token and its enforcement (docs/portal.md, "Captcha").

The challenges are solved here independently of the replica's own helper, from the maths in docs/portal.md, "Captcha".
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import httpx
from fastapi import FastAPI

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from portal_replica.replica import Replica
from tests.city import city_fixture
from tests.portal_replica.replica_helpers import API, DLDB, Clock, client_for, ts

NOTFALL, SZE = 10339028, 10461


def solve_v2(challenge: dict[str, Any]) -> dict[str, Any]:
    p = challenge["parameters"]
    for counter in range(100_000):
        data = bytes.fromhex(p["salt"]) + bytes.fromhex(p["nonce"]) + counter.to_bytes(4, "big")
        for _ in range(p["cost"]):
            data = hashlib.sha256(data).digest()
        key = data[: p["keyLength"]].hex()
        if key.startswith(p["keyPrefix"]):
            return {"challenge": challenge, "solution": {"counter": counter, "derivedKey": key, "time": 5}}
    raise AssertionError("unsolvable")


def solve_v1(challenge: dict[str, Any]) -> dict[str, Any]:
    for number in range(challenge["maxnumber"] + 1):
        if hashlib.sha256(f"{challenge['salt']}{number}".encode()).hexdigest() == challenge["challenge"]:
            keys = ("algorithm", "challenge", "salt", "signature")
            return {**{k: challenge[k] for k in keys}, "number": number, "took": 5}
    raise AssertionError("unsolvable")


async def verify(client: httpx.AsyncClient, solved: dict[str, Any]) -> httpx.Response:
    payload = base64.b64encode(json.dumps(solved).encode()).decode()
    return await client.post(f"{API}/captcha-verify/", json={"payload": payload})


async def token_for(client: httpx.AsyncClient) -> str:
    challenge = (await client.get(f"{API}/captcha-challenge/")).json()
    solved = solve_v2(challenge) if "parameters" in challenge else solve_v1(challenge)
    body = (await verify(client, solved)).json()
    assert body["meta"] == {"success": True}
    assert body["data"] == {"valid": True}
    token: str = body["token"]
    return token


async def sze_calendar(client: httpx.AsyncClient, token: str | None = None) -> httpx.Response:
    query = {
        "startDate": "2026-08-21",
        "endDate": "2027-02-21",
        "officeIds": str(SZE),
        "serviceIds": str(NOTFALL),
        "serviceCounts": "1",
    }
    if token is not None:
        query["captchaToken"] = token
    return await client.get(f"{API}/available-calendar/", params=query)


def codes(response: httpx.Response) -> list[str]:
    return [e["errorCode"] for e in response.json()["errors"]]


async def test_a_challenge_has_the_shape_of_the_citys(client: httpx.AsyncClient) -> None:
    expected = json.loads(city_fixture("GET_captcha_challenge.json").read_text(encoding="utf-8"))
    challenge = (await client.get(f"{API}/captcha-challenge/")).json()
    assert set(challenge) == set(expected)
    assert set(challenge["parameters"]) == set(expected["parameters"])


async def test_v2_round_trip_and_enforcement(client: httpx.AsyncClient, replica: Replica, clock: Clock) -> None:
    replica.open_slots(SZE, NOTFALL, day="2026-08-24", times=["09:00"])
    missing = await sze_calendar(client)
    assert (missing.status_code, codes(missing)) == (400, ["captchaMissing"])
    assert codes(await sze_calendar(client, "not.a.jwt")) == ["captchaInvalid"]

    challenge = (await client.get(f"{API}/captcha-challenge/")).json()
    assert challenge["parameters"]["algorithm"] == "SHA-256"

    solved = solve_v2(challenge)
    body = (await verify(client, solved)).json()
    header, claims, _ = body["token"].split(".")
    pad = "=" * (-len(claims) % 4)
    decoded = json.loads(base64.urlsafe_b64decode(claims + pad))
    assert decoded["ip"] == "127.0.0.1"
    assert decoded["exp"] - decoded["iat"] == 300
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "HS256"

    allowed = await sze_calendar(client, body["token"])
    assert allowed.status_code == 200
    assert allowed.json()["availableDays"][0]["offices"][0]["officeId"] == str(SZE)

    clock.now += 301
    assert codes(await sze_calendar(client, body["token"])) == ["captchaExpired"]
    assert (await client.get("/__replica__/counters")).json()["captchaChallenges"] == 1


async def test_wrong_solution_is_refused_with_200(client: httpx.AsyncClient) -> None:
    challenge = (await client.get(f"{API}/captcha-challenge/")).json()
    solved = solve_v2(challenge)
    solved["solution"]["counter"] += 1
    response = await verify(client, solved)
    assert response.status_code == 200
    assert response.json()["meta"] == {"success": False, "error": "Captcha verification failed"}
    forged = solve_v2(challenge)
    forged["challenge"]["parameters"]["keyPrefix"] = ""
    assert (await verify(client, forged)).json()["meta"]["success"] is False


async def test_token_is_bound_to_the_client_ip(app: FastAPI, replica: Replica) -> None:
    replica.open_slots(SZE, NOTFALL, day="2026-08-24", times=["09:00"])
    async with client_for(app, "10.1.1.1") as first, client_for(app, "10.1.1.2") as second:
        token = await token_for(first)
        assert (await sze_calendar(first, token)).status_code == 200
        assert codes(await sze_calendar(second, token)) == ["captchaInvalid"]


async def test_v1_round_trip_and_reserve(client: httpx.AsyncClient, replica: Replica) -> None:
    await client.post("/__replica__/scenario", json={"captchaVersion": "v1"})
    challenge = (await client.get(f"{API}/captcha-challenge/")).json()
    assert set(challenge) == {"algorithm", "challenge", "maxnumber", "salt", "signature"}
    nine = ts("2026-08-24", "09:00")
    replica.open_slots(SZE, NOTFALL, [nine])
    reserve = {"timestamp": nine, "serviceCount": [1], "officeId": SZE, "serviceId": [NOTFALL]}
    refused = await client.post(f"{API}/reserve-appointment/", json=reserve)
    assert codes(refused) == ["captchaMissing"]
    token = await token_for(client)
    reserved = await client.post(f"{API}/reserve-appointment/", json={**reserve, "captchaToken": token})
    assert reserved.status_code == 200
    assert reserved.json()["captchaToken"] == token
    assert (await client.get("/__replica__/counters")).json()["captchaChallenges"] == 2


async def test_offices_without_captcha_need_no_token(client: httpx.AsyncClient) -> None:
    details = (await client.get(f"{API}/captcha-details/")).json()
    assert details["captchaEnabled"] is True
    query = {
        "startDate": "2026-08-21",
        "endDate": "2027-02-21",
        "officeIds": "10489",
        "serviceIds": "1063475",
        "serviceCounts": "1",
    }
    assert (await client.get(f"{API}/available-calendar/", params=query)).status_code == 200


def difficulty_of(challenge: dict[str, Any]) -> int:
    return int(challenge["parameters"]["cost"] if "parameters" in challenge else challenge["maxnumber"])


async def test_the_difficulty_follows_the_city_services_map_from_the_nth_visit(client: httpx.AsyncClient) -> None:
    """Issue 20: captchaservice's documented example, 1,000 from the first visit and 10,000 from the tenth."""
    costs = [difficulty_of((await client.get(f"{API}/captcha-challenge/")).json()) for _ in range(11)]
    assert costs == [1000] * 9 + [10000] * 2


async def test_visits_are_counted_per_network_over_a_sliding_window(clock: Clock) -> None:
    config = ReplicaConfig(
        dldb_path=DLDB,
        rate_limit_enabled=False,
        captcha_difficulty=[(2, 10), (3, 50)],  # below every step: the fallback
        captcha_difficulty_fallback=7,
        captcha_window_s=60,
        captcha_ipv4_net_size=24,
    )
    app = create_app(replica=Replica(config, clock=clock))

    async def visit(ip: str) -> int:
        async with client_for(app, ip) as client:
            return difficulty_of((await client.get(f"{API}/captcha-challenge/")).json())

    assert [await visit("10.1.1.1"), await visit("10.1.1.2"), await visit("10.1.1.3")] == [7, 10, 50]
    assert await visit("10.1.2.1") == 7, "another /24 network counts on its own"
    clock.now += 30
    assert await visit("10.1.1.4") == 50, "the window still holds the three"
    clock.now += 31  # the first three visits leave the window; the one 31 s ago stays
    assert await visit("10.1.1.5") == 10

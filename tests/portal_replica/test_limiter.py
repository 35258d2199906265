"""The rate limiter (docs/portal.md, "Limiter"), scaled down to 3 requests / 1 s of silence."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from portal_replica.config import ReplicaConfig
from portal_replica.limiter import RateLimiter
from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import API, Clock, client_for

URL = f"{API}/captcha-details/"


@pytest.fixture
def config() -> ReplicaConfig:
    return ReplicaConfig(rate_limit_max_requests=3, rate_limit_silence_seconds=1.0)


async def test_headers_count_down_and_the_fourth_request_is_refused(client: httpx.AsyncClient, clock: Clock) -> None:
    seen = []
    for _ in range(3):
        response = await client.get(URL)
        assert response.status_code == 200
        seen.append((response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]))
        assert response.headers["X-RateLimit-Reset"] == str(int(clock.now + 1))
        clock.now += 0.2
    assert seen == [("3", "1"), ("3", "0"), ("3", "0")]
    refused = await client.get(URL)
    assert refused.status_code == 429
    assert refused.json() == {
        "errors": [
            {
                "errorCode": "rateLimitExceeded",
                "errorMessage": "Rate limit exceeded. Please try again later.",
                "statusCode": 429,
                "errorType": "warning",
            }
        ]
    }
    assert not any(h.lower().startswith("x-ratelimit") for h in refused.headers)


async def test_count_resets_only_after_silence_since_last_counted_request(
    client: httpx.AsyncClient, clock: Clock, replica: Replica
) -> None:
    for _ in range(3):
        assert (await client.get(URL)).status_code == 200
        clock.now += 0.4  # 0.4 s apart: never a full second of silence
    # last counted request at +0.8; refusals at +1.2 and +1.6 must not extend the lifetime
    assert (await client.get(URL)).status_code == 429
    clock.now += 0.4
    assert (await client.get(URL)).status_code == 429
    clock.now += 0.25  # +1.85: 1.05 s after the last counted request
    response = await client.get(URL)
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "1"
    counters = (await client.get("/__replica__/counters")).json()
    assert counters["rateLimited"] == 2
    assert [r["status"] for r in counters["rateLimitedRequests"]] == [429, 429]


async def test_no_fixed_window_and_refusals_do_not_extend(client: httpx.AsyncClient, clock: Clock) -> None:
    statuses = []
    for _ in range(8):
        statuses.append((await client.get(URL)).status_code)
        clock.now += 0.3
    # counted at 0, .3, .6; refused at .9, 1.2 (a fixed 1 s window would allow it), 1.5;
    # allowed again at 1.8, 1.2 s after the last counted request (refusals did not extend the lifetime)
    assert statuses == [200, 200, 200, 429, 429, 429, 200, 200]


async def test_every_api_path_counts_but_page_and_admin_do_not(app: FastAPI, clock: Clock) -> None:
    async with client_for(app) as client:
        for _ in range(5):
            await client.get("/__replica__/state")
            await client.get("/buergerservice/terminvereinbarung.html")
        assert (await client.get(f"{API}/nope/")).status_code == 404
        assert (await client.get(URL)).status_code == 200
        assert (await client.post(f"{API}/available-calendar/")).status_code == 404
        assert (await client.get(URL)).status_code == 429


async def test_limits_are_per_ip(app: FastAPI) -> None:
    async with client_for(app, "10.0.0.1") as first, client_for(app, "10.0.0.2") as second:
        for _ in range(3):
            assert (await first.get(URL)).status_code == 200
        assert (await first.get(URL)).status_code == 429
        assert (await second.get(URL)).status_code == 200


async def test_disabled_and_reconfigured_via_admin(client: httpx.AsyncClient) -> None:
    await client.post("/__replica__/scenario", json={"limiter": {"enabled": False}})
    for _ in range(6):
        response = await client.get(URL)
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    await client.post("/__replica__/scenario", json={"limiter": {"enabled": True, "maxRequests": 1}})
    assert (await client.get(URL)).status_code == 200
    assert (await client.get(URL)).status_code == 429


def test_limiter_unit_semantics() -> None:
    limiter = RateLimiter(max_requests=2, silence_seconds=10)
    assert limiter.hit("a", 0).allowed
    assert limiter.hit("a", 9).allowed
    assert not limiter.hit("a", 18).allowed  # 9 s after the last counted one
    assert not limiter.hit("a", 18.9).allowed
    decision = limiter.hit("a", 19)  # 10 s after the last counted one
    assert decision.allowed
    assert decision.headers["X-RateLimit-Reset"] == "29"


def test_default_limits_are_the_citys() -> None:
    limiter = Replica(ReplicaConfig()).limiter
    assert (limiter.max_requests, limiter.silence_seconds, limiter.enabled) == (60, 60.0, True)

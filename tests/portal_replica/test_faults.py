"""Scenario faults: outage (503 / hang), maintenance, blacklist, malformed answers, 429 storm; request log."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import API, Clock, client_for
from tests.portal_replica.test_process import free_port

URL = f"{API}/offices-and-services/"


@pytest.fixture
def config() -> ReplicaConfig:
    return ReplicaConfig(hang_cap_seconds=0.3, rate_limit_max_requests=1000)


async def scenario(client: httpx.AsyncClient, **body: object) -> None:
    response = await client.post("/__replica__/scenario", json=body)
    assert response.status_code == 200, response.text


def code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["errorCode"])


async def test_outage_503_and_maintenance(client: httpx.AsyncClient) -> None:
    await scenario(client, outage="503")
    down = await client.get(URL)
    assert (down.status_code, code(down)) == (503, "zmsClientCommunicationError")
    await scenario(client, outage=None, maintenance=True)
    maintenance = await client.get(f"{API}/available-calendar/")
    assert (maintenance.status_code, code(maintenance)) == (503, "serviceUnavailable")
    await scenario(client, maintenance=False)
    assert (await client.get(URL)).status_code == 200


async def test_blacklist(app: FastAPI) -> None:
    async with client_for(app, "10.9.8.7") as listed, client_for(app, "192.168.1.5") as other:
        await scenario(other, blacklist=["10.0.0.0/8"])
        refused = await listed.get(URL)
        assert (refused.status_code, code(refused)) == (403, "IP_BLACKLISTED")
        assert (await other.get(URL)).status_code == 200


async def test_malformed_answers(client: httpx.AsyncClient) -> None:
    await scenario(client, malformed="html")
    page = await client.get(URL)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.lstrip().startswith("<!DOCTYPE html>")
    await scenario(client, malformed="json")
    other = await client.get(URL)
    assert other.status_code == 200
    assert "offices" not in other.json()
    await scenario(client, malformed=None)
    assert "offices" in (await client.get(URL)).json()


async def test_429_storm_ends(client: httpx.AsyncClient, clock: Clock) -> None:
    await scenario(client, stormSeconds=5)
    statuses = {(await client.get(URL)).status_code for _ in range(4)}
    assert statuses == {429}
    clock.now += 6
    assert (await client.get(URL)).status_code == 200
    assert (await client.get("/__replica__/counters")).json()["rateLimited"] == 4


async def test_hang_until_the_mode_ends(client: httpx.AsyncClient, config: ReplicaConfig) -> None:
    config.hang_cap_seconds = 30
    await scenario(client, outage="hang")
    pending = asyncio.create_task(client.get(URL))
    await asyncio.sleep(0.3)
    assert not pending.done()
    await scenario(client, outage=None)
    response = await asyncio.wait_for(pending, timeout=10)
    assert response.status_code == 200


async def test_a_hang_that_turns_into_503_answers_503(client: httpx.AsyncClient, config: ReplicaConfig) -> None:
    config.hang_cap_seconds = 30
    await scenario(client, outage="hang")
    pending = asyncio.create_task(client.get(URL))
    await asyncio.sleep(0.2)
    await scenario(client, outage="503")
    response = await asyncio.wait_for(pending, timeout=10)
    assert (response.status_code, code(response)) == (503, "zmsClientCommunicationError")


async def test_hang_cap_answers_503(client: httpx.AsyncClient) -> None:
    await scenario(client, outage="hang")
    response = await asyncio.wait_for(client.get(URL), timeout=10)
    assert (response.status_code, code(response)) == (503, "zmsClientCommunicationError")


async def test_request_log_and_reset(client: httpx.AsyncClient) -> None:
    await client.get(URL, params={"serviceId": "1063475", "locationId": "10489"})
    await client.get(f"{API}/nope/")
    log = (await client.get("/__replica__/requests")).json()
    assert [(r["method"], r["path"], r["status"], r["ip"]) for r in log] == [
        ("GET", URL, 200, "127.0.0.1"),
        ("GET", f"{API}/nope/", 404, "127.0.0.1"),
    ]
    assert log[0]["query"] == "serviceId=1063475&locationId=10489"
    await scenario(client, outage="503")
    await client.post("/__replica__/reset")
    assert (await client.get(URL)).status_code == 200
    assert len((await client.get("/__replica__/requests")).json()) == 1


def test_a_hanging_request_ends_when_its_client_gives_up() -> None:
    """Behind a proxy the portal stops working on a request whose client went away: the log shows when it came
    and when it ended (499), so a test can tell how many requests the portal worked on at once."""
    replica = Replica(ReplicaConfig(hang_cap_seconds=30))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(replica=replica), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        httpx.post(f"{base}/__replica__/scenario", json={"outage": "hang"}, timeout=5).raise_for_status()
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{base}{URL}", timeout=1.0)
        time.sleep(0.5)  # the replica notices the closed connection within its polling step
        [hung] = httpx.get(f"{base}/__replica__/requests", timeout=5).json()
        assert hung["status"] == 499
        assert 1.0 <= hung["time"] - hung["arrived"] < 1.4, "it ended with its client, not with the outage"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

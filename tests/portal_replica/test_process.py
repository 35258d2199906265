"""``python -m portal_replica`` as a real process, the admin routes over HTTP, and REPLICA_ settings."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portal_replica.config import ReplicaConfig
from tests.portal_replica.replica_helpers import API, DLDB

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served() -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-m", "portal_replica", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--dldb", str(DLDB)] if DLDB else []
    process = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{url}/__replica__/state", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    raise RuntimeError(process.stdout.read().decode() if process.stdout else "exited") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cli_process_with_admin_routes(served: str) -> None:
    with httpx.Client(base_url=served, timeout=5) as client:
        opened = client.post(
            "/__replica__/slots/open",
            json={"officeId": 10489, "serviceId": 1063475, "date": "2099-03-02", "times": ["09:00", "09:15"]},
        )
        assert opened.status_code == 200
        assert len(opened.json()["opened"]) == 2
        refused = client.post("/__replica__/slots/open", json={"officeId": 10462, "serviceId": 1063475})
        assert refused.status_code == 400
        query = {
            "startDate": "2099-03-01",
            "endDate": "2099-08-31",
            "officeIds": "10489,10503",
            "serviceIds": "1063475",
            "serviceCounts": "1",
            "slotsStartDate": "2099-03-01",
            "slotsEndDate": "2099-03-01",
        }
        body = client.get(f"{API}/available-calendar/", params=query).json()
        assert body["slotsStartDate"] == "2099-03-02"
        assert body["availableDays"][0]["offices"][0]["appointments"] == opened.json()["opened"]
        assert client.post("/__replica__/slots/close", json={"officeId": 10489}).json() == {"closed": 2}
        offices = client.get(f"{API}/offices-and-services/").json()["offices"]
        assert len(offices) == (109 if DLDB else 11), "the city's catalogue where present, else the sample"
        assert 'base-url="/buergeransicht/api/citizen"' in client.get("/buergerservice/terminvereinbarung.html").text


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPLICA_DLDB_PATH", "/srv/dldb")
    monkeypatch.setenv("REPLICA_GENERATION", "legacy")
    monkeypatch.setenv("REPLICA_RATE_LIMIT_MAX_REQUESTS", "10")
    monkeypatch.setenv("REPLICA_PAGE_API_BASE", "https://www48.example/buergeransicht/api/citizen")
    config = ReplicaConfig()
    assert config.dldb_path == Path("/srv/dldb")
    assert (config.generation, config.rate_limit_max_requests) == ("legacy", 10)
    assert config.page_api_base.startswith("https://www48.example/")


async def test_page_on_another_host_can_call_the_api() -> None:
    from portal_replica.app import create_app
    from tests.portal_replica.replica_helpers import client_for

    app = create_app(ReplicaConfig(page_api_base="https://www48.example/buergeransicht/api/citizen"))
    async with client_for(app) as client:
        page = await client.get("/buergerservice/terminvereinbarung.html")
        assert 'base-url="https://www48.example/buergeransicht/api/citizen"' in page.text
        preflight = await client.options(
            f"{API}/reserve-appointment/",
            headers={
                "Origin": "https://stadt.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        answer = await client.get(f"{API}/captcha-details/", headers={"Origin": "https://stadt.example"})
        assert answer.headers["access-control-allow-origin"] == "*"

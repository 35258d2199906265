"""The booking page in Debian's Chromium against a uvicorn-served replica (docs/portal.md, "Booking page")."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from portal_replica.replica import Replica
from portal_replica.slots import BERLIN
from tests.portal_replica.replica_helpers import DLDB
from tests.portal_replica.test_process import free_port

CHROMIUM = "/usr/lib/chromium/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE = "/buergerservice/terminvereinbarung.html"


@dataclass
class Served:
    url: str
    replica: Replica


@pytest.fixture
def served() -> Iterator[Served]:
    replica = Replica(ReplicaConfig(dldb_path=DLDB))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(replica=replica), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            threading.Event().wait(0.05)
        yield Served(f"http://127.0.0.1:{port}", replica)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


def calendar_requests(replica: Replica) -> list[dict[str, list[str]]]:
    return [parse_qs(r["query"]) for r in replica.requests() if r["path"].endswith("/available-calendar/")]


async def test_booking_page_drives_like_the_citys(served: Served, browser: Browser, tmp_path: Path) -> None:
    replica = served.replica
    today = datetime.now(BERLIN).date()
    target = today + timedelta(days=3)
    replica.open_slots(10489, 1063475, day=target, times=["09:00", "09:30"])
    replica.open_slots(10503, 1063475, day=target, times=["09:00", "10:00"])
    page = await browser.new_page(viewport={"width": 1100, "height": 900})
    root = page.locator("#zms-appointment")

    await page.goto(f"{served.url}{PAGE}#/services/1063475/locations/10489")
    await page.wait_for_selector("#zms-appointment[data-state='service-ready']", timeout=15000)
    await asyncio.sleep(0.5)
    paths = [r["path"].rsplit("/", 2)[-2] for r in replica.requests()]
    assert paths == ["offices-and-services"]
    assert parse_qs(replica.requests()[0]["query"]) == {"serviceId": ["1063475"], "locationId": ["10489"]}
    assert calendar_requests(replica) == []
    assert await page.get_by_text("Wohnsitzanmeldung").count() >= 1
    for text in ["abc", "x" * 119]:  # the pure-JS SHA-256 used outside secure contexts
        js = await page.evaluate("t => ReplicaAltcha.hex(ReplicaAltcha.sha256js(new TextEncoder().encode(t)))", text)
        assert js == hashlib.sha256(text.encode()).hexdigest()

    await page.get_by_role("button", name="Weiter").click()
    await page.wait_for_selector("#zms-appointment[data-state='calendar-ready']", timeout=15000)
    [query] = calendar_requests(replica)
    six_months = date(today.year + (today.month + 5) // 12, (today.month + 5) % 12 + 1, 1)
    assert query["officeIds"] == ["10489,10503"]
    assert query["serviceIds"] == ["1063475"]
    assert query["serviceCounts"] == ["1"]
    assert query["startDate"] == query["slotsStartDate"] == query["slotsEndDate"] == [today.isoformat()]
    assert query["endDate"][0].startswith(six_months.isoformat()[:7])
    times = await root.locator("button.time").all_inner_texts()
    assert times == ["09:00", "09:30", "10:00"]
    selected = root.locator("button.day[aria-pressed='true']")
    assert await selected.get_attribute("data-date") == target.isoformat()
    shot = tmp_path / "calendar.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    await page.get_by_role("button", name="09:30").click()
    await page.get_by_role("button", name="Weiter").click()
    await page.wait_for_selector("#zms-appointment[data-state='reserved']", timeout=15000)
    [process] = replica.processes()
    assert (process["officeId"], process["status"]) == (10489, "reserved")
    assert datetime.fromtimestamp(process["timestamp"], BERLIN).strftime("%H:%M") == "09:30"

    # hashchange to an office that requires the captcha: the widget solves it in the browser
    replica.open_slots(10461, 10339028, day=target, times=["11:00"])
    await page.evaluate("location.hash = '#/services/10339028/locations/10461'")
    await page.wait_for_selector("[data-captcha='verified']", timeout=30000)
    assert replica.counters()["captchaChallenges"] == 1
    await page.get_by_role("button", name="Weiter").click()
    await page.wait_for_selector("#zms-appointment[data-state='calendar-ready']", timeout=15000)
    last = calendar_requests(replica)[-1]
    assert last["officeIds"] == ["10461"]
    assert last["captchaToken"][0].count(".") == 2
    assert await root.locator("button.time").all_inner_texts() == ["11:00"]
    async with httpx.AsyncClient() as client:
        statuses = [r["status"] for r in (await client.get(f"{served.url}/__replica__/requests")).json()]
    assert 400 not in statuses

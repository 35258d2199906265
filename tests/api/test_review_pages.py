"""The review pages in real Chromium against the API process: grid, thumbnails, filters, detail, verdict, status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import ConsoleMessage, Page, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_sessionmaker, transaction
from core.heartbeats import beat
from core.models import Check
from launch.processes import ProcessGroup
from tests.api.conftest import OTHER_OFFICE, TOKEN, api_env, record_error, record_finding, start_api, subscribe

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def seeded(sqlite_url: str, evidence_dir: Path) -> Iterator[tuple[sessionmaker[Session], dict[str, list[int]]]]:
    """Two findings at Ruppertstraße, one at the other office, and an error check."""
    engine = make_engine(sqlite_url)
    sessions = make_sessionmaker(engine)
    here, there = subscribe(sessions, user_id=1), subscribe(sessions, user_id=2, office_id=OTHER_OFFICE)
    checks = {
        "here": [
            record_finding(sessions, evidence_dir, target_id=here, hour=h, colour=(20 * h, 90, 160)) for h in (9, 10)
        ],
        "there": [record_finding(sessions, evidence_dir, target_id=there, colour=(10, 160, 40))],
        "error": [record_error(sessions, evidence_dir, target_id=here)],
        "targets": [here, there],
    }
    yield sessions, checks
    engine.dispose()


@pytest.fixture
def api_url(process_group: ProcessGroup, sqlite_url: str, private_redis_url: str, evidence_dir: Path) -> str:
    return start_api(process_group, api_env(sqlite_url, private_redis_url, evidence_dir))


@pytest.fixture
def page() -> Iterator[tuple[Page, list[str]]]:
    """A Chromium page and the console errors and page errors it collects."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)
            page.on("console", on_console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            yield page, problems
        finally:
            browser.close()


def card_ids(page: Page) -> list[int]:
    return [int(i) for i in page.locator("#findings li").evaluate_all("cards => cards.map(c => c.dataset.checkId)")]


def thumbnails_loaded(page: Page) -> list[bool]:
    for image in page.locator("img.thumb").all():
        image.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    return page.locator("img.thumb").evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")


def filter_by(page: Page, **choices: str) -> None:
    for name, value in choices.items():
        page.select_option(f"#filters select[name={name}]", value)
    page.click("#filters button[type=submit]")
    page.wait_for_load_state()


def test_review_pages_in_chromium(
    api_url: str,
    seeded: tuple[sessionmaker[Session], dict[str, list[int]]],
    page: tuple[Page, list[str]],
    private_redis_url: str,
) -> None:
    sessions, checks = seeded
    browser, problems = page
    beat(redis.Redis.from_url(private_redis_url), worker="worker@farm:4242", browsers_open=1, checks_done=17)

    browser.goto(f"{api_url}/review")
    assert browser.url.startswith(f"{api_url}/review/login")
    browser.fill("input[name=token]", TOKEN)
    browser.click("button[type=submit]")
    browser.wait_for_url(f"{api_url}/review")

    findings = sorted(checks["here"] + checks["there"], reverse=True)
    assert card_ids(browser) == findings, "the grid shows the findings, newest first"
    assert thumbnails_loaded(browser) == [True] * len(findings), "every thumbnail loads"

    here, there = checks["targets"]
    filter_by(browser, target_id=str(there))
    assert card_ids(browser) == checks["there"]
    filter_by(browser, target_id="", outcome="error")
    assert card_ids(browser) == checks["error"]
    filter_by(browser, outcome="slots", target_id=str(here))
    assert card_ids(browser) == sorted(checks["here"], reverse=True)

    chosen = checks["here"][0]
    browser.click(f"#findings li[data-check-id='{chosen}'] a")
    browser.wait_for_url(f"{api_url}/review/checks/{chosen}")
    screenshot = browser.locator("#screenshot")
    screenshot.scroll_into_view_if_needed()
    browser.wait_for_load_state("networkidle")
    assert screenshot.evaluate("i => i.complete && i.naturalWidth") == 1280, "the full screenshot loads"
    raw = browser.locator("pre.raw").first.inner_text()
    assert '"availableDays": [\n' in raw, "the raw JSON is pretty-printed"
    assert "Started" in browser.locator("table.facts").inner_text()

    browser.fill("input[name=reviewer]", "tester")
    browser.click("#false-positive")
    browser.wait_for_url(f"{api_url}/review/checks/{chosen}")
    browser.reload()
    assert browser.locator("#verdict").inner_text() == "false positive"
    assert "by tester" in browser.locator("#reviewed").inner_text()
    with transaction(sessions) as session:
        check = session.get(Check, chosen)
        assert check is not None
        assert (check.verdict, check.reviewed_by) == ("false_positive", "tester")
        assert check.reviewed_at is not None

    browser.goto(f"{api_url}/review")
    filter_by(browser, verdict="false_positive")
    assert card_ids(browser) == [chosen], "the verdict filter finds the marked finding"
    filter_by(browser, verdict="unreviewed")
    assert chosen not in card_ids(browser)

    browser.goto(f"{api_url}/review/status")
    assert "worker@farm:4242" in browser.locator("#workers").inner_text()
    assert browser.locator("#portal .state").inner_text() == "up"

    assert problems == [], "no console errors"

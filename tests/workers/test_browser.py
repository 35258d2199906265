"""The worker's browser: operations that Playwright gives no timeout are bounded all the same (real Chromium)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from browser_profiles import load_profile
from core.portal_state import breaker_state
from core.settings import Settings
from workers.breaker import portal_breaker
from workers.browser import BrowserGone, BrowserLimits, BrowserUnavailable, WarmBrowser

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]  # pydantic-settings init arg
SPIN = "() => setTimeout(() => { for (;;) {} })"  # the page's only thread, busy for ever


@pytest.fixture
def browser() -> Iterator[WarmBrowser]:
    browser = WarmBrowser(
        profile=load_profile(),
        executable=SETTINGS.chromium_path,
        contact="tests@example.org",
        limits=replace(BrowserLimits.of(SETTINGS), timeout_s=5.0),
    )
    yield browser
    browser.close()


def route_on_a_spinning_page(browser: WarmBrowser) -> None:
    with browser.page() as page:
        page.evaluate(SPIN)
        with browser.bounded("routing", 1.0):
            page.route("**/never", lambda route: route.abort())  # waits on the renderer, which never answers


def test_a_call_without_a_timeout_on_a_hung_page_kills_the_browser_and_the_next_page_comes_from_a_new_one(
    browser: WarmBrowser,
) -> None:
    started = time.monotonic()
    with pytest.raises(BrowserGone, match="hung routing"):
        route_on_a_spinning_page(browser)
    assert time.monotonic() - started < 5.0, "the watchdog ended the wait"

    with browser.page() as page:
        page.set_content("<p>a new browser</p>")
        assert page.text_content("p") == "a new browser"
    assert browser.launches == 2


def test_a_bounded_call_that_ends_in_time_leaves_the_browser_alone(browser: WarmBrowser) -> None:
    with browser.page() as page, browser.bounded("evaluating", 0.3):
        assert page.evaluate("() => 6 * 7") == 42
    time.sleep(0.6)  # past the bound: the timer was cancelled with the block
    assert browser.open
    with browser.page() as page:
        assert page.evaluate("() => 1") == 1
    assert browser.launches == 1


def test_a_browser_that_cannot_start_is_no_portal_failure(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    breaker = portal_breaker(client, portal="example", fail_max=2, probe_s=60, probe_max_s=60)

    def launch() -> None:
        raise BrowserUnavailable("no Chromium")

    for _ in range(5):
        with pytest.raises(BrowserUnavailable):
            breaker.call(launch)
    assert breaker_state(client, "example") == "closed"


def test_a_missing_chromium_is_named_with_its_fix(tmp_path: Path) -> None:
    browser = WarmBrowser(
        profile=load_profile(),
        executable=str(tmp_path / "nothing"),
        contact="ops@example.org",
        limits=BrowserLimits.of(SETTINGS),
    )
    with pytest.raises(BrowserUnavailable, match="MTA_CHROMIUM_PATH"), browser.page():
        pass
    browser.close()

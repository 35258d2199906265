"""The alert never waits for its screenshot (issue 16): it leaves as text when the screenshot is late or never
comes, the screenshot follows as a reply, and a failed render is recorded, counted and shown to the operator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launch.broken_page import broken_page
from launch.processes import ProcessGroup
from tests.e2e.conftest import (
    ALERT,
    AUTH,
    RUPPERT,
    WOHNSITZ,
    Farm,
    launch_farm,
    next_weekday,
    screenshot_of,
    wait_until,
)

CHAT = 8101
BROWSER_TIMEOUT_S = 3.0

pytestmark = pytest.mark.e2e


@pytest.fixture
def maintenance_page() -> Iterator[str]:
    with broken_page() as url:
        yield url


def _farm(group: ProcessGroup, folder: Path, redis_url: str, sqlite_url: str, **settings: str) -> Farm:
    farm = launch_farm(group, folder, dldb=None, redis_url=redis_url, database_url=sqlite_url, **settings)
    body = {"user_id": CHAT, "service_id": WOHNSITZ, "office_ids": [RUPPERT]}
    farm.api_post("/subscriptions", body).raise_for_status()
    return farm


def test_an_alert_leaves_as_text_when_the_page_never_renders(
    tmp_path: Path, redis_url: str, sqlite_url: str, maintenance_page: str
) -> None:
    with ProcessGroup(tmp_path / "logs") as group:
        farm = _farm(
            group,
            tmp_path,
            redis_url,
            sqlite_url,
            portal_page_url=maintenance_page,
            browser_timeout_s=str(BROWSER_TIMEOUT_S),
            page_changed_after="1",
        )
        farm.admin(
            "slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(3), "times": ["10:00"]}
        )
        [alert] = farm.telegram.wait_for_said(CHAT, ALERT, timeout=60)
        assert alert.method == "sendMessage", "no screenshot to wait for: the alert is text"
        target = farm.api_get("/targets")[0]["id"]
        [finding] = [c for c in farm.api_get(f"/targets/{target}/checks?limit=500") if c["outcome"] == "slots"]
        recorded = dt.datetime.fromisoformat(finding["finished_at"]).timestamp()
        assert alert.time - recorded < BROWSER_TIMEOUT_S, "the alert did not wait for the render to fail"

        failed = wait_until(
            lambda: farm.api_get(f"/checks/{finding['id']}")["render_error"], timeout=30, what="the failure recorded"
        )
        assert "Timeout" in failed or "Weiter" in failed, failed
        review = httpx.get(f"{farm.api}/review/checks/{finding['id']}", headers=AUTH, timeout=10)
        assert "not made:" in review.text, "the review page shows why there is no screenshot"
        assert farm.api_get("/portal")["page"] == "changed", "the operator is told the booking page changed"
        assert "changed" in httpx.get(f"{farm.api}/review/status", headers=AUTH, timeout=10).text
        metrics = httpx.get(f"{farm.api}/metrics", headers=AUTH, timeout=10).text
        assert "mta_render_failures_total 1.0" in metrics, "the failure is counted"
        assert farm.telegram.replies_to(CHAT, int(alert.result["message_id"])) == [], "no picture to follow"
        assert len(farm.telegram.said(CHAT, ALERT)) == 1


def test_a_late_screenshot_follows_its_alert_as_a_reply(tmp_path: Path, redis_url: str, sqlite_url: str) -> None:
    with ProcessGroup(tmp_path / "logs") as group:
        farm = _farm(group, tmp_path, redis_url, sqlite_url, alert_photo_wait_s="0")  # every render is late
        farm.admin(
            "slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(3), "times": ["11:00"]}
        )
        [alert] = farm.telegram.wait_for_said(CHAT, ALERT, timeout=60)
        photo = screenshot_of(farm.telegram, CHAT, alert)
        assert photo.files, "the screenshot follows"
        assert photo.files[0].data.startswith(b"\x89PNG")
        assert photo.method == "sendPhoto"
        assert "The city's booking page, as seen" in str(photo.params.get("caption"))
        seen = len(farm.calendar_requests())
        wait_until(lambda: len(farm.calendar_requests()) >= seen + 3, timeout=30, what="three more checks")
        assert len(farm.telegram.said(CHAT, ALERT)) == 1, "one alert, never two"
        assert len(farm.telegram.replies_to(CHAT, int(alert.result["message_id"]))) == 1, "one picture"

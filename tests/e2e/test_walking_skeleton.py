"""Issue 2 end to end: /watch in the bot → a slot opens → exactly one photo alert → reopen → one more."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from telegram_replica.records import Call
from tests.e2e.conftest import ALERT, AUTH, RUPPERT, WOHNSITZ, Farm, next_weekday, screenshot_of, wait_until

CHAT = 5001

pytestmark = pytest.mark.e2e


def alerts(farm: Farm) -> list[Call]:
    return farm.telegram.said(CHAT, ALERT)


def checks_of(farm: Farm, target_id: int) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = farm.api_get(f"/targets/{target_id}/checks?limit=500")
    return checks


def watch_and_alert(farm: Farm) -> None:
    farm.telegram.send_text(CHAT, f"/watch {WOHNSITZ} {RUPPERT}", user_id=CHAT)
    reply = farm.telegram.wait_for_calls("sendMessage", CHAT, timeout=30)[0]
    assert "Watching" in reply.params["text"]
    target = wait_until(lambda: farm.api_get("/targets"), timeout=10, what="target exists")[0]
    assert (target["service_id"], target["office_id"]) == (WOHNSITZ, RUPPERT)

    day = next_weekday(2)
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": day, "times": ["10:00"]})
    alert = farm.telegram.wait_for_said(CHAT, ALERT, timeout=60)[0]
    photo = screenshot_of(farm.telegram, CHAT, alert)
    assert photo.files, "the alert carries the screenshot, or its reply does"
    assert photo.files[0].data.startswith(b"\x89PNG")
    link = f"https://stadt.muenchen.de/buergerservice/terminvereinbarung.html#/services/{WOHNSITZ}/locations/{RUPPERT}"
    assert link in str(alert.params.get("caption") or alert.params.get("text"))

    found = [c for c in checks_of(farm, target["id"]) if c["outcome"] == "slots"]
    assert found, "the API lists the check that found the slot"
    shot = httpx.get(str(found[-1]["screenshot_url"]), headers=AUTH)
    assert shot.status_code == 200
    assert shot.content.startswith(b"\x89PNG")
    # The evidence bundle: the raw answer, the screenshot and (made after the alert) its thumbnail, each hashed.
    check_id = found[-1]["id"]

    def whole_bundle() -> list[dict[str, Any]] | None:
        evidence: list[dict[str, Any]] = farm.api_get(f"/checks/{check_id}")["evidence"]
        return evidence if len(evidence) == 3 else None

    bundle = wait_until(whole_bundle, timeout=30, what="the thumbnail joins the evidence")
    assert sorted(e["kind"] for e in bundle) == ["raw_json", "screenshot", "thumbnail"]
    for item in bundle:
        data = httpx.get(item["url"]).content
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert len(data) == item["size"]

    # The slot stays open for several more checks: no second message.
    seen = len(checks_of(farm, target["id"]))
    wait_until(lambda: len(checks_of(farm, target["id"])) >= seen + 3, timeout=60, what="three more checks")
    assert len(alerts(farm)) == 1

    # It closes, a check sees it gone, it re-opens: exactly one more message.
    farm.admin("slots/close", {"officeId": RUPPERT, "serviceId": WOHNSITZ})
    wait_until(
        lambda: any(s["gone_at"] for s in farm.api_get(f"/targets/{target['id']}/slots")),
        timeout=60,
        what="the slot seen gone",
    )
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": day, "times": ["10:00"]})
    farm.telegram.wait_for_said(CHAT, ALERT, count=2, timeout=60)
    seen = len(checks_of(farm, target["id"]))
    wait_until(lambda: len(checks_of(farm, target["id"])) >= seen + 2, timeout=60, what="two more checks")
    assert len(alerts(farm)) == 2


def test_watch_alert_once_and_again_after_reopen_sqlite(start_farm: Callable[..., Farm], sqlite_url: str) -> None:
    watch_and_alert(start_farm(sqlite_url))


@pytest.mark.postgres
def test_watch_alert_once_and_again_after_reopen_postgres(start_farm: Callable[..., Farm], postgres_url: str) -> None:
    watch_and_alert(start_farm(postgres_url))

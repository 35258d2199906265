"""Issue 2: the shared breaker keeps every worker process off a portal in outage; bad input stores nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis

from core.portal_state import breaker_namespace
from launch.farm import start_worker
from tests.e2e.conftest import AUTH, RUPPERT, WOHNSITZ, Farm, wait_until

pytestmark = pytest.mark.e2e
RESET_S = 15
QUIET_S = RESET_S * 0.9 - 1  # the first trial comes after RESET_S, less its jitter of up to a tenth


def breaker_opened_at(client: redis.Redis, farm: Farm) -> float | None:
    portal = farm.replica.split("://", 1)[1]
    raw = client.get(f"{breaker_namespace(portal)}:pybreaker:opened_at")
    state = client.get(f"{breaker_namespace(portal)}:pybreaker:state")
    return float(raw) if raw and state == b"open" else None


def test_outage_opens_the_shared_breaker_and_spares_the_portal(
    start_farm: Callable[..., Farm], sqlite_url: str, redis_url: str
) -> None:
    farm = start_farm(
        sqlite_url, bot=False, breaker_fail_max="3", breaker_probe_s=str(RESET_S), breaker_reset_s=str(RESET_S)
    )
    farm.api_post("/subscriptions", {"user_id": 1, "service_id": WOHNSITZ, "office_ids": [RUPPERT]}).raise_for_status()
    target = farm.api_get("/targets")[0]["id"]

    def checks() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = farm.api_get(f"/targets/{target}/checks?limit=500")
        return found

    wait_until(lambda: any(c["outcome"] == "no_slots" for c in checks()), timeout=60, what="a healthy check")
    farm.admin("scenario", {"outage": "503"})
    client = redis.Redis.from_url(redis_url)
    opened_at = wait_until(lambda: breaker_opened_at(client, farm), timeout=60, what="breaker open")
    tripped_by = {c["worker"] for c in checks() if c["outcome"] == "error"}

    # A worker process that never saw a failure takes over: it must see the open breaker in Redis.
    farm.group.stop("worker")
    quiet_from = time.time()
    start_worker(farm.group, name="fresh", concurrency=1)
    time.sleep(max(0.0, opened_at + QUIET_S - time.time()))

    during = [r for r in farm.calendar_requests() if quiet_from <= r["time"] < opened_at + QUIET_S]
    assert not during, f"{len(during)} calendar requests reached the portal while the breaker was open"
    refused = [c for c in checks() if "breaker open" in (c["error"] or "")]
    fresh = {c["worker"] for c in refused} - tripped_by
    assert fresh, "the fresh worker process refused checks because of the breaker others opened"

    farm.admin("scenario", {"outage": None})
    wait_until(
        lambda: (
            breaker_opened_at(client, farm) is None
            and any(c["outcome"] == "no_slots" and c["started_at"] > refused[-1]["started_at"] for c in checks())
        ),
        timeout=RESET_S + 30,
        what="checks succeed and the breaker closes after the reset timeout",
    )


def test_bad_input_gets_a_clear_answer_and_stores_nothing(start_farm: Callable[..., Farm], sqlite_url: str) -> None:
    farm = start_farm(sqlite_url, beat=False)
    chat = 7001
    farm.telegram.send_text(chat, "/watch Quantenphysik 10489", user_id=chat)
    farm.telegram.send_text(chat, f"/watch {WOHNSITZ} 99999999", user_id=chat)
    farm.telegram.send_text(chat, "/watch", user_id=chat)
    farm.telegram.send_text(chat, "/frobnicate", user_id=chat)
    replies = [c.params["text"] for c in farm.telegram.wait_for_calls("sendMessage", chat, count=4, timeout=30)]
    assert any("Quantenphysik" in r for r in replies), replies
    assert any("99999999" in r for r in replies), replies
    assert any("/start" in r or "/help" in r for r in replies), replies

    for body in (
        {"user_id": 1, "service_id": "x"},
        {"user_id": 1, "service_id": WOHNSITZ, "office_ids": []},
        {"user_id": 1, "service_id": 424242, "office_ids": [RUPPERT]},
        {"user_id": 1, "service_id": WOHNSITZ, "office_ids": [99999999]},
    ):
        response = farm.api_post("/subscriptions", body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["detail"]
    bad_json = httpx.post(
        f"{farm.api}/subscriptions", content=b"{not json", headers={**AUTH, "content-type": "application/json"}
    )
    assert bad_json.status_code == 422
    assert farm.api_get("/subscriptions") == []
    assert farm.api_get("/targets") == []

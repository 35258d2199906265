"""Issue 3 against real processes: crashes, limiter, captcha, 429 storms and the legacy portal."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest
import redis
from celery import Celery
from sqlalchemy import create_engine, text

from core.portal_state import portal_state_key
from launch.farm import start_beat, start_worker
from tests.e2e.conftest import ALERT, RUPPERT, WOHNSITZ, Farm, next_weekday, wait_until

pytestmark = pytest.mark.e2e
CHAT = 6001


def scale_limiter(farm: Farm, limit: int, silence: float) -> None:
    """Turn on the replica's limiter, scaled down, once the test's own catalogue reads are done."""
    farm.admin("scenario", {"limiter": {"enabled": True, "maxRequests": limit, "silenceSeconds": silence}})


def subscribe(farm: Farm, service: int, offices: list[int], user: int = 1) -> list[int]:
    farm.api_post("/subscriptions", {"user_id": user, "service_id": service, "office_ids": offices}).raise_for_status()
    return [t["id"] for t in farm.api_get("/targets") if t["service_id"] == service]


def checks(farm: Farm, target: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = farm.api_get(f"/targets/{target}/checks?limit=500")
    return found


def screenshots(farm: Farm, target: int) -> list[str]:
    """The screenshots of the target's findings (each made right after its finding was recorded and alerted)."""
    return [c["screenshot_url"] for c in checks(farm, target) if c["outcome"] == "slots" and c["screenshot_url"]]


def healthy(farm: Farm, target: int, *, after: float = 0.0) -> bool:
    return any(c["outcome"] != "error" and _ts(c["started_at"]) > after for c in checks(farm, target))


def _ts(iso: str) -> float:
    import datetime as dt

    return dt.datetime.fromisoformat(iso).timestamp()


def portal_state(redis_url: str, farm: Farm) -> str | None:
    raw = redis.Redis.from_url(redis_url).get(portal_state_key(farm.replica.split("://", 1)[1]))
    return raw.decode() if isinstance(raw, bytes) else None


def chromium_pids(worker_pid: int) -> set[int]:
    """The Chromium browser processes (not renderers) started under a worker (Playwright detaches them)."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines()]
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in rows:
        children.setdefault(int(ppid), []).append(int(pid))
    family, todo = set(), [worker_pid]
    while todo:
        pid = todo.pop()
        family.add(pid)
        todo.extend(children.get(pid, []))
    return {
        int(pid)
        for pid, _, args in rows
        if int(pid) in family and args.startswith("/usr/lib/chromium/chromium") and "--type=" not in args
    }


def test_a_worker_process_killed_mid_check_loses_and_doubles_nothing(
    start_farm: Callable[..., Farm], sqlite_url: str, redis_url: str
) -> None:
    farm = start_farm(sqlite_url)
    farm.telegram.send_text(CHAT, f"/watch {WOHNSITZ} {RUPPERT}", user_id=CHAT)
    farm.telegram.wait_for_calls("sendMessage", CHAT, timeout=30)
    target = wait_until(lambda: farm.api_get("/targets"), timeout=10, what="target")[0]["id"]
    wait_until(lambda: healthy(farm, target), timeout=60, what="a first check")

    farm.admin("scenario", {"outage": "hang"})  # checks now wait on the portal: one is caught mid-request
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(2), "times": ["11:00"]})
    control = Celery(broker=redis_url).control
    engine = create_engine(sqlite_url)

    def outcomes(task_id: str) -> list[str]:
        with engine.connect() as conn:
            return [o for (o,) in conn.execute(text("SELECT outcome FROM checks WHERE task_id = :t"), {"t": task_id})]

    def running() -> list[dict[str, Any]]:
        """Checks waiting on the portal: in flight, nothing recorded yet (a check that has recorded may still
        be busy with the worker's page after it)."""
        active = control.inspect(timeout=1.0).active() or {}
        checks = [t for tasks in active.values() for t in tasks if t["name"] == "workers.tasks.check_service"]
        return [t for t in checks if not outcomes(t["id"])]

    victim = wait_until(running, timeout=30, what="a check in flight")[0]
    os.kill(victim["worker_pid"], signal.SIGKILL)
    time.sleep(1.0)
    farm.admin("scenario", {"outage": None})

    def redelivered() -> bool:
        return "slots" in outcomes(victim["id"])

    wait_until(redelivered, timeout=60, what="the killed check redelivered and completed")
    farm.telegram.wait_for_said(CHAT, ALERT, timeout=60)
    seen = len(checks(farm, target))
    wait_until(lambda: len(checks(farm, target)) >= seen + 3, timeout=60, what="more checks")
    assert len(farm.telegram.said(CHAT, ALERT)) == 1, "exactly one alert for the slot"


def test_a_killed_chromium_is_relaunched_and_the_next_check_succeeds(
    start_farm: Callable[..., Farm], sqlite_url: str
) -> None:
    farm = start_farm(sqlite_url, bot=False)
    target = subscribe(farm, WOHNSITZ, [RUPPERT])[0]
    wait_until(lambda: healthy(farm, target), timeout=60, what="a first check")
    worker_pid = farm.group.children["worker"].pid
    before = wait_until(lambda: chromium_pids(worker_pid), timeout=10, what="chromium running")
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    killed_at = time.time()
    wait_until(lambda: healthy(farm, target, after=killed_at + 0.5), timeout=60, what="a check after the kill")
    after = chromium_pids(worker_pid)
    assert after, "a new Chromium runs"
    assert not after & before


def test_three_workers_share_the_limiter_without_a_single_429(start_farm: Callable[..., Farm], sqlite_url: str) -> None:
    limit, silence = 10, 6.0
    farm = start_farm(
        sqlite_url,
        bot=False,
        beat=False,
        portal_rate_limit=str(limit),
        portal_rate_silence_s=str(silence),
        budget_margin_s="0.25",
    )
    start_worker(farm.group, name="second", concurrency=1)
    start_worker(farm.group, name="third", concurrency=1)
    for service, offices in farm.admin_get_catalogue()[:14]:  # many targets: 14 services, up to 3 offices each
        subscribe(farm, service, offices)
    scale_limiter(farm, limit, silence)
    start_beat(farm.group, schedule_dir=farm.group.log_dir)
    first = wait_until(lambda: farm.calendar_requests(), timeout=60, what="the first check")[0]["time"]
    time.sleep(max(0.0, first + 60 - time.time()))
    window = [r for r in farm.admin("requests") if first <= r["time"] < first + 60]
    refused = [r for r in farm.admin("requests") if r["status"] == 429]
    timeline = [(round(r["time"] - first, 2), r["status"], r["path"].split("/")[-2]) for r in farm.admin("requests")]
    assert not refused, f"{len(refused)} requests answered 429: {timeline}"
    # The limiter was in play: the farm asked for more than one run allows. How fully it uses each run is a
    # figure of the benchmark (bench/detect.py), not a pass/fail of a test on a loaded machine.
    assert len(window) > 2 * limit, f"only {len(window)} requests in a minute: {timeline}"
    workers = {c["worker"].split("@")[0] for t in farm.api_get("/targets") for c in checks(farm, t["id"])}
    assert len(workers) == 3, f"checks spread over the three workers: {workers}"


def test_a_429_storm_silences_the_farm_until_the_portal_resets(
    start_farm: Callable[..., Farm], sqlite_url: str, redis_url: str
) -> None:
    silence = 3.0
    farm = start_farm(
        sqlite_url, bot=False, portal_rate_limit="10", portal_rate_silence_s=str(silence), budget_margin_s="0.25"
    )
    target = subscribe(farm, WOHNSITZ, [RUPPERT])[0]
    scale_limiter(farm, 10, silence)
    wait_until(lambda: healthy(farm, target), timeout=60, what="a first check")
    farm.admin("scenario", {"stormSeconds": 8})
    wait_until(lambda: portal_state(redis_url, farm) == "blocked", timeout=30, what="state blocked")
    storm_over = time.time() + 8
    wait_until(
        lambda: portal_state(redis_url, farm) == "up" and healthy(farm, target, after=storm_over),
        timeout=60,
        what="back to normal",
    )
    log = farm.admin("requests")
    in_flight = 0.5  # a request already on its way when the 429 came back cannot be called back
    for refusal in (r for r in log if r["status"] == 429):
        early = [r for r in log if refusal["time"] + in_flight < r["time"] < refusal["time"] + silence]
        assert not early, f"{len(early)} requests sent within {silence} s after a 429"


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_a_captcha_office_is_checked_with_one_shared_token(
    start_farm: Callable[..., Farm], sqlite_url: str, version: str
) -> None:
    sze, notfall = 10461, 10339028  # Servicestelle für Zuwanderung: captchaActivatedRequired
    farm = start_farm(sqlite_url, bot=False, replica_env={"REPLICA_CAPTCHA_VERSION": version})
    target = subscribe(farm, notfall, [sze])[0]
    farm.admin("slots/open", {"officeId": sze, "serviceId": notfall, "date": next_weekday(3), "times": ["08:30"]})
    wait_until(lambda: screenshots(farm, target), timeout=90, what="a finding with its screenshot")
    wait_until(lambda: len(checks(farm, target)) >= 8, timeout=60, what="more checks with the same token")
    assert all(c["outcome"] != "error" for c in checks(farm, target))
    assert farm.admin("counters")["captchaChallenges"] == 1, "one token serves every check for ~5 minutes"


def test_a_legacy_portal_is_recognised_and_its_slots_found(start_farm: Callable[..., Farm], sqlite_url: str) -> None:
    farm = start_farm(sqlite_url, bot=False, replica_env={"REPLICA_GENERATION": "legacy"})
    target = subscribe(farm, WOHNSITZ, [RUPPERT])[0]
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(4), "times": ["12:15"]})
    wait_until(lambda: screenshots(farm, target), timeout=60, what="the first finding with its screenshot")
    paths = {r["path"].rstrip("/").rsplit("/", 1)[-1] for r in farm.admin("requests")}
    assert {"available-days-by-office", "available-appointments-by-office"} <= paths
    # A later day, while the first stays bookable: the day list names it, and its appointments are asked for.
    later = next_weekday(11)
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": later, "times": ["09:45"]})
    wait_until(
        lambda: any(s["starts_at"].startswith(later) for s in farm.api_get(f"/targets/{target}/slots")),
        timeout=60,
        what="the later day's slot found",
    )
    asked = [r for r in farm.admin("requests") if "available-appointments-by-office" in r["path"]]
    assert any(f"date={later}" in r["query"] for r in asked), "the new day verified by its own request"

"""The browser pool against launching a browser per check, check latency, worker memory over time, and the
cost of an evidence render.

In one process, against the portal replica on loopback (no rate limit): the same ``check_service`` the
Celery task runs, once with the process's warm browser, once with a fresh Chromium for every check. Then the
farm's ``EvidencePage`` renders findings of two offices in turn, and of one office again and again (each a
fresh load of the deep link, as the city's page needs); wall time and CPU of this process, its browser and
the Playwright driver per render.
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from core import subscriptions as crud
from core.db import transaction
from core.migrate import upgrade
from core.settings import Settings
from core.slots import Observation
from launch.farm import start_redis, start_replica
from launch.processes import ProcessGroup
from workers.check import check_service
from workers.farm import Farm
from workers.portal import calendar_from, calendar_url, horizon, page_catalogue, parse_calendar
from workers.render import Answers, Shown

SERVICE, OFFICE = 1063475, 10489
OTHER_OFFICE = 102522  # Bürgerbüro Orleansplatz: the same service, no shared-booking peers
RENDERS = 20
POOLED_CHECKS, LAUNCHED_CHECKS = 60, 12
RSS_EARLY, RSS_LATE = 200, 2000


def _rss_mb(process: psutil.Process) -> float:
    """Resident memory of this worker process and the browser processes it started."""
    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return float(total) / 2**20


def _farm(folder: Path, group: ProcessGroup) -> Farm:
    replica = start_replica(group, extra={"REPLICA_RATE_LIMIT_ENABLED": "false"})
    database_url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(database_url)
    settings = Settings(
        database_url=database_url,
        redis_url=start_redis(group),
        portal_api_url=f"{replica}/buergeransicht/api/citizen",
        portal_page_url=f"{replica}/buergerservice/terminvereinbarung.html",
        evidence_dir=folder / "evidence",
        portal_rate_limit=0,
    )
    farm = Farm(settings)
    with transaction(farm.sessions) as session:
        crud.create_subscription(session, user_id=1, service_id=SERVICE, office_ids=[OFFICE])
    return farm


def _timed_checks(farm: Farm, count: int, *, fresh_browser: bool) -> list[float]:
    durations = []
    for _ in range(count):
        if fresh_browser:
            farm.browser.close()
            del farm.__dict__["browser"]  # the next check launches its own Chromium
        started = time.perf_counter()
        check_service(farm, service_id=SERVICE, task_id=None, worker="bench")
        durations.append(time.perf_counter() - started)
    return durations


def _cpu_s(me: psutil.Process, *, leave_out: set[int]) -> float:
    """CPU seconds of this process and its descendants (browser, driver), but not the servers in ``leave_out``."""
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        if process.pid not in leave_out:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


def _calendar(seen: Observation, today: dt.date, day: dt.date, _asked: dt.date | None) -> Any:
    return calendar_from(seen, today=today, day=day)


def _timed_renders(farm: Farm, offices: list[int], group: ProcessGroup) -> tuple[float, float]:
    """Median wall seconds and mean CPU seconds of a render, the targets' offices taken in turn."""
    replica = farm.settings.portal_api_url.split("/buergeransicht/", 1)[0]
    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    for office in offices:
        body = {"officeId": office, "serviceId": SERVICE, "date": day, "times": ["09:00"]}
        httpx.post(f"{replica}/__replica__/slots/open", json=body, timeout=10).raise_for_status()
    today = dt.date.today()
    url = calendar_url(farm.settings.portal_api_url, office_ids=offices, service_id=SERVICE, today=today)
    observation = parse_calendar(httpx.get(url, timeout=10).json(), url=url, office_ids=offices, window=horizon(today))
    catalogue = page_catalogue(farm.catalogue.raw(), SERVICE)
    catalogue_of = farm.catalogue.get()
    me, servers = psutil.Process(), {p.pid for p in group.children.values()}
    walls, started_cpu = [], 0.0
    for n in range(RENDERS + 2):  # the first two load the page and settle it
        office = offices[n % len(offices)]
        peers = catalogue_of.offices[office].shared_booking_ids
        seen = observation.only_offices((office, *peers))
        first = min(seen.slots)
        answers = Answers(catalogue, functools.partial(_calendar, seen, today, first.local.date()), None)
        shown = Shown(SERVICE, office, first.local.date(), ((first.office_id, int(first.starts_at.timestamp())),))
        if n == 2:
            started_cpu = _cpu_s(me, leave_out=servers)
        started = time.perf_counter()
        with farm.browser.page() as page:
            farm.evidence_page.render(page, shown, answers)
        if n >= 2:
            walls.append(time.perf_counter() - started)
    return statistics.median(walls), (_cpu_s(me, leave_out=servers) - started_cpu) / RENDERS


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mta-bench-checks-") as tmp, ProcessGroup(Path(tmp) / "logs") as group:
        farm = _farm(Path(tmp), group)
        _timed_checks(farm, 5, fresh_browser=False)  # warm up: catalogue, browser, page
        pooled = _timed_checks(farm, POOLED_CHECKS, fresh_browser=False)
        launched = _timed_checks(farm, LAUNCHED_CHECKS, fresh_browser=True)
        farm.browser.close()
        del farm.__dict__["browser"]
        me = psutil.Process()
        _timed_checks(farm, RSS_EARLY, fresh_browser=False)
        early = _rss_mb(me)
        _timed_checks(farm, RSS_LATE - RSS_EARLY, fresh_browser=False)
        late = _rss_mb(me)
        switched_s, switched_cpu_s = _timed_renders(farm, [OFFICE, OTHER_OFFICE], group)
        same_s, same_cpu_s = _timed_renders(farm, [OFFICE], group)
        farm.browser.close()
    per_min_pooled = 60 / statistics.mean(pooled)
    per_min_launched = 60 / statistics.mean(launched)
    quantiles = statistics.quantiles(pooled, n=20)
    return {
        "pool_checks_per_min": round(per_min_pooled, 1),
        "launch_checks_per_min": round(per_min_launched, 1),
        "pool_vs_launch_ratio": round(per_min_pooled / per_min_launched, 2),
        "check_p50_s": round(statistics.median(pooled), 4),
        "check_p95_s": round(quantiles[18], 4),
        "worker_rss_mb_after_200": round(early, 1),
        "worker_rss_mb_after_2000": round(late, 1),
        "worker_rss_growth_pct": round(100 * (late - early) / early, 2),
        "render_switched_s": round(switched_s, 3),
        "render_switched_cpu_s": round(switched_cpu_s, 3),
        "render_same_target_s": round(same_s, 3),
        "render_same_target_cpu_s": round(same_cpu_s, 3),
    }

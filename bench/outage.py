"""Recovery after an outage: from the end of a 60 s outage of the portal (every answer 503) to the farm's first
successful check, under the scaled limiter, one watched service.

During the outage the breaker opens and probes with single trials (workers/breaker.py); the figure shows how
long a recovered portal stays unseen. ``outage_recovery_s`` is the mean over ``OUTAGES`` outages (goal ≤ 10).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.detect import WOHNSITZ, _warm_up, scaled_limiter
from bench.farm import BenchFarm, bench_farm, start_checking
from core.db import transaction
from core.models import Check

OUTAGE_S = 60.0
OUTAGES = 2
OFFICE = 102522


def _first_success_after(farm: BenchFarm, moment: float, timeout_s: float = 120.0) -> float:
    """When the first check that left after ``moment`` and succeeded left (unix seconds)."""
    since = dt.datetime.fromtimestamp(moment, dt.UTC)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        with transaction(farm.sessions) as session:
            started = session.scalar(
                select(Check.started_at)
                .where(Check.started_at >= since, Check.outcome != "error")
                .order_by(Check.started_at)
                .limit(1)
            )
        if started is not None:
            return started.timestamp()
        time.sleep(0.2)
    raise RuntimeError(f"no successful check within {timeout_s:.0f} s of the outage's end")


def run() -> dict[str, float]:
    replica_env, settings = scaled_limiter()
    with (
        tempfile.TemporaryDirectory(prefix="mta-bench-outage-") as tmp,
        bench_farm(Path(tmp), replica_env=replica_env, settings=settings) as farm,
    ):
        farm.subscribe(chat=900, service=WOHNSITZ, offices=[OFFICE])
        start_checking(farm, Path(tmp), processes=2)
        _warm_up(farm, 5)
        recoveries = []
        for _ in range(OUTAGES):
            farm.admin("scenario", {"outage": "503"})
            time.sleep(OUTAGE_S)
            farm.admin("scenario", {"outage": None})
            ended = time.time()
            recoveries.append(_first_success_after(farm, ended) - ended)
            time.sleep(10)
    return {
        "outage_recovery_s": round(statistics.mean(recoveries), 2),
        "outage_recovery_max_s": round(max(recoveries), 2),
    }

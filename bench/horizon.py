"""Openings across the horizon: several offices, days and months at once, under the scaled limiter.

Six offices of one service, each with its own subscriber, plus one subscriber of all six. Every office opens
slots at random moments on random days of the next three months and keeps each open for one to three cycles
of the schedule, so openings overlap and most are not on the earliest bookable day. Figures:

- ``detect_coverage_multi``: (opening, subscriber) pairs alerted ÷ pairs expected (two per opening);
- ``detect_vs_optimum_ratio_multi``: the mean delay from opening to alert ÷ the best expected wait any schedule
  reaches for one service under the limiter (the verification of a new day is part of the delay);
- ``verify_requests_per_opening``: one-day requests the farm sent ÷ openings;
- ``limiter_429s_multi``, and ``limiter_use_multi``: requests per complete run ÷ the limit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from bench.detect import LIMIT, MARGIN_REQUESTS, MARGIN_S, SILENCE, VERIFY_RESERVE, WOHNSITZ, _warm_up, scaled_limiter
from bench.farm import BenchFarm, bench_farm, start_checking
from bot import formats
from telegram_replica.records import Call
from workers.plan import Limiter, best_expected_wait, plan_run

OFFICES = [10489, 102522, 102523, 102524, 102526, 54261]  # the six Bürgerbüros offering Wohnsitzanmeldung
ALL_OFFICES_CHAT = 999
OPENINGS_PER_OFFICE = 20  # 120 openings: the mean wait's standard error is ~0.1 s (~0.07 of the ratio)
MUNICH = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Opening:
    office: int
    starts_at: dt.datetime  # the slot's time, aware UTC: unique per office in a run
    opened: float
    closed: float


def _slot_times(rng: random.Random) -> list[dt.datetime]:
    """Distinct times on weekdays of the next three months, a few days ahead at the earliest."""
    today = dt.datetime.now(MUNICH).date()
    days = [today + dt.timedelta(days=n) for n in range(2, 92) if (today + dt.timedelta(days=n)).weekday() < 5]
    picked = rng.sample(days, OPENINGS_PER_OFFICE)
    return [dt.datetime.combine(day, dt.time(rng.randrange(8, 16), 5 * rng.randrange(12)), MUNICH) for day in picked]


def _office_lane(farm: BenchFarm, office: int, cycle_s: float, seed: int) -> list[Opening]:
    rng = random.Random(seed)
    openings = []
    for at in _slot_times(rng):
        time.sleep(rng.uniform(0, cycle_s))
        body = {"officeId": office, "serviceId": WOHNSITZ, "timestamps": [int(at.timestamp())]}
        opened = time.time()
        farm.admin("slots/open", body)
        time.sleep(rng.uniform(1, 3) * cycle_s)
        farm.admin("slots/close", body)
        openings.append(Opening(office, at.astimezone(dt.UTC), opened, time.time()))
    return openings


def _names(farm: BenchFarm) -> dict[int, str]:
    """The offices' names, as alerts show them; the replica then forgets the request (it is not the farm's, and
    the farm's budget, with no margin here, cannot know of it)."""
    data = farm.http.get(f"{farm.replica}/buergeransicht/api/citizen/offices-and-services/", timeout=30).json()
    farm.admin("reset", {})
    return {int(o["id"]): str(o["name"]) for o in data["offices"] if int(o["id"]) in OFFICES}


def _alerted(farm: BenchFarm, chat: int, name: str, opening: Opening) -> float | None:
    """When the Bot API server got the chat's first alert naming the opening's office and time, if it did."""
    moment = formats.moment("en", opening.starts_at)
    sent = farm.telegram.calls("sendPhoto", chat, ok=True) + farm.telegram.calls("sendMessage", chat, ok=True)
    told = [c.time for c in sent if name in _text(c) and moment in _text(c) and c.time >= opening.opened]
    return min(told, default=None)


def _text(call: Call) -> str:
    return str(call.params.get("caption") or call.params.get("text") or "")


def _limiter_use(farm: BenchFarm) -> float:
    """Requests per complete run ÷ the limit, from the replica's log (a run ends with a silence)."""
    times = sorted(float(r["time"]) for r in farm.admin("requests") if "available" in r["path"])
    runs: list[list[float]] = []
    for at in times:
        if runs and at - runs[-1][-1] < SILENCE:
            runs[-1].append(at)
        else:
            runs.append([at])
    complete = runs[1:-1]  # the first may follow the warm-up's catalogue reads, the last be cut short
    return statistics.mean(len(run) for run in complete) / LIMIT if complete else 0.0


def run() -> dict[str, float]:
    replica_env, settings = scaled_limiter()
    with (
        tempfile.TemporaryDirectory(prefix="mta-bench-horizon-") as tmp,
        bench_farm(Path(tmp), replica_env=replica_env, settings=settings) as farm,
    ):
        for chat, office in enumerate(OFFICES, start=900):
            farm.subscribe(chat=chat, service=WOHNSITZ, offices=[office])
        farm.subscribe(chat=ALL_OFFICES_CHAT, service=WOHNSITZ, offices=OFFICES)
        names = _names(farm)
        start_checking(farm, Path(tmp))
        checks = LIMIT - MARGIN_REQUESTS - VERIFY_RESERVE  # openings keep the farm verifying: runs keep the reserve
        cycle = plan_run({WOHNSITZ: 1.0}, Limiter(checks, SILENCE + MARGIN_S), steady_interval_s=0).cycle
        _warm_up(farm, cycle)
        seed = random.randrange(2**32)
        with ThreadPoolExecutor(len(OFFICES)) as pool:
            lanes = [pool.submit(_office_lane, farm, o, cycle, seed + k) for k, o in enumerate(OFFICES)]
            openings = list(itertools.chain.from_iterable(lane.result() for lane in lanes))
        time.sleep(2 * cycle)  # the last alerts of slots closed a moment ago
        delays = []
        for opening in openings:
            for chat in (900 + OFFICES.index(opening.office), ALL_OFFICES_CHAT):
                if (at := _alerted(farm, chat, names[opening.office], opening)) is not None:
                    delays.append(at - opening.opened)
        log = farm.admin("requests")
        use = _limiter_use(farm)
    pairs = len(delays)
    one_day = sum(1 for r in log if "available" in r["path"] and _one_day(r["query"]))
    optimum = best_expected_wait(Limiter(LIMIT, SILENCE), 1)
    return {
        "detect_coverage_multi": round(pairs / (2 * len(openings)), 3),
        "detect_vs_optimum_ratio_multi": round(statistics.mean(delays) / optimum, 3) if delays else float("inf"),
        "detect_mean_s_multi": round(statistics.mean(delays), 2) if delays else float("inf"),
        "detect_openings_multi": len(openings),
        "verify_requests_per_opening": round(one_day / len(openings), 2),
        "limiter_429s_multi": sum(1 for r in log if r["status"] == 429),
        "limiter_use_multi": round(use, 3),
    }


def _one_day(query: str) -> bool:
    parsed = parse_qs(query)
    return "slotsStartDate" in parsed and parsed.get("slotsStartDate") == parsed.get("slotsEndDate")

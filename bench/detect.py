"""Detection delay: a slot opened on the replica → the alert recorded by the Bot API server.

Three runs of the whole farm as processes:
- steady checks (no limiter, one check of the service every ``STEADY_INTERVAL`` s): ``detect_p50_s``,
  ``detect_p95_s``, ``detect_interval_s`` (mean time between two checks of a target);
- the replica's limiter in the city's semantics, scaled down (``LIMIT`` requests, ``SILENCE`` s; the farm's
  margins scaled with it, ``limiter_margin_*``), with 1 and with 5 watched services: the mean delay ÷ the best
  expected delay any schedule reaches under that limiter (``workers.plan.best_expected_wait``):
  ``detect_vs_optimum_ratio`` (the worse of the two) and ``limiter_429s``;
  beside it, per run, the mean delay's parts (the wait for the request that saw the slot, and our processing
  after it, of which ``detect_processing_recorded_s_*`` until the finding is recorded with its evidence, the
  rest the bot's) and ``detect_schedule_wait_s_*``: the mean wait a random moment has under the requests the farm
  actually sent, the schedule's figure without the sampling noise of the openings;
- the same 20 targets watched by 20 and by 1,000 subscribers: ``footprint_ratio`` of portal requests/min.

Slots open at random moments, several lanes (an office or a service each, its own chat) at once.
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

from sqlalchemy import select

from bench.farm import BenchFarm, bench_farm, start_checking
from core import subscriptions as crud
from core.db import transaction
from core.models import Alert, Check, Subscription
from workers.plan import Limiter, best_expected_wait, plan_run

WOHNSITZ = 1063475
ALERT = "Free appointment"  # how an alert begins (bot/texts/en.py)
OFFICES = [10489, 102522, 102523, 102524, 102526]  # Bürgerbüros offering Wohnsitzanmeldung
STEADY_INTERVAL = 5.0
LIMIT, SILENCE = 10, 6.0
# The farm's margins, scaled down with the limiter: by default the farm holds back 1 request of 60 and adds 1 s
# to 60 s of silence. At 10 requests a sixth of a request rounds to none; a sixtieth of 6 s is 0.1 s.
MARGIN_REQUESTS, MARGIN_S = 0, 0.1
# The 3 of 60 requests left for verifying new days, in runs that follow a verification: half a request rounds up,
# as a run's last check needs one request to verify the day it finds. Runs without verifications (the 1- and
# 5-service runs) keep none.
VERIFY_RESERVE = 1
STEADY_ROUNDS = 6  # 30 openings
# 50 openings for one service, 100 for five: the mean of a skewed wait needs that many, one service most (5 lanes
# share its 19-s cycle, so each part is 3.8 s long; five services' 10 lanes share an 8.6-s cycle).
LIMITED_ROUNDS = 10
FOOTPRINT_RUNS = 4  # whole runs measured for each number of subscribers (a run's count is whole: little noise)


def _day(offset: int) -> str:
    day = dt.datetime.now(ZoneInfo("Europe/Berlin")).date() + dt.timedelta(days=offset)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


@dataclass(frozen=True)
class Opening:
    chat: int
    service: int
    opened: float  # asked the replica to open it (the delay counts from here)
    alerted: float

    @property
    def delay(self) -> float:
        return self.alerted - self.opened


def _lane(farm: BenchFarm, chat: int, service: int, office: int, opens_at: float, seen: int) -> Opening:
    """Open a slot at ``opens_at``, wait for its alert, close it. Each round's slot is at another time, so it is
    a new appearance even if no check has seen the last one gone yet (it would alert no one)."""
    time.sleep(max(0.0, opens_at - time.time()))
    opened = time.time()
    at = f"{8 + seen % 10:02d}:00"
    farm.admin("slots/open", {"officeId": office, "serviceId": service, "date": _day(3), "times": [at]})
    alert = farm.telegram.wait_for_said(chat, ALERT, count=seen + 1, timeout=120)[-1]
    farm.admin("slots/close", {"officeId": office, "serviceId": service})
    if alert.time < opened:
        raise RuntimeError(f"chat {chat} was alerted before its slot opened: lanes that share a target")
    return Opening(chat, service, opened, alert.time)


@dataclass(frozen=True)
class Split:
    wait_s: float  # mean wait for the portal request that saw the slot (the schedule's part)
    processing_s: float  # mean time from that request to the alert (ours: answer, evidence, record, bot)
    recorded_s: float  # of the processing: from that request to the finding recorded (answer, evidence, record)
    expected_wait_s: float  # the wait a random moment has under the requests actually sent (no sampling noise)


@dataclass(frozen=True)
class AlertingCheck:
    started: float  # the check began: its request is the first of the service after this
    recorded: float  # its finding recorded, with its evidence: the bot may alert from here


def _split(farm: BenchFarm, openings: list[Opening]) -> Split:
    """The mean delay split into the wait and the processing (and the processing's part until the finding is
    recorded), and the wait the requests the farm sent promise on average."""
    asked: dict[int, list[float]] = {}
    for request in farm.admin("requests"):
        query = parse_qs(request["query"])
        service = query.get("serviceIds", query.get("serviceId"))  # the calendar's name, the legacy's
        if "available" in request["path"] and service:
            asked.setdefault(int(service[0]), []).append(float(request["time"]))
    waits, recorded = [], []
    for opening in openings:
        times = asked.get(opening.service, [])
        check = _alerting_check(farm, opening)
        seen = min((t for t in times if t >= check.started), default=opening.alerted)
        waits.append(seen - opening.opened)
        recorded.append(check.recorded - seen)
    wait = statistics.mean(waits)
    first, last = min(o.opened for o in openings), max(o.alerted for o in openings)
    promised: dict[int, float] = {}  # per service: a random moment's mean wait, Σgap² / 2Σgap in the window
    for asked_for, times in asked.items():
        gaps = [b - a for a, b in itertools.pairwise(times) if a >= first and b <= last]
        if gaps:
            promised[asked_for] = sum(g * g for g in gaps) / (2 * sum(gaps))
    expected = statistics.mean(promised[o.service] for o in openings)  # weighted as the openings are
    processing = statistics.mean(o.delay for o in openings) - wait
    return Split(wait, processing, statistics.mean(recorded), expected)


def _alerting_check(farm: BenchFarm, opening: Opening) -> AlertingCheck:
    """The check whose answer alerted ``opening``; a request sent while the replica was still opening the slot
    may have seen it or not, the farm knows which."""
    opened = dt.datetime.fromtimestamp(opening.opened, dt.UTC)
    with transaction(farm.sessions) as session:
        row = session.execute(
            select(Check.started_at, Check.finished_at)
            .join(Alert, Alert.check_id == Check.id)
            .join(Subscription, Subscription.id == Alert.subscription_id)
            .where(Subscription.user_id == opening.chat, Alert.created_at >= opened)
            .order_by(Alert.id)
            .limit(1)
        ).first()
    if row is None or row.finished_at is None:
        raise RuntimeError(f"no check alerted chat {opening.chat} for its slot")
    return AlertingCheck(row.started_at.timestamp(), row.finished_at.timestamp())


def _warm_up(farm: BenchFarm, seconds: float) -> None:
    """Wait for the first check (browsers launched, plan running), then let the pacing settle."""
    deadline = time.time() + 120
    while time.time() < deadline:
        with transaction(farm.sessions) as session:
            if session.scalar(select(Check.id).limit(1)) is not None:
                break
        time.sleep(0.5)
    time.sleep(seconds)


def _parts(services: list[int]) -> list[int]:
    """For lanes of these services (as many lanes each), the part of the cycle each lane opens in, of as many
    equal parts as lanes: a service's lanes in parts spread evenly over the cycle, each service's offset and
    the order of its lanes dealt at random. Every part is dealt once."""
    kinds = sorted(set(services))
    offsets = dict(zip(kinds, random.sample(range(len(kinds)), len(kinds)), strict=True))
    turns = {s: random.sample(range(services.count(s)), services.count(s)) for s in kinds}
    parts = [offsets[s] + turns[s].pop() * len(kinds) for s in services]
    if sorted(parts) != list(range(len(services))):
        raise ValueError("each service needs as many lanes as every other")
    return parts


def _rounds(farm: BenchFarm, lanes: list[tuple[int, int, int]], *, cycle_s: float, rounds: int) -> list[Opening]:
    """Each lane opens a slot at a random moment of a cycle of the schedule, ``rounds`` times, a round as soon
    as the last has been alerted (each round's slot is at another time: a new appearance).

    The moments of one round are spread systematically: the lanes' parts of the cycle (``_parts``) each shifted
    by one random fraction of a part. Every moment of the cycle stays equally likely for each opening, but each
    round samples the whole cycle evenly for each service, so the mean delay over a few rounds strays less from
    its expectation than with moments drawn independently, or independently within each part (a service's wait
    is skewed: short within a run, long in the silence; for one service, ``python -m bench.sampling`` puts the
    standard deviation of the mean wait of 50 openings at 0.21 s drawn independently, 0.15 s within each part,
    0.10 s shifted together).
    """
    _warm_up(farm, cycle_s)
    openings: list[Opening] = []
    part = cycle_s / len(lanes)
    for round_no in range(rounds):
        start = time.time() + 1
        parts = _parts([service for _, service, _ in lanes])
        shift = random.random()
        with ThreadPoolExecutor(len(lanes)) as pool:
            futures = [
                pool.submit(_lane, farm, chat, service, office, start + (k + shift) * part, round_no)
                for (chat, service, office), k in zip(lanes, parts, strict=True)
            ]
            openings += [f.result() for f in futures]
    return openings


def _mean_interval(farm: BenchFarm) -> float:
    with transaction(farm.sessions) as session:
        starts = sorted(s.timestamp() for s in session.scalars(select(Check.started_at).where(Check.target_id == 1)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    return statistics.mean(gaps)


def steady(folder: Path) -> dict[str, float]:
    settings = {"portal_rate_limit": "0", "check_interval_s": str(STEADY_INTERVAL)}
    with bench_farm(folder, replica_env={}, settings=settings) as farm:
        lanes = [(900 + i, WOHNSITZ, office) for i, office in enumerate(OFFICES)]
        for chat, service, office in lanes:
            farm.subscribe(chat=chat, service=service, offices=[office])
        start_checking(farm, folder)
        delays = [o.delay for o in _rounds(farm, lanes, cycle_s=STEADY_INTERVAL, rounds=STEADY_ROUNDS)]
        interval = _mean_interval(farm)
    quantiles = statistics.quantiles(delays, n=20)
    return {
        "detect_p50_s": round(statistics.median(delays), 2),
        "detect_p95_s": round(quantiles[18], 2),
        "detect_interval_s": round(interval, 2),
        "detect_openings": len(delays),
    }


@dataclass(frozen=True)
class Limited:
    ratio: float  # mean delay ÷ the optimum
    optimum_s: float  # the best expected wait any schedule reaches under the limiter
    split: Split
    refused: int  # 429s met
    openings: int


def scaled_limiter() -> tuple[dict[str, str], dict[str, str]]:
    """The replica's limiter scaled down (``LIMIT`` requests, ``SILENCE`` s), and the farm's settings for it with
    its margins and reserve scaled alike."""
    replica_env = {
        "REPLICA_RATE_LIMIT_ENABLED": "true",
        "REPLICA_RATE_LIMIT_MAX_REQUESTS": str(LIMIT),
        "REPLICA_RATE_LIMIT_SILENCE_SECONDS": str(SILENCE),
    }
    settings = {
        "portal_rate_limit": str(LIMIT),
        "portal_rate_silence_s": str(SILENCE),
        "budget_margin_requests": str(MARGIN_REQUESTS),
        "budget_margin_s": str(MARGIN_S),
        "budget_verify_reserve": str(VERIFY_RESERVE),
    }
    return replica_env, settings


def limited(folder: Path, services: int) -> Limited:
    """Mean delay ÷ the optimum under the scaled limiter, its parts, the 429s met, and the openings."""
    replica_env, settings = scaled_limiter()
    with bench_farm(folder, replica_env=replica_env, settings=settings) as farm:
        if services == 1:
            lanes = [(900 + i, WOHNSITZ, office) for i, office in enumerate(OFFICES)]
        else:  # two offices per service: two lanes each
            pairs = [
                (service, office) for service, offices in _services(farm, services, offices=2) for office in offices
            ]
            lanes = [(900 + i, service, office) for i, (service, office) in enumerate(pairs)]
        for chat, service, office in lanes:
            farm.subscribe(chat=chat, service=service, offices=[office])
        start_checking(farm, folder)
        optimum = best_expected_wait(Limiter(LIMIT, SILENCE), services)
        ours = plan_run(
            dict.fromkeys(range(services), 1.0),
            Limiter(LIMIT - MARGIN_REQUESTS, SILENCE + MARGIN_S),
            steady_interval_s=0,
        )
        openings = _rounds(farm, lanes, cycle_s=ours.cycle, rounds=LIMITED_ROUNDS)
        refused = sum(1 for r in farm.admin("requests") if r["status"] == 429)
        split = _split(farm, openings)
    ratio = statistics.mean(o.delay for o in openings) / optimum
    return Limited(ratio, optimum, split, refused, len(openings))


def _services(farm: BenchFarm, count: int, *, offices: int) -> list[tuple[int, list[int]]]:
    """``count`` services offered at ``offices`` or more offices that book apart, from the portal's catalogue.

    Offices that share their bookings (``sharedBookingOfficeIds``) are one target to the farm, as to the city's
    page: a slot opened at one would alert the lane of the other before that lane opened its own. The replica
    then forgets the bench's request (its log and its limiter's count): the request is not the farm's, and the
    farm's budget, with no margin here, cannot know of it."""
    data = farm.http.get(f"{farm.replica}/buergeransicht/api/citizen/offices-and-services/", timeout=30).json()
    farm.admin("reset", {})
    peers = {int(o["id"]): {int(p) for p in o.get("sharedBookingOfficeIds") or ()} for o in data["offices"]}
    at: dict[int, list[int]] = {}
    for relation in sorted(data["relations"], key=lambda r: (r["serviceId"], r["officeId"])):
        found = at.setdefault(int(relation["serviceId"]), [])
        office = int(relation["officeId"])
        if not any(office in peers.get(o, ()) or o in peers.get(office, ()) for o in found):
            found.append(office)
    fitting = [(service, found[:offices]) for service, found in sorted(at.items()) if len(found) >= offices]
    return fitting[:count]


def footprint(folder: Path) -> dict[str, float]:
    replica_env, _ = scaled_limiter()
    settings = {"portal_rate_limit": str(LIMIT), "portal_rate_silence_s": str(SILENCE), "budget_margin_s": "0.25"}
    with bench_farm(folder, replica_env=replica_env, settings=settings) as farm:
        services = _services(farm, 4, offices=5)  # 20 targets: 4 services at 5 offices each
        for i, (service, offices) in enumerate(services * 5):
            farm.subscribe(chat=2000 + i, service=service, offices=[offices[i // 4]])
        start_checking(farm, folder)
        _warm_up(farm, 0)
        _requests_per_min(farm, 2)  # steady state: browsers launched, the start-up plans run out
        few = _requests_per_min(farm, FOOTPRINT_RUNS)
        with transaction(farm.sessions) as session:
            for i in range(980):
                service, offices = services[i % 4]
                crud.create_subscription(session, user_id=5000 + i, service_id=service, office_ids=[offices[i % 5]])
        _requests_per_min(farm, 1)  # the run under way was planned for 20 subscribers
        many = _requests_per_min(farm, FOOTPRINT_RUNS)
    return {
        "footprint_requests_per_min_20": round(few, 1),
        "footprint_requests_per_min_1000": round(many, 1),
        "footprint_ratio": round(many / few, 3),
    }


def _requests_per_min(farm: BenchFarm, runs: int) -> float:
    """Calendar requests per minute over ``runs`` whole runs of the schedule (run and silence), as the replica
    logged them: counted from the first request of one run to the first of the run ``runs`` later, so the
    measure holds no fraction of a run."""
    start = time.time()
    deadline = start + (runs + 2) * 60
    while time.time() < deadline:
        log = farm.admin("requests")
        times = [float(r["time"]) for r in log if r["time"] >= start and "available" in r["path"]]
        starts = [b for a, b in itertools.pairwise(times) if b - a >= SILENCE]  # a run begins after the silence
        if len(starts) > runs:
            first, last = starts[0], starts[runs]
            return sum(1 for t in times if first <= t < last) * 60 / (last - first)
        time.sleep(1)
    raise TimeoutError(f"fewer than {runs} runs of requests in {deadline - start:.0f} s")


def run() -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="mta-bench-detect-") as tmp:
        results.update(steady(Path(tmp) / "steady"))
        one = limited(Path(tmp) / "one", 1)
        five = limited(Path(tmp) / "five", 5)
        for name, part in (("1_service", one), ("5_services", five)):
            results[f"detect_vs_optimum_ratio_{name}"] = round(part.ratio, 3)
            results[f"detect_wait_mean_s_{name}"] = round(part.split.wait_s, 2)
            results[f"detect_processing_mean_s_{name}"] = round(part.split.processing_s, 2)
            results[f"detect_processing_recorded_s_{name}"] = round(part.split.recorded_s, 2)
            results[f"detect_schedule_wait_s_{name}"] = round(part.split.expected_wait_s, 2)
            results[f"detect_optimum_s_{name}"] = round(part.optimum_s, 2)
        results["detect_vs_optimum_ratio"] = round(max(one.ratio, five.ratio), 3)
        results["limiter_429s"] = one.refused + five.refused
        results["limiter_openings"] = one.openings + five.openings
        results["limiter_margin_requests"] = MARGIN_REQUESTS
        results["limiter_margin_s"] = MARGIN_S
        results.update(footprint(Path(tmp) / "footprint"))
    return results

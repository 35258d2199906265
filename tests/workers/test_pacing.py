"""The pacer keeps one plan in Redis and hands out each planned check exactly once, at its time."""

from __future__ import annotations

import itertools
import time

import pytest
import redis

from core.budget import Budget, BudgetConfig, Priority
from workers import pacing

PORTAL = "portal.test"


def run_ticks(redis_url: str, config: BudgetConfig, weights: dict[int, float], seconds: int) -> list[tuple[int, float]]:
    client = redis.Redis.from_url(redis_url)
    budget = Budget(client, portal=PORTAL, config=config)
    sent: list[tuple[int, float]] = []
    start = 1_000_000.0
    for second in range(seconds):
        pacing.tick(
            client,
            budget,
            portal=PORTAL,
            weights=weights,
            steady_interval_s=4.0,
            enqueue=lambda service, _plan, at: sent.append((service, at)),
            now=start + second,
        )
    return sent


def test_without_a_limiter_each_service_is_checked_once_per_interval(redis_url: str) -> None:
    sent = run_ticks(redis_url, BudgetConfig(limit=0), {1: 1.0, 2: 1.0}, seconds=20)
    times = [at for service, at in sent if service == 1]
    assert len(times) == len(set(times)), "no check is handed out twice"
    gaps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert gaps == {4.0}


def test_runs_follow_each_other_with_the_silence_between(redis_url: str) -> None:
    config = BudgetConfig(limit=6, silence_s=3.0, margin_requests=1, margin_s=0.5)
    sent = run_ticks(redis_url, config, {1: 1.0}, seconds=30)
    times = sorted(at for _, at in sent)
    assert len(times) == len(set(times))
    runs: list[list[float]] = [[times[0]]]
    for at in times[1:]:
        if at - runs[-1][-1] >= config.silence - 1e-6:
            runs.append([at])
        else:
            runs[-1].append(at)
    assert len(runs) >= 3
    assert all(len(run) <= config.limit - config.margin_requests for run in runs)


def test_a_check_that_waited_is_left_to_a_newer_run_that_checks_its_service(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    budget = Budget(client, portal=PORTAL, config=BudgetConfig(limit=6, silence_s=3.0, margin_requests=1))
    planned: list[str] = []
    now = time.time()  # on the real clock, which ``superseded`` reads
    while len(set(planned)) < 2:  # tick until the second run is planned, a few seconds ahead
        pacing.tick(
            client,
            budget,
            portal=PORTAL,
            weights={1: 1.0, 2: 1.0},
            steady_interval_s=4.0,
            enqueue=lambda _service, plan, _at: planned.append(plan),
            now=now,
        )
        now += 1
    first = planned[0]
    current = pacing.load(client, PORTAL)
    assert current is not None
    assert current.id != first
    assert current.start > time.time(), "the newer run has not begun"

    def superseded(plan_id: str, service: int) -> bool:
        return pacing.superseded(client, PORTAL, plan_id=plan_id, service_id=service)

    assert superseded(first, 1), "the new run checks service 1 itself, begun or not"
    assert not superseded(current.id, 1), "a check of the current run is its own"
    assert not superseded(first, 3), "the new run does not check service 3"


def test_a_run_whose_requests_were_used_up_ends_early(redis_url: str) -> None:
    """Verifications took the requests of the run's last checks: the next run begins once the portal's count
    resets, not when the plan said, and the checks that waited for a request are left to it."""
    client = redis.Redis.from_url(redis_url)
    config = BudgetConfig(limit=6, silence_s=3.0, margin_requests=1, margin_s=0.5)
    budget = Budget(client, portal=PORTAL, config=config)
    now = time.time()  # the budget counts on Redis' clock, which is the real one

    def tick(at: float) -> pacing.StoredPlan:
        pacing.tick(
            client, budget, portal=PORTAL, weights={1: 1.0}, steady_interval_s=4.0, enqueue=lambda *_: None, now=at
        )
        plan = pacing.load(client, PORTAL)
        assert plan is not None
        return plan

    first = tick(now)
    assert tick(now + 0.5).id == first.id, "a run with requests left goes on"
    for _ in range(config.run_limit(Priority.CHECK)):
        assert budget.take(Priority.VERIFY).granted
    last = budget.state()["last"]
    second = tick(now + 1)
    assert second.id != first.id
    assert second.start == pytest.approx(last + config.silence, abs=0.01), "it begins as the count resets"
    assert second.start < first.end
    assert tick(now + 2).id == second.id, "the run planned ahead stands until it has run"
    assert pacing.superseded(client, PORTAL, plan_id=first.id, service_id=1), "a displaced check leaves it to them"


@pytest.mark.parametrize(("verified", "checks"), [(False, 5), (True, 4)])
def test_a_run_after_a_verification_plans_one_check_less(redis_url: str, verified: bool, checks: int) -> None:
    client = redis.Redis.from_url(redis_url)
    config = BudgetConfig(limit=6, silence_s=0.3, margin_requests=1, margin_s=0.05, verify_reserve=1)
    budget = Budget(client, portal=PORTAL, config=config)
    budget.take(Priority.VERIFY if verified else Priority.CHECK)
    time.sleep(config.silence + 0.05)
    pacing.tick(client, budget, portal=PORTAL, weights={1: 1.0}, steady_interval_s=4.0, enqueue=lambda *_: None)
    plan = pacing.load(client, PORTAL)
    assert plan is not None
    assert len(plan.sends) == checks

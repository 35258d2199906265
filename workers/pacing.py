"""The pacer: beat calls ``tick`` every second; it keeps the current run plan in Redis and enqueues the
checks due in the next few seconds with their exact send time (Celery ``eta``).

A new plan starts when the previous run and its silence are over, or at once when the set of watched
services changes (then with the requests the current run has left); the budget gate in the check task
guards the limiter whatever the plan says. A run whose requests verifications used up ends early: the next
one starts as soon as the portal's count resets, and the checks it displaced, which waited for a request,
leave their work to it (``superseded``). With more services than a run has requests, services take turns.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace

import redis

from core.budget import Budget, Priority
from core.locks import held
from core.portal_state import plan_key
from workers.plan import Limiter, RunPlan, plan_run

HORIZON_S = 3.0


@dataclass(frozen=True)
class StoredPlan:
    id: str
    start: float
    sends: list[tuple[float, int]]  # absolute unix time, service id
    end: float  # start + length + silence: when the next run may begin
    services: list[int]
    intervals: dict[str, float]  # service id -> mean seconds between two checks
    cursor: float  # sends before this time are enqueued

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: bytes) -> StoredPlan:
        data = json.loads(raw)
        data["sends"] = [tuple(s) for s in data["sends"]]
        return cls(**data)


def load(client: redis.Redis, portal: str) -> StoredPlan | None:
    raw = client.get(plan_key(portal))
    return StoredPlan.from_json(raw) if isinstance(raw, bytes) else None


def _run_end(plan: StoredPlan, budget: Budget, *, now: float, requests_per_check: int) -> float:
    """When the run's silence is over: as planned, or earlier when the portal's count has no room for another
    check (verifications took the requests the run's last checks would have used). A run planned ahead has not
    begun: the count it sees is its predecessor's."""
    config = budget.config
    if config.limit <= 0 or now < plan.start:
        return plan.end
    state = budget.state()
    count, last = int(state.get("count", 0)), state.get("last", 0.0)
    if now - last < config.silence and count + requests_per_check > budget.checks_in_run(state, next_run=False):
        return min(plan.end, last + config.silence)
    return plan.end


def _run_start(budget: Budget, *, now: float, previous_end: float | None, changed: bool) -> tuple[float, int]:
    """When the next run starts and how many check requests it may use."""
    config = budget.config
    earliest = now if changed or previous_end is None else max(now, previous_end)
    if config.limit <= 0:
        return earliest, 0
    state = budget.state()
    count, last = int(state.get("count", 0)), state.get("last", 0.0)
    next_run = budget.checks_in_run(state, next_run=True)
    if not count or now - last >= config.silence:
        return earliest, next_run  # the portal's count is back to zero
    current = budget.checks_in_run(state, next_run=False)
    if changed and count < current:
        return now, current - count  # watched services changed mid-run: go on with what is left
    return max(earliest, last + config.silence), next_run


def _new_plan(
    weights: Mapping[int, float],
    budget: Budget,
    *,
    now: float,
    previous: StoredPlan | None,
    previous_end: float | None,
    steady_interval_s: float,
    last_planned: Mapping[int, float],
    requests_per_check: int,
) -> StoredPlan:
    changed = previous is None or set(previous.services) != set(weights)
    start, limit = _run_start(budget, now=now, previous_end=previous_end, changed=changed)
    if budget.config.limit > 0:
        limit = max(1, limit // requests_per_check)
    silence = budget.config.silence
    run: RunPlan = plan_run(
        weights, Limiter(limit, silence), steady_interval_s=steady_interval_s, last_planned=last_planned
    )
    full_limit = budget.config.run_limit(Priority.CHECK) // requests_per_check if budget.config.limit > 0 else 0
    steady = plan_run(weights, Limiter(full_limit, silence), steady_interval_s=steady_interval_s)
    return StoredPlan(
        id=uuid.uuid4().hex,
        start=start,
        sends=[(start + offset, service) for offset, service in run.sends],
        end=start + run.cycle,
        services=sorted(weights),
        intervals={str(s): steady.mean_interval(s) or 0.0 for s in weights},
        cursor=start,
    )


def tick(
    client: redis.Redis,
    budget: Budget,
    *,
    portal: str,
    weights: Mapping[int, float],
    steady_interval_s: float,
    requests_per_check: int = 1,
    enqueue: Callable[[int, str, float], None],
    now: float | None = None,
) -> int:
    """Plan if needed and enqueue the sends due before now + HORIZON_S. Returns how many were enqueued."""
    now = time.time() if now is None else now
    with held(client, f"{plan_key(portal)}:lock", lease_s=5) as planning:
        if not planning:  # another beat is planning
            return 0
        return _tick(client, budget, portal, weights, steady_interval_s, requests_per_check, enqueue, now)


def _tick(
    client: redis.Redis,
    budget: Budget,
    portal: str,
    weights: Mapping[int, float],
    steady_interval_s: float,
    requests_per_check: int,
    enqueue: Callable[[int, str, float], None],
    now: float,
) -> int:
    if not weights:
        client.delete(plan_key(portal))
        return 0
    plan, sent, end = load(client, portal), 0, None
    if plan is not None and set(plan.services) == set(weights):
        sent += _enqueue_due(plan, now, enqueue)
        plan = replace(plan, cursor=max(plan.cursor, now + HORIZON_S))
        end = _run_end(plan, budget, now=now, requests_per_check=requests_per_check)
    if plan is None or end is None or now + HORIZON_S >= end:
        # the next run is planned ahead, so its first checks leave exactly when the silence ends
        plan = _new_plan(
            weights,
            budget,
            now=now,
            previous=plan,
            previous_end=end,
            steady_interval_s=steady_interval_s,
            last_planned=_turns(client, portal),
            requests_per_check=requests_per_check,
        )
        if plan.sends:
            client.hset(f"{plan_key(portal)}:turns", mapping={str(s): plan.start for _, s in plan.sends})
        sent += _enqueue_due(plan, now, enqueue)
        plan = replace(plan, cursor=max(plan.cursor, now + HORIZON_S))
    client.set(plan_key(portal), plan.to_json(), ex=int(plan.end - now) + 3600)
    return sent


def superseded(client: redis.Redis, portal: str, *, plan_id: str, service_id: int) -> bool:
    """Whether a check of an earlier run that waited for want of a request should leave its work to a newer run
    that checks its service itself.

    Such a check is sent again once the portal's count has reset, so it would take the first request of a new
    count: one the newer run planned for another check, which would then miss its run in turn, and so on, run
    after run. That holds whether the newer run has begun or not: its plan is made a few seconds ahead, and the
    check's wait ends before the run begins when its own run sent fewer requests than it planned (or ended early:
    verifications used its requests).
    """
    plan = load(client, portal)
    return plan is not None and plan.id != plan_id and any(service == service_id for _, service in plan.sends)


def _enqueue_due(plan: StoredPlan, now: float, enqueue: Callable[[int, str, float], None]) -> int:
    due = [(at, service) for at, service in plan.sends if plan.cursor <= at < now + HORIZON_S]
    for at, service in due:
        enqueue(service, plan.id, at)
    return len(due)


def _turns(client: redis.Redis, portal: str) -> dict[int, float]:
    """When each service was last given a turn in a run (for rotating services through small runs)."""
    raw: dict[bytes, bytes] = client.hgetall(f"{plan_key(portal)}:turns")  # type: ignore[assignment]
    return {int(k): float(v) for k, v in raw.items()}

"""Planning the farm's portal requests under the portal's limiter (docs/portal.md, "Limiter"), for the shortest waits.

The city counts requests per IP and resets the count only after ``silence`` seconds without one, so the
farm works in *runs*: at most ``max_requests`` requests, then the silence. Within a run, service ``k`` gets
``n_k`` requests spread evenly over the run's length ``D``; a slot that opens at a random moment waits, on
average, ``(D²/(n_k-1) + S²) / (2 (D+S))`` for the next request of its service (``(D+S)/2`` when
``n_k = 1``). The planner gives heavier services more requests (``n_k ∝ √w_k``) and picks ``D`` to minimise
the weighted mean wait. For one service this is the closed form ``d = S (√(1+m) - 1) / m``, ``m = n - 1``,
whose expected wait equals ``d`` itself: ~6.9 s for the city's 60 requests / 60 s.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Limiter:
    """A model of the portal's limiter, already reduced by our safety margin. ``max_requests=0``: none."""

    max_requests: int
    silence_s: float

    @property
    def unlimited(self) -> bool:
        return self.max_requests <= 0


def best_spacing(requests_per_run: int, silence_s: float) -> float:
    """The spacing that minimises the expected wait for one service with ``requests_per_run``."""
    m = requests_per_run - 1
    if m <= 0:
        return 0.0
    return silence_s * (math.sqrt(1 + m) - 1) / m


def expected_wait(requests_per_run: int, run_length: float, silence_s: float) -> float:
    """Mean wait from a random moment to the next request of a service with evenly spread requests."""
    cycle = run_length + silence_s
    if requests_per_run <= 1 or run_length <= 0:
        return cycle / 2
    return (run_length**2 / (requests_per_run - 1) + silence_s**2) / (2 * cycle)


def best_expected_wait(limiter: Limiter, services: int) -> float:
    """The lowest mean wait any schedule reaches for ``services`` equal services under ``limiter``."""
    per_service = limiter.max_requests // services
    if per_service <= 1:
        runs = math.ceil(services / max(1, limiter.max_requests))
        return runs * limiter.silence_s / 2
    return best_spacing(per_service, limiter.silence_s)


@dataclass(frozen=True)
class RunPlan:
    """One run: when (seconds from its start) each service is asked, and how long the run lasts."""

    sends: tuple[tuple[float, int], ...]
    length: float
    silence_s: float

    @property
    def cycle(self) -> float:
        return self.length + self.silence_s

    def requests_of(self, service_id: int) -> int:
        return sum(1 for _, s in self.sends if s == service_id)

    def mean_interval(self, service_id: int) -> float | None:
        """Mean time between two checks of the service, over run and silence."""
        n = self.requests_of(service_id)
        return self.cycle / n if n else None


def allocate(
    weights: Mapping[int, float], requests: int, *, last_planned: Mapping[int, float] | None = None
) -> dict[int, int]:
    """Requests per service for one run: at least one each, the rest in proportion to √weight.

    With more services than requests, those planned longest ago go first (then the heavier), so all take turns.
    """
    ordered = sorted(weights, key=lambda s: (-weights[s], s))
    if requests < len(ordered):
        since = last_planned or {}
        turn = sorted(ordered, key=lambda s: (since.get(s, 0.0), -weights[s], s))
        return dict.fromkeys(turn[:requests], 1)
    counts = dict.fromkeys(ordered, 1)
    roots = {s: math.sqrt(max(weights[s], 1e-9)) for s in ordered}
    for _ in range(requests - len(ordered)):
        # the service whose share is furthest below its √weight share gets the next request
        total = sum(counts.values())
        best = max(ordered, key=lambda s: (roots[s] / sum(roots.values()) - counts[s] / total, -s))
        counts[best] += 1
    return counts


def _best_length(counts: Mapping[int, int], weights: Mapping[int, float], silence_s: float) -> float:
    """The run length minimising the weighted mean wait (golden-section search; the cost is unimodal)."""

    def cost(length: float) -> float:
        return sum(weights[s] * expected_wait(n, length, silence_s) for s, n in counts.items())

    low, high = 0.0, silence_s * max(max(counts.values()), 2)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if cost(a) <= cost(b):
            high = b
        else:
            low = a
    return (low + high) / 2


def plan_run(
    weights: Mapping[int, float],
    limiter: Limiter,
    *,
    steady_interval_s: float,
    last_planned: Mapping[int, float] | None = None,
) -> RunPlan:
    """The next run for services with these weights (higher: more subscribers, nearer deadlines)."""
    if not weights:
        return RunPlan((), 0.0, 0.0)
    if limiter.unlimited:
        step = steady_interval_s / len(weights)
        ordered = sorted(weights, key=lambda s: (-weights[s], s))
        return RunPlan(tuple((i * step, s) for i, s in enumerate(ordered)), steady_interval_s - step, step)
    counts = allocate(weights, limiter.max_requests, last_planned=last_planned)
    length = _best_length(counts, weights, limiter.silence_s)
    sends = sorted((length * j / (n - 1) if n > 1 else 0.0, s) for s, n in counts.items() for j in range(n))
    return RunPlan(tuple(sends), length, limiter.silence_s)

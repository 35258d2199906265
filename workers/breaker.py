"""One circuit breaker per portal, its state in Redis so every worker process sees the same.

While it is open, one trial check goes after ``probe_s``, then after a pause that doubles with each failed
trial up to ``probe_max_s`` (jittered): a portal that recovers is seen within seconds, and one that stays down
gets one trial per pause. pybreaker lets every call through while half-open, so the farm's processes take a
trial lock: a check that finds another's trial in flight is refused like one of an open breaker. The first
good answer closes the breaker and the plan goes on as before.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, TypeVar

import pybreaker
import redis

from core import metrics
from core.locks import held
from core.portal_state import breaker_namespace
from workers.browser import BrowserGone, BrowserUnavailable
from workers.fetch import NoBudget
from workers.portal import PortalChanged

T = TypeVar("T")
TRIAL_LEASE_S = 120.0  # a trial check's longest run; frees the lock of a process that died during one


class _StateGauge(pybreaker.CircuitBreakerListener):
    """Mirrors the breaker's state into the ``mta_breaker_open`` gauge."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        metrics.BREAKER_OPEN.set(1 if getattr(new_state, "name", "") == pybreaker.STATE_OPEN else 0)


class _FailedTrials(pybreaker.CircuitBreakerListener):
    """Counts the trials that failed since the breaker opened, in Redis, so every process spaces trials alike."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client, self._key = client, key

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        old, new = getattr(old_state, "name", ""), getattr(new_state, "name", "")
        if new == pybreaker.STATE_OPEN and old == pybreaker.STATE_HALF_OPEN:
            self._client.incr(self._key)
        elif new == pybreaker.STATE_CLOSED:
            self._client.delete(self._key)


def trial_pause(failed_trials: int, *, probe_s: float, probe_max_s: float, jitter: float = 1.0) -> float:
    """Seconds from the breaker's opening (or its last failed trial) to the next trial."""
    return float(min(probe_s * 2 ** min(failed_trials, 16), probe_max_s) * jitter)


class PortalBreaker(pybreaker.CircuitBreaker):
    """pybreaker's breaker whose pause before a trial grows with the trials that failed (module docstring)."""

    def __init__(self, client: redis.Redis, *, portal: str, probe_s: float, probe_max_s: float, **kwargs: Any) -> None:
        self._client = client
        self._trials_key = f"{breaker_namespace(portal)}:failed-trials"
        self._trial_lock = f"{breaker_namespace(portal)}:trial"
        self._in_trial = False  # pybreaker calls ``call`` again from within, as it moves from open to half-open
        self._probe_s, self._probe_max_s = probe_s, probe_max_s
        listeners = [_StateGauge(), _FailedTrials(client, self._trials_key)]
        super().__init__(listeners=listeners, reset_timeout=probe_s, name=portal, **kwargs)

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        failed = int(self._client.get(self._trials_key) or 0)
        jitter = random.uniform(0.9, 1.1)
        self.reset_timeout = trial_pause(failed, probe_s=self._probe_s, probe_max_s=self._probe_max_s, jitter=jitter)
        if self._in_trial or self.current_state == pybreaker.STATE_CLOSED:
            return super().call(func, *args, **kwargs)
        with held(self._client, self._trial_lock, lease_s=TRIAL_LEASE_S) as trial:
            if not trial:
                raise pybreaker.CircuitBreakerError("a trial of the portal is in flight")
            self._in_trial = True
            try:
                return super().call(func, *args, **kwargs)
            finally:
                self._in_trial = False


def portal_breaker(
    client: redis.Redis, *, portal: str, fail_max: int, probe_s: float, probe_max_s: float
) -> PortalBreaker:
    """A breaker for ``portal``; an answer of an unexpected shape, or our own browser dead or unable to start,
    is no outage of the portal."""
    storage = pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client, namespace=breaker_namespace(portal))
    return PortalBreaker(
        client,
        portal=portal,
        probe_s=probe_s,
        probe_max_s=probe_max_s,
        fail_max=fail_max,
        state_storage=storage,
        exclude=[PortalChanged, BrowserGone, BrowserUnavailable, NoBudget],
    )

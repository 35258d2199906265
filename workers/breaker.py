"""One circuit breaker per portal, its state in Redis so every worker process sees the same."""

from __future__ import annotations

import pybreaker
import redis

from core import metrics
from core.portal_state import breaker_namespace
from workers.browser import BrowserGone, BrowserUnavailable
from workers.fetch import NoBudget
from workers.portal import PortalChanged


class _StateGauge(pybreaker.CircuitBreakerListener):
    """Mirrors the breaker's state into the ``mta_breaker_open`` gauge."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: object, new_state: object) -> None:
        metrics.BREAKER_OPEN.set(1 if getattr(new_state, "name", "") == pybreaker.STATE_OPEN else 0)


def portal_breaker(client: redis.Redis, *, portal: str, fail_max: int, reset_timeout: int) -> pybreaker.CircuitBreaker:
    """A breaker for ``portal``; an answer of an unexpected shape, or our own browser dead or unable to start,
    is no outage of the portal."""
    storage = pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client, namespace=breaker_namespace(portal))
    return pybreaker.CircuitBreaker(
        listeners=[_StateGauge()],
        fail_max=fail_max,
        reset_timeout=reset_timeout,
        state_storage=storage,
        exclude=[PortalChanged, BrowserGone, BrowserUnavailable, NoBudget],
        name=portal,
    )

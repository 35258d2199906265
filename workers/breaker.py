"""One circuit breaker per portal, its state in Redis so every worker process sees the same."""

from __future__ import annotations

import pybreaker
import redis

from core.portal_state import breaker_namespace
from workers.portal import PortalChanged


def portal_breaker(client: redis.Redis, *, portal: str, fail_max: int, reset_timeout: int) -> pybreaker.CircuitBreaker:
    """A breaker for ``portal``; an answer of an unexpected shape is not an outage and does not trip it."""
    storage = pybreaker.CircuitRedisStorage(pybreaker.STATE_CLOSED, client, namespace=breaker_namespace(portal))
    return pybreaker.CircuitBreaker(
        fail_max=fail_max,
        reset_timeout=reset_timeout,
        state_storage=storage,
        exclude=[PortalChanged],
        name=portal,
    )

"""Locks across the farm's processes: redis-py's token locks, so only a lock's holder frees it, and a holder whose
lease ran out (a slow or frozen process) can no longer free the lock its successor took."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis
from redis.exceptions import LockNotOwnedError


@contextlib.contextmanager
def held(client: redis.Redis, name: str, *, lease_s: float) -> Iterator[bool]:
    """Try once to take lock ``name`` for at most ``lease_s`` seconds; the block learns whether it holds it and
    frees it at its end, unless the lease ran out meanwhile."""
    lock = client.lock(name, timeout=lease_s, blocking=False)
    acquired = bool(lock.acquire())
    try:
        yield acquired
    finally:
        if acquired:
            with contextlib.suppress(LockNotOwnedError):  # expired, perhaps taken by another: theirs now
                lock.release()

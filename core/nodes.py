"""Worker node heartbeats: each Celery worker (the main process of a prefork pool) says every few seconds that
it lives, whether or not it has checks to do, so an idle node is not mistaken for a dead one.

One hash, ``mta:nodes``: field = the node's Celery hostname (``worker@host``), value = unix seconds of its latest
beat. A node that shuts down cleanly takes its field away; one that dies leaves it to age, which the API exports
as ``mta_worker_heartbeat_age_seconds`` for the alert. Per-process heartbeats with browser counts are
``core.heartbeats``.
"""

from __future__ import annotations

import time

import redis

NODES_KEY = "mta:nodes"
FORGET_AFTER_S = 86400


def beat_node(client: redis.Redis, node: str, *, now: float | None = None) -> None:
    client.hset(NODES_KEY, node, str(time.time() if now is None else now))


def forget_node(client: redis.Redis, node: str) -> None:
    client.hdel(NODES_KEY, node)


def node_ages(client: redis.Redis, *, now: float | None = None) -> dict[str, float]:
    """Seconds since each node's latest beat; nodes silent for a day are dropped."""
    moment = time.time() if now is None else now
    raw: dict[bytes, bytes] = client.hgetall(NODES_KEY)  # type: ignore[assignment]  # sync client
    ages, stale = {}, []
    for field, value in raw.items():
        try:
            age = max(0.0, moment - float(value))
        except ValueError:
            continue
        if age > FORGET_AFTER_S:
            stale.append(field)
        else:
            ages[field.decode(errors="replace")] = age
    if stale:
        client.hdel(NODES_KEY, *stale)
    return ages

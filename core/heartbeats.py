"""Worker heartbeats in Redis: each worker process says now and then that it lives, and how it fares.

One hash, ``mta:heartbeats``: field = worker (``hostname:pid``), value = JSON with ``at`` (unix seconds),
``browsers_open``, ``checks_done`` and ``browser_error`` (why its Chromium cannot start, or null). A worker is
alive while its last beat is younger than ``alive_within_s``; beats older than a day are dropped when read.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import redis

HEARTBEATS_KEY = "mta:heartbeats"
FORGET_AFTER_S = 86400


@dataclass(frozen=True)
class Heartbeat:
    worker: str
    seen_at: dt.datetime
    alive: bool
    browsers_open: int
    checks_done: int
    browser_error: str | None = None  # why its Chromium cannot start: the farm's failure, not the portal's


def beat(
    client: redis.Redis,
    *,
    worker: str,
    browsers_open: int,
    checks_done: int,
    browser_error: str | None = None,
    now: float | None = None,
) -> None:
    """Record that ``worker`` lives, with its open browsers, the checks it has done since it started, and why its
    browser cannot start, if it cannot."""
    at = time.time() if now is None else now
    value = json.dumps(
        {"at": at, "browsers_open": browsers_open, "checks_done": checks_done, "browser_error": browser_error}
    )
    client.hset(HEARTBEATS_KEY, worker, value)


def read_heartbeats(client: redis.Redis, *, alive_within_s: float = 90.0, now: float | None = None) -> list[Heartbeat]:
    """Every worker heard from in the last day, by name; unreadable entries are skipped."""
    moment = time.time() if now is None else now
    raw: dict[bytes, bytes] = client.hgetall(HEARTBEATS_KEY)  # type: ignore[assignment]  # sync client
    beats, stale = [], []
    for field, value in sorted(raw.items()):
        try:
            data = json.loads(value)
            at, browsers, done = float(data["at"]), int(data["browsers_open"]), int(data["checks_done"])
        except (ValueError, KeyError, TypeError):
            continue
        if moment - at > FORGET_AFTER_S:
            stale.append(field)
            continue
        seen = dt.datetime.fromtimestamp(at, dt.UTC)
        error = data.get("browser_error")
        alive = moment - at <= alive_within_s
        beats.append(Heartbeat(field.decode(), seen, alive, browsers, done, str(error) if error else None))
    if stale:
        client.hdel(HEARTBEATS_KEY, *stale)
    return beats

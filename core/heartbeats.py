"""Worker heartbeats in Redis: each worker process says now and then that it lives, and how it fares.

One hash, ``mta:heartbeats``: field = worker (``hostname:pid``), value = JSON
``{"at": <unix seconds>, "browsers_open": <int>, "checks_done": <int>}``. A worker is alive while its last
beat is younger than ``alive_within_s``; beats older than a day are dropped when read.
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


def beat(client: redis.Redis, *, worker: str, browsers_open: int, checks_done: int, now: float | None = None) -> None:
    """Record that ``worker`` lives, with its open browsers and the checks it has done since it started."""
    at = time.time() if now is None else now
    value = json.dumps({"at": at, "browsers_open": browsers_open, "checks_done": checks_done})
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
        beats.append(Heartbeat(field.decode(), seen, moment - at <= alive_within_s, browsers, done))
    if stale:
        client.hdel(HEARTBEATS_KEY, *stale)
    return beats

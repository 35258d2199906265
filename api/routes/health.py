"""Liveness, readiness (database, Redis, broker) and Prometheus metrics."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from kombu.connection import Connection
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine, text

from api.schemas import HealthOut, ReadyOut
from core.heartbeats import read_heartbeats

router = APIRouter(tags=["health"])
PROBE_TIMEOUT_S = 2.0


def database_ok(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to reach the database means "not ready"
        return False


def redis_ok(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


def broker_ok(url: str) -> bool:
    """Whether Celery's broker takes a connection, asked through kombu as the workers and beat do."""
    try:
        with Connection(url, connect_timeout=PROBE_TIMEOUT_S) as connection:  # type: ignore[no-untyped-call]  # kombu is untyped
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=PROBE_TIMEOUT_S)
        return True
    except Exception:  # kombu raises transport-specific errors; any of them means "not ready"
        return False


def farm_problems(client: redis.Redis) -> list[str]:
    """Live workers whose browser cannot start: the farm's failure, never the portal's."""
    try:
        beats = read_heartbeats(client)
    except redis.RedisError:
        return []
    return [f"{b.worker}: browser unavailable: {b.browser_error}" for b in beats if b.alive and b.browser_error]


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """The process is up and serving."""
    return HealthOut(status="ok")


@router.get(
    "/readyz",
    response_model=ReadyOut,
    responses={503: {"model": ReadyOut, "description": "Something the API needs is unreachable; `down` names it"}},
)
def readyz(request: Request) -> Any:
    """The database, Redis and the Celery broker are reachable; 503 naming what is down otherwise. ``farm``
    names the workers' own failures (a browser that cannot start), which do not make the API unready."""
    state = request.app.state
    with ThreadPoolExecutor(max_workers=3) as pool:
        probes = {
            "database": pool.submit(database_ok, state.engine),
            "redis": pool.submit(redis_ok, state.redis),
            "broker": pool.submit(broker_ok, state.settings.redis_url),
        }
        checks = {name: probe.result() for name, probe in probes.items()}
    down = [name for name, ok in checks.items() if not ok]
    farm = farm_problems(state.redis) if checks["redis"] else []
    body = ReadyOut(status="unavailable" if down else "ready", checks=checks, down=down, farm=farm)
    return JSONResponse(body.model_dump(), status_code=503 if down else 200)


class Exposition:
    """The rendered metrics, kept for ``ttl_s``: open to anyone, a flood of calls costs one render (60-155 ms of
    Redis, database and multiprocess files) per ``ttl_s``; Prometheus scrapes every 15 s."""

    def __init__(self, render: Callable[[], bytes], *, ttl_s: float = 5.0) -> None:
        self._render, self._ttl_s = render, ttl_s
        self._lock = threading.Lock()
        self._at, self._text = -math.inf, b""

    def text(self) -> bytes:
        with self._lock:
            if time.monotonic() - self._at >= self._ttl_s:
                self._text, self._at = self._render(), time.monotonic()
            return self._text


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def prometheus_metrics(request: Request) -> Response:
    """Prometheus exposition: request latency by route, the farm's counters, and its shared state (breaker,
    budget, node heartbeats, each watched target's latest successful check), at most a few seconds old."""
    return Response(request.app.state.exposition.text(), media_type=CONTENT_TYPE_LATEST)

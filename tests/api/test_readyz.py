"""/readyz against the API process: a private Redis stopped and started again (never the machine's shared one)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import redis

from core.heartbeats import beat
from launch.processes import ProcessGroup, free_port
from tests.api.conftest import api_env, start_api


def start_private_redis(group: ProcessGroup, port: int) -> None:
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    group.start("redis", argv)
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server on {port} did not come up:\n{group.tail('redis')}")


def test_readyz_names_redis_while_it_is_down_and_recovers(
    process_group: ProcessGroup, sqlite_url: str, evidence_dir: Path
) -> None:
    port = free_port()
    start_private_redis(process_group, port)
    api = start_api(process_group, api_env(sqlite_url, f"redis://127.0.0.1:{port}/0", evidence_dir))
    assert httpx.get(f"{api}/readyz").json() == {
        "status": "ready",
        "checks": {"database": True, "redis": True, "broker": True},
        "down": [],
        "farm": [],
    }
    beat(redis.Redis(port=port), worker="w@h:1", browsers_open=0, checks_done=0, browser_error="no Chromium here")
    ready = httpx.get(f"{api}/readyz")
    assert ready.status_code == 200, "the farm's own failure leaves the API ready"
    assert ready.json()["farm"] == ["w@h:1: browser unavailable: no Chromium here"]

    process_group.stop("redis")
    down = httpx.get(f"{api}/readyz", timeout=15)
    assert down.status_code == 503
    assert "redis" in down.json()["down"]
    assert down.json()["checks"]["database"] is True
    assert httpx.get(f"{api}/healthz").status_code == 200, "the process itself is still up"

    start_private_redis(process_group, port)
    assert httpx.get(f"{api}/readyz", timeout=15).status_code == 200

"""A worker's Chromium is found at its start: a missing one stops the worker with the fix in one line, leaving
the portal's breaker and state untouched (issue 17); a present one is launched before the first check."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import redis

from core.heartbeats import read_heartbeats
from core.portal_state import breaker_state, portal_state_key
from core.settings import portal_name
from launch.farm import farm_env, start_worker
from launch.processes import PYTHON, ProcessGroup
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
API = "http://127.0.0.1:9/buergeransicht/api/citizen"  # never reached: the worker stops before its first check


def test_a_worker_without_chromium_refuses_to_start_naming_the_fix(
    tmp_path: Path, redis_url: str, sqlite_url: str
) -> None:
    env = {
        **os.environ,
        **farm_env(
            urls_replica="http://127.0.0.1:9", database_url=sqlite_url, redis_url=redis_url, evidence_dir=tmp_path
        ),
        "MTA_CHROMIUM_PATH": str(tmp_path / "no-chromium-here"),
    }
    worker = [PYTHON, "-m", "celery", "--quiet", "-A", "workers.celery_app", "worker", "--pool", "prefork"]
    done = subprocess.run(worker, env=env, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode != 0
    assert "MTA_CHROMIUM_PATH" in done.stderr, done.stderr[-2000:]
    assert "apt-get install chromium" in done.stderr
    client = redis.Redis.from_url(redis_url)
    portal = portal_name(API)
    assert breaker_state(client, portal) == "closed"
    assert client.get(portal_state_key(portal)) is None, "the portal's state is not the browser's"


def test_each_worker_process_has_its_chromium_before_its_first_check(
    tmp_path: Path, redis_url: str, sqlite_url: str
) -> None:
    """A check that finds an opening never waits for a launch: each process launches at its start and says so."""
    with ProcessGroup(tmp_path / "logs") as group:
        group.env = farm_env(
            urls_replica="http://127.0.0.1:9", database_url=sqlite_url, redis_url=redis_url, evidence_dir=tmp_path
        )
        start_worker(group, concurrency=2)
        client = redis.Redis.from_url(redis_url)
        wait_until(lambda: len(read_heartbeats(client)) == 2, timeout=60, what="both processes' heartbeats")
        beats = read_heartbeats(client)
    assert [(b.browsers_open, b.checks_done, b.browser_error) for b in beats] == [(1, 0, None)] * 2

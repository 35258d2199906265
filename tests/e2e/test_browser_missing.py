"""A missing Chromium is the farm's failure, found at once: the worker refuses to start with the fix in one line,
and the portal's breaker and state stay untouched (issue 17)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import redis

from core.portal_state import breaker_state, portal_name, portal_state_key
from launch.farm import farm_env
from launch.processes import PYTHON

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

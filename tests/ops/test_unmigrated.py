"""Every process refuses an unmigrated database at start, with a message naming the command to run."""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from launch.processes import PYTHON

COMMANDS = {
    "worker": ["-m", "celery", "--quiet", "-A", "workers.celery_app", "worker", "--pool", "prefork", "-c", "1"],
    "beat": ["-m", "celery", "--quiet", "-A", "workers.celery_app", "beat", "--schedule", "{tmp}/beat-schedule"],
    "api": ["-m", "api", "--port", "0"],
    "bot": ["-m", "bot"],
}


@pytest.mark.parametrize("process", sorted(COMMANDS))
def test_a_process_on_an_empty_database_stops_naming_make_migrate(process: str, tmp_path: Path, redis_url: str) -> None:
    env = {
        **os.environ,
        "MTA_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "MTA_REDIS_URL": redis_url,
        "MTA_API_TOKEN": secrets.token_urlsafe(32),
        "MTA_TELEGRAM_TOKEN": "123456:TEST-TOKEN",
        "MTA_TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot",  # never reached
    }
    argv = [PYTHON, *(a.format(tmp=tmp_path) for a in COMMANDS[process])]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[2])
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "refuses to start" in output, output[-2000:]
    assert "make migrate" in output, output[-2000:]

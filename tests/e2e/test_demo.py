"""`make demo` as a newcomer runs it: the launcher prints its finding, and one Ctrl-C (with a SIGTERM a second
later, as a supervisor sends) stops every process it started (issue 17)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from launch.processes import PYTHON

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def _started_here(folder: Path) -> list[psutil.Process]:
    """Every process whose working folder is ``folder``: the launcher's children all inherit it."""
    found = []
    for process in psutil.process_iter(["cwd"]):
        try:
            if process.info["cwd"] and Path(process.info["cwd"]).resolve() == folder.resolve():
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _open(url: str) -> bool:
    host, port = re.match(r"https?://([^:/]+):(\d+)", url).groups()  # type: ignore[union-attr]
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


def test_the_demo_finds_its_slot_and_stops_cleanly_on_ctrl_c_then_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MTA_")}
    env["PYTHONPATH"] = str(REPO)
    launcher = subprocess.Popen(
        [PYTHON, "-m", "launch.demo", "--interval", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert launcher.stdout is not None
    printed: list[str] = []
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline and not any(line.startswith("The farm keeps watching") for line in printed):
        line = launcher.stdout.readline()
        if not line and launcher.poll() is not None:
            break
        printed.append(line.rstrip("\n"))
    text = "\n".join(printed)
    assert any(line.startswith("FOUND") for line in printed), text
    assert re.search(r"^screenshot\s+http", text, re.M), text
    urls = re.findall(r"(http://127\.0\.0\.1:\d+)", text)
    assert urls, text
    assert _started_here(tmp_path), "the farm's processes run"

    launcher.send_signal(signal.SIGINT)
    time.sleep(1)
    launcher.send_signal(signal.SIGTERM)  # a supervisor's SIGTERM during the shutdown hurries it, never aborts it
    launcher.wait(timeout=20)
    deadline = time.monotonic() + 20
    while _started_here(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _started_here(tmp_path) == [], "no process of the demo is left"
    assert not any(_open(url) for url in urls), "their ports are closed"

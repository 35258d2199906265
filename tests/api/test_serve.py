"""``python -m api --workers N``: uvicorn's N server processes on one port, a dead one replaced, all stopped
together; and the request-head bound of every process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from api.limits import MAX_HEAD_BYTES
from core.migrate import upgrade
from launch.processes import PYTHON, ProcessGroup, free_port
from tests.api.conftest import api_env


def _servers(parent: int) -> list[psutil.Process]:
    """The parent's live server processes (multiprocessing's resource tracker is a child too, and serves nothing;
    a killed process stays a zombie until uvicorn reaps it)."""
    found = []
    for child in psutil.Process(parent).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:  # ended meanwhile
            continue
    return found


def _gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@dataclass
class Served:
    parent: subprocess.Popen[bytes]
    port: int
    servers: list[psutil.Process]


@pytest.fixture
def served(sqlite_url: str, redis_url: str, evidence_dir: Path, tmp_path: Path) -> Iterator[Served]:
    """``python -m api --workers 2`` on a migrated SQLite database, until the test ends."""
    upgrade(sqlite_url)
    port = free_port()
    with ProcessGroup(tmp_path / "logs") as group:
        parent = group.start(
            "api",
            [PYTHON, "-m", "api", "--port", str(port), "--workers", "2"],
            env=api_env(sqlite_url, redis_url, evidence_dir),
            ready_url=f"http://127.0.0.1:{port}/healthz",
        )
        yield Served(parent, port, _servers(parent.pid))


def test_the_processes_serve_together_and_a_dead_one_is_replaced(served: Served) -> None:
    assert len(served.servers) == 2
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=10) as client:
        assert all(client.get("/healthz").status_code == 200 for _ in range(10))
        os.kill(served.servers[0].pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(_servers(served.parent.pid)) < 2 or served.servers[0].pid in _pids(served.parent.pid):
            assert time.monotonic() < deadline, "uvicorn replaces a dead server process"
            time.sleep(0.2)
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=10) as client:
        assert all(client.get("/healthz").status_code == 200 for _ in range(10))
    assert served.parent.poll() is None, "the API as a whole stays up"


def _pids(parent: int) -> set[int]:
    return {p.pid for p in _servers(parent)}


def test_sigterm_stops_every_process_cleanly(served: Served) -> None:
    served.parent.send_signal(signal.SIGTERM)
    assert served.parent.wait(30) == 0
    assert all(_gone(server) for server in served.servers)


def _answer_to(port: int, head: bytes) -> bytes:
    """What the server answers a request with this head, read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def test_a_request_head_past_the_bound_gets_431_and_a_closed_connection(served: Served) -> None:
    """Issue 19: httptools alone took a 32 MiB header whole. Exactly one byte too many is sent, so the server has
    read all of it when it refuses (a close with bytes unread would reset the connection, and the answer)."""
    start = b"GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-filler: "
    answer = _answer_to(served.port, start + b"a" * (MAX_HEAD_BYTES + 1 - len(start)))
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
    assert str(MAX_HEAD_BYTES).encode() in answer

    fine = start.replace(b"x-filler", b"connection: close\r\nx-filler") + b"a" * 16384 + b"\r\n\r\n"
    assert _answer_to(served.port, fine).startswith(b"HTTP/1.1 200 "), "a large but sane head is served"

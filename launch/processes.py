"""A group of child processes that start in order, report ready, and all stop together."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_http(url: str, *, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until ``url`` answers below 500, or fail naming the process that died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode} before {url} was up")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s")


@contextlib.contextmanager
def _signals_hurry(hurry: threading.Event) -> Iterator[None]:
    """While stopping: SIGINT and SIGTERM set ``hurry`` instead of raising (only the main thread has signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, lambda *_: hurry.set()) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@dataclass
class ProcessGroup:
    """Children each in their own session, so stopping one also stops what it started (e.g. Chromium)."""

    log_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        ready_url: str | None = None,
        ready_timeout: float = 60.0,
    ) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            list(argv),
            env={**os.environ, **self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.children[name] = process
        if ready_url:
            try:
                wait_http(ready_url, timeout=ready_timeout, process=process)
            except (RuntimeError, TimeoutError) as exc:
                raise RuntimeError(f"{exc}\n--- {name}.log ---\n{self.tail(name)}") from exc
        return process

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.log_dir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def signal(self, name: str, signum: int) -> None:
        process = self.children[name]
        if process.poll() is None:
            os.killpg(process.pid, signum)

    def stop(self, name: str, *, grace: float = 10.0) -> None:
        process = self.children.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(grace)
        # Whatever the child left in its session (prefork children, Chromium) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self, *, grace: float = 10.0) -> None:
        """Stop every child: SIGTERM to each session at once, up to ``grace`` seconds to finish, then SIGKILL to
        whatever is left. A Ctrl-C or SIGTERM meanwhile hurries it to the SIGKILL, but never aborts it."""
        hurry = threading.Event()
        with _signals_hurry(hurry):
            children = [self.children.pop(name) for name in reversed(list(self.children))]
            for process in children:
                if process.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while any(p.poll() is None for p in children) and time.monotonic() < deadline and not hurry.is_set():
                hurry.wait(0.1)
            for process in children:  # what a child left in its session (prefork children, Chromium) goes too
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()

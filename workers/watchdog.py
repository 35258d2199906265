"""A time bound for browser operations that Playwright gives none: ``route``, ``evaluate``, ``new_page``, ``close``.

Playwright's sync API blocks the worker's thread in such a call for as long as the browser does not answer; a
renderer stuck in a script holds even ``page.route`` forever. Only another thread can end the wait, and the one
thing it may do without touching Playwright is kill the browser's process. The blocked call then fails as after
a crash, and the pool launches a new browser for the next check.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")


def _switches(pid: int) -> list[bytes]:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:  # gone, or no /proc on this system
        return []


def _is_browser(switches: list[bytes], mark: str) -> bool:
    """The browser's own process carries the mark; its renderers and helpers carry ``--type=``."""
    return mark.encode() in switches and not any(s.startswith(b"--type=") for s in switches)


def browser_pid(mark: str) -> int | None:
    """The process of the browser launched with the switch ``mark`` (Linux: read from /proc)."""
    for entry in PROC.glob("[0-9]*"):
        if _is_browser(_switches(int(entry.name)), mark):
            return int(entry.name)
    return None


class Watchdog:
    """Kills one browser's process when an operation bounded by ``bounded`` outlasts its time."""

    def __init__(self, *, pid: int | None, mark: str) -> None:
        self._pid = pid
        self._mark = mark
        if pid is None:
            log.warning("the browser's process was not found; its operations without a timeout are unbounded")

    @contextmanager
    def bounded(self, what: str, seconds: float) -> Iterator[threading.Event]:
        """Run the block; past ``seconds`` the browser is killed. Yields the event set when it was."""
        killed = threading.Event()
        timer = threading.Timer(seconds, self._kill, args=(what, seconds, killed))
        timer.daemon = True
        timer.start()
        try:
            yield killed
        finally:
            timer.cancel()

    def _kill(self, what: str, seconds: float, killed: threading.Event) -> None:
        # The pid is checked again: a browser that exited meanwhile may have left its number to another process.
        if self._pid is None or not _is_browser(_switches(self._pid), self._mark):
            return
        log.error("the browser hung %s for %.0f s: its process is killed", what, seconds)
        killed.set()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)

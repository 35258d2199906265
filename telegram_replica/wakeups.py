"""Async waits for state that changes in any thread: each waiter's event is set on its own loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Wakeups:
    """Waiters on state guarded by ``lock``; whoever changes that state calls ``wake``."""

    def __init__(self, lock: threading.Lock | threading.RLock) -> None:
        self._lock = lock
        self._waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def wake(self) -> None:
        with self._lock:
            waiting = list(self._waiting)
        for loop, event in waiting:
            loop.call_soon_threadsafe(event.set)

    async def until(self, ready: Callable[[], T | None], timeout: float) -> T | None:  # noqa: ASYNC109
        """``ready()``'s first result that is not None, checked under the lock at once and after each wake;
        None after ``timeout`` seconds."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            event = asyncio.Event()
            entry = (asyncio.get_running_loop(), event)
            with self._lock:
                if (result := ready()) is not None:
                    return result
                self._waiting.append(entry)
            try:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return None
            finally:
                with self._lock:
                    self._waiting.remove(entry)

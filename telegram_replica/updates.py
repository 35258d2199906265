"""The queue of updates waiting for the bot, with ``getUpdates`` long polling.

Updates are pushed from any thread (a test calling ``send_text``) and awaited on the server's event loop,
so waiters are woken with ``call_soon_threadsafe``.
"""

import asyncio
import threading
import time
from typing import Any

JSON = dict[str, Any]


class UpdateQueue:
    """Unconfirmed updates in ``update_id`` order, dropped once the bot asks for a later offset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[JSON] = []
        self._next_id = 1
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._closed = False

    def push(self, payload: JSON) -> int:
        """Queue ``payload`` (``{"message": …}`` etc.) under a fresh ``update_id`` and wake pollers."""
        with self._lock:
            update_id = self._next_id
            self._next_id += 1
            self._pending.append({"update_id": update_id, **payload})
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)
        return update_id

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> list[JSON]:
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``; a negative offset keeps only the last ``-offset`` ones."""
        with self._lock:
            if offset < 0:
                self._pending = self._pending[offset:]
            else:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def close(self) -> None:
        """Let every long poll return now and later ones at once (server shutdown)."""
        with self._lock:
            self._closed = True
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def poll(self, *, offset: int | None, limit: int, wait: float) -> list[JSON]:
        """What ``getUpdates`` answers: pending updates at once, else the first within ``wait`` s."""
        if offset is not None:
            self.confirm(offset)
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            event = asyncio.Event()
            entry = (asyncio.get_running_loop(), event)
            with self._lock:
                batch = self._pending[:limit]
                if self._closed:
                    return batch
                if not batch:
                    self._waiters.append(entry)
            if batch:
                return batch
            try:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return []
            finally:
                with self._lock:
                    self._waiters.remove(entry)

    async def wait_pending(self, wait: float) -> bool:
        """Wait until something is pending (the webhook pusher); ``True`` if it is."""
        return bool(await self.poll(offset=None, limit=1, wait=wait))

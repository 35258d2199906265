"""The queue of updates waiting for the bot, with ``getUpdates`` long polling.

Updates are pushed from any thread (a test calling ``send_text``) and awaited on the server's event loop,
so waiters are woken with ``call_soon_threadsafe``.
"""

import threading
from typing import Any

from telegram_replica.wakeups import Wakeups

JSON = dict[str, Any]


class UpdateQueue:
    """Unconfirmed updates in ``update_id`` order, dropped once the bot asks for a later offset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[JSON] = []
        self._next_id = 1
        self._wakeups = Wakeups(self._lock)
        self._closed = False

    def push(self, payload: JSON) -> int:
        """Queue ``payload`` (``{"message": …}`` etc.) under a fresh ``update_id`` and wake pollers."""
        with self._lock:
            update_id = self._next_id
            self._next_id += 1
            self._pending.append({"update_id": update_id, **payload})
        self._wakeups.wake()
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
        self._wakeups.wake()

    async def poll(self, *, offset: int | None, limit: int, wait: float) -> list[JSON]:
        """What ``getUpdates`` answers: pending updates at once, else the first within ``wait`` s."""
        if offset is not None:
            self.confirm(offset)

        def ready() -> list[JSON] | None:
            batch = self._pending[:limit]
            return batch if batch or self._closed else None

        return await self._wakeups.until(ready, wait) or []

    async def wait_pending(self, wait: float) -> bool:
        """Wait until something is pending (the webhook pusher); ``True`` if it is."""
        return bool(await self.poll(offset=None, limit=1, wait=wait))

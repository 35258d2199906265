"""Telegram's flood control as sliding windows: a global one and one per chat.

A message over either limit is refused with a ``retry_after`` that is the whole seconds until the oldest
message in the full window leaves it, which is what a well-behaved client must wait.
"""

import math
from collections import deque

from telegram_replica.config import RateLimit


class SlidingWindow:
    """Timestamps of the messages accepted in the last ``limit.period`` seconds."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._times: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        """Seconds to wait before another message fits, or ``None`` if one fits now."""
        while self._times and self._times[0] <= now - self.limit.period:
            self._times.popleft()
        if len(self._times) < self.limit.count:
            return None
        return max(1, math.ceil(self._times[0] + self.limit.period - now))

    def record(self, now: float) -> None:
        self._times.append(now)


class FloodControl:
    """Decides whether one more message to ``chat_id`` may go out now; not thread-safe by itself."""

    def __init__(self, *, global_limit: RateLimit | None, per_chat_limit: RateLimit | None) -> None:
        self._global = SlidingWindow(global_limit) if global_limit else None
        self._per_chat_limit = per_chat_limit
        self._chats: dict[int | str, SlidingWindow] = {}

    def admit(self, chat_id: int | str, now: float) -> int | None:
        """Record the message and return ``None``, or return the ``retry_after`` that refuses it."""
        windows = [w for w in (self._global, self._chat_window(chat_id)) if w is not None]
        waits = [wait for w in windows if (wait := w.retry_after(now)) is not None]
        if waits:
            return max(waits)
        for window in windows:
            window.record(now)
        return None

    def _chat_window(self, chat_id: int | str) -> SlidingWindow | None:
        if self._per_chat_limit is None:
            return None
        return self._chats.setdefault(chat_id, SlidingWindow(self._per_chat_limit))

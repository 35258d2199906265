"""Per-IP rate limiter, exactly as the city's ``RateLimitingMiddleware`` (docs/portal.md, "Limiter").

Each client IP has an entry ``{count, last}`` whose lifetime is ``silence`` seconds and is renewed by every
counted request. The count therefore only returns to zero after ``silence`` seconds without a counted
request; refused requests do not renew it. Which requests are counted is decided by the caller (the
replica counts every request under the citizen API prefix, whatever its route or answer, because the
city's middleware runs before routing; the booking page, its static files and the admin routes are not
under the API and are not counted).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class _Entry:
    count: int
    last: float


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: dict[str, str]


class RateLimiter:
    def __init__(self, max_requests: int = 60, silence_seconds: float = 60.0, enabled: bool = True) -> None:
        self.max_requests = max_requests
        self.silence_seconds = silence_seconds
        self.enabled = enabled
        self._entries: dict[str, _Entry] = {}

    def configure(
        self,
        *,
        max_requests: int | None = None,
        silence_seconds: float | None = None,
        enabled: bool | None = None,
    ) -> None:
        if max_requests is not None:
            self.max_requests = max_requests
        if silence_seconds is not None:
            self.silence_seconds = silence_seconds
        if enabled is not None:
            self.enabled = enabled
        self._entries.clear()

    def reset(self) -> None:
        self._entries.clear()

    def hit(self, ip: str, now: float) -> Decision:
        """Count one request of ``ip`` at ``now``; refused requests change nothing."""
        if not self.enabled:
            return Decision(True, {})
        entry = self._entries.get(ip)
        if entry is None or now - entry.last >= self.silence_seconds:
            entry = self._entries[ip] = _Entry(count=1, last=now)
        elif entry.count >= self.max_requests:
            return Decision(False, {})
        else:
            entry.count += 1
            entry.last = now
        remaining = max(0, self.max_requests - entry.count - 1)
        return Decision(
            True,
            {
                "X-RateLimit-Limit": str(self.max_requests),
                "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(int(entry.last + self.silence_seconds)),
            },
        )

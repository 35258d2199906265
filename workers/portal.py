"""The portal's citizen API as PORTAL.md describes it: answers parsed into values, failures typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.slots import MUNICH, Observation, SeenSlot

CALENDAR_PATHS = ("/available-calendar/", "/available-days-by-office/")


@dataclass
class PortalError(Exception):
    """The portal did not answer with slots or with 'no slots'."""

    message: str
    url: str | None = None
    status: int | None = None
    screenshot: bytes | None = None
    body: bytes | None = None

    state = "error"

    def __str__(self) -> str:
        where = f" ({self.status} from {self.url})" if self.status else f" ({self.url})" if self.url else ""
        return f"{self.state}: {self.message}{where}"


class PortalUnavailable(PortalError):
    """No answer in time, or the connection failed."""

    state = "unavailable"


class PortalDown(PortalError):
    """503, maintenance or a server error."""

    state = "down"


class PortalBlocked(PortalError):
    """403 / IP_BLACKLISTED, or the limiter refused us (429)."""

    state = "blocked"


class PortalChanged(PortalError):
    """An answer that does not have the documented shape."""

    state = "changed"


def error_codes(body: Any) -> list[str]:
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return [str(e.get("errorCode")) for e in body["errors"] if isinstance(e, dict)]
    return []


def raise_for_answer(*, url: str, status: int, body: Any) -> None:
    """Turn a non-success calendar answer into the failure it stands for."""
    if status == 200:
        return
    codes = error_codes(body)
    message = ", ".join(codes) or f"HTTP {status}"
    if status in (403, 429) or "IP_BLACKLISTED" in codes:
        raise PortalBlocked(message, url, status)
    if status >= 500:
        raise PortalDown(message, url, status)
    raise PortalChanged(message, url, status)


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not a unix timestamp: {value!r}")
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def parse_calendar(body: Any, *, url: str) -> Observation:
    """Read an ``available-calendar/`` answer (PORTAL.md §2.4.2) into an Observation."""
    try:
        days = body["availableDays"]
        bookable = frozenset(dt.date.fromisoformat(d["date"]) for d in days)
        slots = frozenset(
            SeenSlot(_timestamp(ts), int(office["officeId"]))
            for day in days
            for office in day.get("offices") or ()
            for ts in office.get("appointments") or ()
        )
        painted_from, painted_to = _date(body.get("startDate")), _date(body.get("endDate"))
        window = _date(body.get("slotsStartDate"))
        slots_day = min((s.starts_at.astimezone(MUNICH).date() for s in slots), default=None)
        if slots_day is None and window is not None and window == _date(body.get("slotsEndDate")):
            slots_day = window
        if window is not None:
            # The answer paints only the month of the slot window (clipped to the horizon).
            month_start = window.replace(day=1)
            next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
            painted_from = max(month_start, painted_from or month_start)
            painted_to = min(next_month - dt.timedelta(days=1), painted_to or next_month)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PortalChanged(f"calendar answer has an unexpected shape: {exc!r}", url, 200) from exc
    return Observation(slots, bookable, slots_day, painted_from, painted_to)

"""What users type, read into values: dates, time ranges, and the date windows the buttons offer."""

from __future__ import annotations

import calendar
import datetime as dt
import re

DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")
DAY_MONTH = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?$")
TIME_RANGE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(?:-|\u2013|\u2014|to|bis)\s*(\d{1,2})(?::(\d{2}))?(?:\s*uhr)?$")
WINDOWS = {"2w": 0, "1m": 1, "3m": 3}  # months ahead; "2w" is two weeks


class DateInPast(ValueError):
    """A day before today."""


class DateTooFar(ValueError):
    """More than a year ahead: the portal never shows that far."""


def parse_date(raw: str, *, today: dt.date) -> dt.date:
    """A day typed as 31.12.2026, 31.12.26, 2026-12-31 or 31.12. (the next such day); ``ValueError`` if unreadable."""
    value = raw.strip()
    if match := DAY_MONTH.match(value):
        day, month = int(match[1]), int(match[2])
        found = dt.date(today.year, month, day)
        return found if found >= today else dt.date(today.year + 1, month, day)
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date: {raw!r}")


def check_until(day: dt.date, *, today: dt.date) -> dt.date:
    """``day`` as the end of a window; ``DateInPast`` or ``DateTooFar`` otherwise."""
    if day < today:
        raise DateInPast(day.isoformat())
    if day > add_months(today, 12):
        raise DateTooFar(day.isoformat())
    return day


def parse_time_range(raw: str) -> tuple[dt.time, dt.time]:
    """08:00-11:30, 8-12, 8:30 bis 12 Uhr …; ``ValueError`` if unreadable or the end is not after the start."""
    match = TIME_RANGE.match(raw.strip().lower())
    if not match:
        raise ValueError(f"not a time range: {raw!r}")
    start = dt.time(int(match[1]), int(match[2] or 0))
    end = dt.time(int(match[3]), int(match[4] or 0))
    if end <= start:
        raise ValueError(f"{raw!r} ends before it starts")
    return start, end


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_end(choice: str, *, today: dt.date) -> dt.date:
    """The last day of the window a button offers (``2w``, ``1m``, ``3m``)."""
    if choice == "2w":
        return today + dt.timedelta(days=14)
    return add_months(today, WINDOWS[choice])

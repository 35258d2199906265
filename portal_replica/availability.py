"""Bookable days and free times: the ``available-calendar`` algorithm (docs/portal.md, "Calendar").

Follows ``zmsbackend/.../Calendar/Service/CalendarAvailability.php::readAvailability``:

- the slots window defaults to start/endDate and is clamped into that horizon;
- ``availableDays`` covers the month(s) of the slots window, clipped to the horizon ("painted month");
- free times are returned for one day only: a multi-day window is narrowed to its first bookable day, a
  one-day window without free times moves to the first bookable day of the painted month;
- a painted month without any bookable day jumps to the first bookable day after it ("Vorlauf"), moving
  the slots window and the painted month there;
- ``prevBookableDate`` / ``nextBookableDate`` are the nearest bookable days outside the painted range.

"Bookable" means named by the backend's *day list* (opening hours), which may name an office on a day
without any free time there (``ListedDays``). Only the slots window is checked against free times: there
``providerIDs`` holds just the offices with times, and a day without any is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .slots import berlin_date

FreeTimes = dict[int, list[int]]
"""officeId -> sorted free unix timestamps."""

ListedDays = dict[date, set[int]]
"""day -> offices the day list names there although none of their times is free ("unverified" days)."""


@dataclass(frozen=True)
class CalendarQuery:
    start: date
    end: date
    slots_start: date | None = None
    slots_end: date | None = None


def dedupe_shared(free: FreeTimes, groups: list[tuple[int, ...]]) -> FreeTimes:
    """One timestamp per wall-clock time inside a shared-booking group, handed out round-robin."""
    result: FreeTimes = {oid: list(times) for oid, times in free.items()}
    for group in groups:
        members = [oid for oid in group if oid in free]
        if len(members) < 2:
            continue
        owners: dict[int, list[int]] = defaultdict(list)
        for oid in members:
            for ts in free[oid]:
                owners[ts].append(oid)
        for oid in members:
            result[oid] = []
        for turn, ts in enumerate(sorted(owners)):
            having = owners[ts]
            result[having[turn % len(having)]].append(ts)
    return result


def group_by_day(free: FreeTimes, start: date, end: date) -> dict[date, dict[int, list[int]]]:
    days: dict[date, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for oid, times in free.items():
        for ts in times:
            day = berlin_date(ts)
            if start <= day <= end:
                days[day][oid].append(ts)
    return {day: {oid: sorted(ts) for oid, ts in offices.items()} for day, offices in days.items()}


def _month_range(first: date, last: date, horizon: tuple[date, date]) -> tuple[date, date]:
    month_start = first.replace(day=1)
    next_month = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
    month_end = next_month - timedelta(days=1)
    lo, hi = max(month_start, horizon[0]), min(month_end, horizon[1])
    return (lo, hi) if lo <= hi else (first, last)


def _resolve_window(query: CalendarQuery) -> tuple[date, date]:
    lo = max(query.slots_start or query.start, query.start)
    hi = min(query.slots_end or query.end, query.end)
    if lo > hi:
        return (query.start, query.start) if hi < query.start else (query.end, query.end)
    return lo, hi


def _day_list(by_day: dict[date, dict[int, list[int]]], listed: ListedDays, start: date, end: date) -> ListedDays:
    """The backend's day list within the horizon: offices named by a free time or by ``listed``."""
    names: ListedDays = {day: set(offices) for day, offices in by_day.items()}
    for day, offices in listed.items():
        if start <= day <= end and offices:
            names.setdefault(day, set()).update(offices)
    return names


def calendar(query: CalendarQuery, free: FreeTimes, listed: ListedDays | None = None) -> dict[str, Any]:
    """The ``available-calendar`` body for already validated input."""
    by_day = group_by_day(free, query.start, query.end)
    day_list = _day_list(by_day, listed or {}, query.start, query.end)
    bookable = sorted(day_list)
    horizon = (query.start, query.end)
    slots_lo, slots_hi = _resolve_window(query)
    paint_lo, paint_hi = _month_range(slots_lo, slots_hi, horizon)

    painted = [d for d in bookable if paint_lo <= d <= paint_hi]
    in_window = [d for d in bookable if slots_lo <= d <= slots_hi]
    if slots_lo != slots_hi and in_window:
        slots_lo = slots_hi = in_window[0]
    elif slots_lo == slots_hi and not in_window and painted:
        slots_lo = slots_hi = painted[0]
    if not painted:
        later = [d for d in bookable if d >= paint_lo]
        if later:
            slots_lo = slots_hi = later[0]
            paint_lo, paint_hi = _month_range(slots_lo, slots_hi, horizon)
            painted = [d for d in bookable if paint_lo <= d <= paint_hi]

    before = [d for d in bookable if d < paint_lo]
    after = [d for d in bookable if d > paint_hi]
    days = []
    for day in painted:
        if not slots_lo <= day <= slots_hi:
            days.append(_day_json(day, day_list[day], None))
        elif day in by_day:
            days.append(_day_json(day, by_day[day], by_day[day]))
    return {
        "startDate": query.start.isoformat(),
        "endDate": query.end.isoformat(),
        "slotsStartDate": slots_lo.isoformat(),
        "slotsEndDate": slots_hi.isoformat(),
        "prevBookableDate": before[-1].isoformat() if before else None,
        "nextBookableDate": after[0].isoformat() if after else None,
        "availableDays": days,
    }


def _day_json(day: date, names: Iterable[int], times: dict[int, list[int]] | None) -> dict[str, Any]:
    """One ``availableDays`` entry: ``names`` as providerIDs, their ``times`` only inside the slots window."""
    provider_ids = sorted(str(oid) for oid in names)
    offices = [{"officeId": oid, "appointments": times[int(oid)]} for oid in provider_ids] if times else []
    return {"date": day.isoformat(), "providerIDs": ",".join(provider_ids), "offices": offices}


def legacy_days(free: FreeTimes, start: date, end: date, listed: ListedDays | None = None) -> list[dict[str, str]]:
    """``available-days-by-office`` items: every day of the horizon the day list names (free times or not)."""
    day_list = _day_list(group_by_day(free, start, end), listed or {}, start, end)
    return [
        {"time": day.isoformat(), "providerIDs": ",".join(sorted(str(oid) for oid in day_list[day]))}
        for day in sorted(day_list)
    ]


def legacy_appointments(free: FreeTimes, day: date) -> list[dict[str, Any]]:
    """``available-appointments-by-office`` items for one day."""
    offices = group_by_day(free, day, day).get(day, {})
    return [{"officeId": str(oid), "appointments": offices[oid]} for oid in sorted(offices)]

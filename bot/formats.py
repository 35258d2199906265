"""Dates, times, filters and subscriptions as the user reads them, in their language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.texts import text, weekday_names
from core.catalogue import Catalogue
from core.slots import MUNICH
from core.subscriptions import Filters, SubscriptionView


def day(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def clock(value: dt.time) -> str:
    return value.strftime("%H:%M")


def moment(language: str, value: dt.datetime) -> str:
    """A point in time in Munich: ``Mo 04.03.2030 09:00``."""
    local = value.astimezone(MUNICH)
    return f"{weekday_names(language)[local.weekday()]} {day(local.date())} {clock(local.time())}"


def clock_at(value: dt.datetime) -> str:
    """The time of day in Munich: ``09:00``."""
    return clock(value.astimezone(MUNICH).time())


def clock_seconds_at(value: dt.datetime) -> str:
    """The time of day in Munich to the second: ``09:14:03``."""
    return value.astimezone(MUNICH).strftime("%H:%M:%S")


def short_moment(value: dt.datetime) -> str:
    """Day and time in Munich, short: ``04.03. 09:00``."""
    local = value.astimezone(MUNICH)
    return f"{local:%d.%m.} {clock(local.time())}"


def service_name(catalogue: Catalogue | None, service_id: int) -> str:
    service = catalogue.services.get(service_id) if catalogue else None
    return service.name if service else str(service_id)


def office_name(catalogue: Catalogue | None, office_id: int) -> str:
    office = catalogue.offices.get(office_id) if catalogue else None
    return office.name if office else str(office_id)


def office_names(catalogue: Catalogue | None, office_ids: Iterable[int]) -> str:
    return ", ".join(sorted(office_name(catalogue, o) for o in office_ids))


def window(language: str, filters: Filters) -> str:
    if filters.date_to is None:
        return text(language, "any_date")
    if filters.date_from is None:
        return text(language, "until_date", date=day(filters.date_to))
    return text(language, "from_until_date", start=day(filters.date_from), end=day(filters.date_to))


def weekdays(language: str, chosen: Iterable[int] | None) -> str:
    names = weekday_names(language)
    days = sorted(chosen or ())
    return ", ".join(names[d] for d in days) if days else text(language, "every_day")


def times(language: str, start: dt.time | None, end: dt.time | None) -> str:
    if start and end:
        return text(language, "between_times", start=clock(start), end=clock(end))
    if start:
        return text(language, "from_time", time=clock(start))
    return text(language, "until_time", time=clock(end)) if end else text(language, "any_time")


def filters(language: str, value: Filters) -> str:
    return text(
        language,
        "filters",
        window=window(language, value),
        weekdays=weekdays(language, value.weekdays),
        times=times(language, value.time_from, value.time_to),
    )


def subscription(language: str, view: SubscriptionView, catalogue: Catalogue | None, *, today: dt.date) -> str:
    expired = view.filters.date_to is not None and view.filters.date_to < today
    state = "state_expired" if expired else ("" if view.active else "state_paused")
    return text(
        language,
        "subscription",
        id=view.id,
        service=service_name(catalogue, view.service_id),
        offices=office_names(catalogue, view.office_ids),
        filters=filters(language, view.filters),
        state=(text(language, state) if state else "") + (text(language, "state_auto") if view.auto_book else ""),
    )


def today_in_munich() -> dt.date:
    return dt.datetime.now(MUNICH).date()

"""The portal's citizen API as PORTAL.md describes it: answers parsed into values, failures typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

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


HORIZON_DAYS = 183  # the city's front end asks for today … today + 6 months


def _csv(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in values)


def calendar_url(
    api_url: str, *, office_ids: Sequence[int], service_id: int, today: dt.date, captcha_token: str | None = None
) -> str:
    """The ``available-calendar/`` request the city's own page sends (PORTAL.md §2.7), for many offices."""
    params = {
        "startDate": today.isoformat(),
        "endDate": (today + dt.timedelta(days=HORIZON_DAYS)).isoformat(),
        "officeIds": _csv(office_ids),
        "serviceIds": str(service_id),
        "serviceCounts": "1",
        "slotsStartDate": today.isoformat(),
        "slotsEndDate": today.isoformat(),
    }
    if captcha_token:
        params["captchaToken"] = captcha_token
    return f"{api_url.rstrip('/')}/available-calendar/?{urlencode(params)}"


def legacy_days_url(
    api_url: str, *, office_ids: Sequence[int], service_id: int, today: dt.date, captcha_token: str | None = None
) -> str:
    """``available-days-by-office/`` of the portal generation before 2026-07 (PORTAL.md §2.4.2b)."""
    params = {
        "startDate": today.isoformat(),
        "endDate": (today + dt.timedelta(days=HORIZON_DAYS)).isoformat(),
        "officeId": _csv(office_ids),
        "serviceId": str(service_id),
        "serviceCount": "1",
    }
    if captcha_token:
        params["captchaToken"] = captcha_token
    return f"{api_url.rstrip('/')}/available-days-by-office/?{urlencode(params)}"


def legacy_appointments_url(
    api_url: str, *, office_ids: Sequence[int], service_id: int, day: dt.date, captcha_token: str | None = None
) -> str:
    params = {"date": day.isoformat(), "officeId": _csv(office_ids), "serviceId": str(service_id), "serviceCount": "1"}
    if captcha_token:
        params["captchaToken"] = captcha_token
    return f"{api_url.rstrip('/')}/available-appointments-by-office/?{urlencode(params)}"


def is_missing_route(status: int, body: Any) -> bool:
    """The portal does not have this endpoint: the catch-all 404 ``notFound`` (PORTAL.md §2.2)."""
    return status == 404 and "notFound" in error_codes(body)


def is_no_days(status: int, body: Any) -> bool:
    """The legacy generation's way of saying "nothing free": 404 ``noAppointmentForThisDay``."""
    return status == 404 and "noAppointmentForThisDay" in error_codes(body)


def first_legacy_day(days_body: Any, *, url: str) -> dt.date | None:
    try:
        days = sorted(dt.date.fromisoformat(str(d["time"])) for d in days_body["availableDays"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PortalChanged(f"days answer has an unexpected shape: {exc!r}", url, 200) from exc
    return days[0] if days else None


def parse_legacy(days_body: Any, appointments_body: Any, *, day: dt.date | None, url: str) -> Observation:
    """Read the legacy days list (the whole horizon) and one day's appointments into an Observation."""
    try:
        bookable = frozenset(dt.date.fromisoformat(str(d["time"])) for d in days_body["availableDays"])
        slots = frozenset(
            SeenSlot(_timestamp(ts), int(office["officeId"]))
            for office in (appointments_body or {}).get("offices") or ()
            for ts in office.get("appointments") or ()
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PortalChanged(f"legacy answer has an unexpected shape: {exc!r}", url, 200) from exc
    horizon_end = dt.date.max if not bookable else max(bookable)
    return Observation(slots, bookable, day, dt.date.min, horizon_end)


def only_offices(observation: Observation, office_ids: Iterable[int]) -> Observation:
    """The part of a coalesced answer that concerns these offices."""
    wanted = set(office_ids)
    return replace(observation, slots=frozenset(s for s in observation.slots if s.office_id in wanted))


def page_calendar(body: Any, office_ids: Iterable[int]) -> Any:
    """A calendar answer cut down to some offices, for rendering one target's booking page."""
    wanted = {str(o) for o in office_ids}
    days = []
    for day in body.get("availableDays") or ():
        providers = [p for p in str(day.get("providerIDs", "")).split(",") if p in wanted]
        if not providers:
            continue
        offices = [o for o in day.get("offices") or () if str(o.get("officeId")) in wanted]
        days.append({**day, "providerIDs": ",".join(providers), "offices": offices})
    return {**body, "availableDays": days}


def page_catalogue(body: Any, service_id: int) -> Any:
    """The catalogue cut down to what a booking page of ``service_id`` shows: the service and those it combines
    with, the offices offering them and their shared-booking peers. A twentieth of the whole, which the page
    would otherwise parse for every piece of evidence."""
    services = [s for s in body.get("services") or () if _int(s.get("id")) == service_id]
    combined = services[0].get("combinable") if services else None
    wanted = {service_id, *(_int(c) for c in (combined if isinstance(combined, list | dict) else ()))}
    services = [s for s in body.get("services") or () if _int(s.get("id")) in wanted]
    relations = [r for r in body.get("relations") or () if _int(r.get("serviceId")) in wanted]
    offering = {_int(r.get("officeId")) for r in relations}
    offices = [o for o in body.get("offices") or () if _int(o.get("id")) in offering]
    peers = {_int(p) for o in offices for p in o.get("sharedBookingOfficeIds") or ()}
    offices += [o for o in body.get("offices") or () if _int(o.get("id")) in peers - offering]
    return {**body, "offices": offices, "services": services, "relations": relations}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def calendar_from(observation: Observation, *, today: dt.date) -> dict[str, Any]:
    """An ``available-calendar/`` answer saying what an Observation says (for rendering legacy findings)."""
    by_day: dict[dt.date, dict[int, list[int]]] = {d: {} for d in observation.bookable_days}
    for slot in observation.slots:
        by_day.setdefault(slot.local.date(), {}).setdefault(slot.office_id, []).append(int(slot.starts_at.timestamp()))
    day = observation.slots_day
    return {
        "startDate": today.isoformat(),
        "endDate": (today + dt.timedelta(days=HORIZON_DAYS)).isoformat(),
        "slotsStartDate": day.isoformat() if day else today.isoformat(),
        "slotsEndDate": day.isoformat() if day else today.isoformat(),
        "prevBookableDate": None,
        "nextBookableDate": None,
        "availableDays": [
            {
                "date": d.isoformat(),
                "providerIDs": ",".join(str(o) for o in sorted(offices)),
                "offices": [{"officeId": str(o), "appointments": sorted(times)} for o, times in sorted(offices.items())]
                if d == day
                else [],
            }
            for d, offices in sorted(by_day.items())
        ],
    }

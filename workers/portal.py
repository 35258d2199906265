"""The portal's citizen API as docs/portal.md describes it: answers parsed into values, failures typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from core.slots import Observation, SeenSlot

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


def backend_failure(status: int, body: Any) -> bool:
    """A 5xx, or a 400 without the portal's own error list: the city's gateway answers a backend failure with a
    generic 400 (docs/portal.md, "Gateway quirks"), while every 400 of the portal names its error codes."""
    return status >= 500 or (status == 400 and not error_codes(body))


def raise_for_answer(*, url: str, status: int, body: Any) -> None:
    """Turn a non-success calendar answer into the failure it stands for."""
    if status == 200:
        return
    codes = error_codes(body)
    message = ", ".join(codes) or f"HTTP {status}"
    if status in (403, 429) or "IP_BLACKLISTED" in codes:
        raise PortalBlocked(message, url, status)
    if backend_failure(status, body):
        raise PortalDown(
            message
            if status >= 500
            else f"{message} without the portal's errors: behind the gateway, a backend failure",
            url,
            status,
        )
    raise PortalChanged(message, url, status)


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not a unix timestamp: {value!r}")
    return dt.datetime.fromtimestamp(int(value), dt.UTC)


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _painted(
    window: tuple[dt.date, dt.date], horizon: tuple[dt.date, dt.date], moved_to: dt.date
) -> tuple[dt.date, dt.date]:
    """The range the day list covers: the months of the slots window asked for, clipped to the horizon; when
    those months had no bookable day, the month the portal moved the window to (docs/portal.md, "Calendar")."""
    lo, hi = max(_month_start(window[0]), horizon[0]), min(_month_end(window[1]), horizon[1])
    if not lo <= moved_to <= hi:
        lo, hi = max(_month_start(moved_to), horizon[0]), min(_month_end(moved_to), horizon[1])
    return lo, hi


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def parse_calendar(body: Any, *, url: str, office_ids: Iterable[int], window: tuple[dt.date, dt.date]) -> Observation:
    """Read an ``available-calendar/`` answer to a request for ``office_ids`` whose slots window was ``window``.

    The answer's own slots window names the days whose times it carries in full, for every office asked; its
    day list names the bookable office days of the painted months, unverified (docs/portal.md, "Calendar").
    """
    try:
        days = body["availableDays"]
        listed = frozenset(
            (dt.date.fromisoformat(d["date"]), int(o)) for d in days for o in str(d["providerIDs"]).split(",") if o
        )
        slots = frozenset(
            SeenSlot(_timestamp(ts), int(office["officeId"]))
            for day in days
            for office in day["offices"]  # every day has the key, [] outside the slots window: missing is a change
            for ts in office["appointments"]
        )
        horizon = (dt.date.fromisoformat(body["startDate"]), dt.date.fromisoformat(body["endDate"]))
        slots_from = dt.date.fromisoformat(body["slotsStartDate"])
        slots_to = dt.date.fromisoformat(body["slotsEndDate"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PortalChanged(f"calendar answer has an unexpected shape: {exc!r}", url, 200) from exc
    painted = _painted(window, horizon, slots_from)
    offices = set(office_ids)
    timed = frozenset((d, o) for d in _days(max(slots_from, painted[0]), min(slots_to, painted[1])) for o in offices)
    return Observation(slots, listed, timed, *painted)


HORIZON_DAYS = 183  # the city's front end asks for today … today + 6 months


def _csv(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in values)


def horizon(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days the city's page asks about: today … today + 6 months."""
    return today, today + dt.timedelta(days=HORIZON_DAYS)


def calendar_url(
    api_url: str,
    *,
    office_ids: Sequence[int],
    service_id: int,
    today: dt.date,
    day: dt.date | None = None,
    captcha_token: str | None = None,
) -> str:
    """The ``available-calendar/`` request for many offices (docs/portal.md, "Calendar"): by default with the
    slots window over the whole horizon, so the answer lists every bookable office day of every month (and
    the first one's times); with ``day``, that day's times, as the city's page asks when a person picks it."""
    start, end = horizon(today)
    params = {
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "officeIds": _csv(office_ids),
        "serviceIds": str(service_id),
        "serviceCounts": "1",
        "slotsStartDate": (day or start).isoformat(),
        "slotsEndDate": (day or end).isoformat(),
    }
    if captcha_token:
        params["captchaToken"] = captcha_token
    return f"{api_url.rstrip('/')}/available-calendar/?{urlencode(params)}"


def legacy_days_url(
    api_url: str, *, office_ids: Sequence[int], service_id: int, today: dt.date, captcha_token: str | None = None
) -> str:
    """``available-days-by-office/`` of the portal generation before 2026-07 (docs/portal.md, "Legacy availability")."""
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
    """The portal does not have this endpoint: the catch-all 404 ``notFound`` (docs/portal.md, "Generations")."""
    return status == 404 and "notFound" in error_codes(body)


def is_no_days(status: int, body: Any) -> bool:
    """The legacy generation's way of saying "nothing free": 404 ``noAppointmentForThisDay``."""
    return status == 404 and "noAppointmentForThisDay" in error_codes(body)


def parse_legacy_days(days_body: Any, *, url: str, today: dt.date) -> Observation:
    """Read the legacy day list: every bookable office day of the horizon, unverified."""
    try:
        listed = frozenset(
            (dt.date.fromisoformat(str(d["time"])), int(o))
            for d in days_body["availableDays"]
            for o in str(d["providerIDs"]).split(",")
            if o
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PortalChanged(f"days answer has an unexpected shape: {exc!r}", url, 200) from exc
    return Observation(frozenset(), listed, frozenset(), *horizon(today))


def parse_legacy_day(appointments_body: Any, *, url: str, day: dt.date, office_ids: Iterable[int]) -> Observation:
    """Read one day's legacy appointments for ``office_ids``: their times on ``day``, in full."""
    try:
        slots = frozenset(
            SeenSlot(_timestamp(ts), int(office["officeId"]))
            for office in appointments_body["offices"]
            for ts in office["appointments"]
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PortalChanged(f"legacy answer has an unexpected shape: {exc!r}", url, 200) from exc
    return Observation(slots, timed=frozenset((day, o) for o in office_ids))


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


def calendar_from(observation: Observation, *, today: dt.date, day: dt.date | None) -> dict[str, Any]:
    """An ``available-calendar/`` answer saying what an Observation says, with the times of ``day``: what the
    booking page is shown as evidence of a finding on that day."""
    offices_by_day: dict[dt.date, set[int]] = {}
    for listed_day, office in observation.listed | {s.office_day for s in observation.slots}:
        offices_by_day.setdefault(listed_day, set()).add(office)
    times: dict[int, list[int]] = {}
    for slot in sorted(observation.slots):
        if slot.local.date() == day:
            times.setdefault(slot.office_id, []).append(int(slot.starts_at.timestamp()))
    start, end = horizon(today)
    return {
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "slotsStartDate": (day or start).isoformat(),
        "slotsEndDate": (day or start).isoformat(),
        "prevBookableDate": None,
        "nextBookableDate": None,
        "availableDays": [
            {
                "date": d.isoformat(),
                "providerIDs": ",".join(str(o) for o in sorted(times if d == day else offices)),
                "offices": [{"officeId": str(o), "appointments": t} for o, t in sorted(times.items())]
                if d == day
                else [],
            }
            for d, offices in sorted(offices_by_day.items())
            if d != day or times
        ],
    }

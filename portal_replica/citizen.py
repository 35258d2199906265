"""The citizen API endpoints (docs/portal.md, "Catalogue" to "Booking"): one plain function per route.

Each handler receives a ``Call`` and returns the success body or raises ``ApiError``; ``gate.py`` turns
that into the HTTP answer. ``ROUTES`` maps (method, path below the API base) to the handler; anything
else is the catch-all 404 ``notFound``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import availability, captcha
from .availability import CalendarQuery, FreeTimes
from .booking import thinned
from .errors import ApiError
from .params import counts_for, csv_counts, csv_ids, id_list, parse_date, positive_int
from .replica import Replica

MAX_RANGE_DAYS = 365


@dataclass(frozen=True)
class Call:
    replica: Replica
    ip: str
    query: dict[str, str]
    body: Any
    page_url: str


Handler = Callable[[Call], Any]


# --- shared checks ---------------------------------------------------------------------------------
def _captcha_error(call: Call, office_ids: list[int] | None, token: Any) -> list[str]:
    replica = call.replica
    if not office_ids or not replica.catalogue.captcha_required(office_ids):
        return []
    error = captcha.check_token(
        token if isinstance(token, str) else None, call.ip, replica.captcha_params(), replica.now()
    )
    return [error] if error else []


def _check_offered(replica: Replica, office_ids: list[int], service_ids: list[int]) -> None:
    if not all(replica.catalogue.offers(o, s) for o in office_ids for s in service_ids):
        raise ApiError("invalidLocationAndServiceCombination")


def _within_limits(replica: Replica, office_ids: list[int], service_ids: list[int], counts: list[int]) -> list[int]:
    """Offices at which every service count is within its maxQuantity (``filterOfficeIdsWithinRequestLimits``)."""
    catalogue = replica.catalogue

    def fits(office_id: int) -> bool:
        for sid, count in zip(service_ids, counts, strict=True):
            relation = catalogue.relations[(office_id, sid)]
            if count > (relation.max_quantity or catalogue.services[sid].max_quantity):
                return False
        return True

    eligible = [o for o in office_ids if fits(o)]
    if not eligible:
        raise ApiError("tooManyServicesPerAppointment")
    return eligible


def _free(replica: Replica, office_ids: list[int], service_ids: list[int]) -> FreeTimes:
    now = replica.now()
    replica.bookings.expire(now)
    free = {oid: replica.slots.free_times(oid, service_ids, now) for oid in office_ids}
    groups = sorted({replica.catalogue.booking_peers(oid) for oid in office_ids})
    return availability.dedupe_shared(free, groups)


def _horizon_errors(start: date | None, end: date | None) -> list[str]:
    errors = [] if start else ["invalidStartDate"]
    errors += [] if end else ["invalidEndDate"]
    if start and end:
        if start > end:
            errors.append("startDateAfterEndDate")  # missing key at the city -> unknownError 520
        if (end - start).days > MAX_RANGE_DAYS:
            errors.append("dateRangeTooLarge")  # same quirk
    return errors


# --- catalogue and availability --------------------------------------------------------------------
def offices_and_services(call: Call) -> Any:
    return call.replica.catalogue.to_json()


def available_calendar(call: Call) -> Any:
    q = call.query
    office_ids, service_ids = csv_ids(q.get("officeIds")), csv_ids(q.get("serviceIds"))
    start, end = parse_date(q.get("startDate")), parse_date(q.get("endDate"))
    counts = csv_counts(q.get("serviceCounts"), service_ids)
    errors = [] if office_ids else ["invalidOfficeId"]
    errors += [] if service_ids else ["invalidServiceId"]
    errors += _horizon_errors(start, end)
    errors += [] if counts else ["invalidServiceCount"]
    slots_start, slots_end = q.get("slotsStartDate") or None, q.get("slotsEndDate") or None
    s_start, s_end = parse_date(slots_start), parse_date(slots_end)
    errors += ["invalidSlotsStartDate"] if slots_start and not s_start else []
    errors += ["invalidSlotsEndDate"] if slots_end and not s_end else []
    if s_start and s_end and s_start > s_end:
        errors.append("slotsStartDateAfterEndDate")
    errors += _captcha_error(call, office_ids, q.get("captchaToken"))
    if errors or not (office_ids and service_ids and counts and start and end):
        raise ApiError(*errors)
    _check_offered(call.replica, office_ids, service_ids)
    eligible = _within_limits(call.replica, office_ids, service_ids, counts)
    query = CalendarQuery(start=start, end=end, slots_start=s_start, slots_end=s_end)
    listed = call.replica.listed_days(eligible, service_ids)
    return availability.calendar(query, _free(call.replica, eligible, service_ids), listed)


def available_days_by_office(call: Call) -> Any:
    q = call.query
    office_ids, service_ids = csv_ids(q.get("officeId")), csv_ids(q.get("serviceId"))
    start, end = parse_date(q.get("startDate")), parse_date(q.get("endDate"))
    counts = csv_counts(q.get("serviceCount"), service_ids)
    errors = [] if office_ids else ["invalidOfficeId"]
    errors += [] if service_ids else ["invalidServiceId"]
    errors += _horizon_errors(start, end)
    errors += [] if counts else ["invalidServiceCount"]
    errors += _captcha_error(call, office_ids, q.get("captchaToken"))
    if errors or not (office_ids and service_ids and start and end):
        raise ApiError(*errors)
    _check_offered(call.replica, office_ids, service_ids)
    free, listed = _free(call.replica, office_ids, service_ids), call.replica.listed_days(office_ids, service_ids)
    days = availability.legacy_days(free, start, end, listed)
    if not days:
        raise ApiError("noAppointmentForThisDay")
    return {"availableDays": days}


def available_appointments_by_office(call: Call) -> Any:
    q = call.query
    day = parse_date(q.get("date"))
    office_ids, service_ids = csv_ids(q.get("officeId")), csv_ids(q.get("serviceId"))
    counts = csv_counts(q.get("serviceCount"), service_ids)
    errors = [] if day else ["invalidDate"]
    errors += [] if office_ids else ["invalidOfficeId"]
    errors += [] if service_ids else ["invalidServiceId"]
    errors += [] if counts else ["invalidServiceCount"]
    errors += _captcha_error(call, office_ids, q.get("captchaToken"))
    if errors or not (office_ids and service_ids and day):
        raise ApiError(*errors)
    _check_offered(call.replica, office_ids, service_ids)
    offices = availability.legacy_appointments(_free(call.replica, office_ids, service_ids), day)
    if not offices:
        raise ApiError("noAppointmentForThisDay")
    return {"offices": offices}


# --- captcha ---------------------------------------------------------------------------------------
def captcha_details(call: Call) -> Any:
    return {
        "siteKey": "FAKE_SITE_KEY",
        "captchaChallenge": "https://captcha.muenchen.de/api/v1/captcha/challenge",
        "captchaVerify": "https://captcha.muenchen.de/api/v1/captcha/verify",
        "captchaEnabled": call.replica.config.captcha_enabled,
    }


def captcha_challenge(call: Call) -> Any:
    replica = call.replica
    replica.captcha_challenges += 1
    difficulty = replica.captcha_visits.difficulty(call.ip, replica.now())
    return captcha.new_challenge(
        replica.captcha_version, replica.captcha_params(), replica.now(), difficulty=difficulty
    )


def captcha_verify(call: Call) -> Any:
    replica = call.replica
    body = call.body if isinstance(call.body, dict) else {}
    payload = body.get("payload")
    data = captcha.decode_payload(payload) if isinstance(payload, str) else None
    params = replica.captcha_params()
    if data is None or not captcha.verify_solution(data, params, replica.now()):
        return {"meta": {"success": False, "error": "Captcha verification failed"}, "data": {"valid": False}}
    token = captcha.issue_token(call.ip, params, replica.now())
    return {"meta": {"success": True}, "data": {"valid": True}, "token": token}


# --- booking ---------------------------------------------------------------------------------------
def _body(call: Call) -> dict[str, Any]:
    if not isinstance(call.body, dict):
        raise ApiError("invalidRequest")
    return call.body


def _credentials(data: dict[str, Any]) -> tuple[int, str]:
    process_id, auth_key = positive_int(data.get("processId")), data.get("authKey")
    errors = [] if process_id else ["invalidProcessId"]
    errors += [] if isinstance(auth_key, str) and auth_key.strip() else ["invalidAuthKey"]
    if errors or not (process_id and isinstance(auth_key, str)):
        raise ApiError(*errors)
    return process_id, auth_key.strip()


def reserve_appointment(call: Call) -> Any:
    data, replica = _body(call), call.replica
    office_id, service_ids = positive_int(data.get("officeId")), id_list(data.get("serviceId"))
    timestamp = positive_int(data.get("timestamp"))
    raw_counts = data.get("serviceCount")
    counts = counts_for(raw_counts if isinstance(raw_counts, list) else None, service_ids)
    errors = [] if office_id else ["invalidOfficeId"]
    errors += [] if service_ids else ["invalidServiceId"]
    errors += [] if timestamp and timestamp > replica.now() else ["invalidTimestamp"]
    errors += [] if counts else ["invalidServiceCount"]
    errors += _captcha_error(call, [office_id] if office_id else None, data.get("captchaToken"))
    if errors or not (office_id and service_ids and timestamp and counts):
        raise ApiError(*errors)
    _check_offered(replica, [office_id], service_ids)
    _within_limits(replica, [office_id], service_ids, counts)
    process = replica.bookings.reserve(office_id, service_ids, counts, timestamp, replica.now())
    token = data.get("captchaToken")
    process.captcha_token = token if isinstance(token, str) else None
    return thinned(process, replica.catalogue)


def update_appointment(call: Call) -> Any:
    data = _body(call)
    process_id, auth_key = _credentials(data)
    replica = call.replica
    process = replica.bookings.update(process_id, auth_key, data, replica.now())
    return thinned(process, replica.catalogue)


def preconfirm_appointment(call: Call) -> Any:
    process_id, auth_key = _credentials(_body(call))
    replica = call.replica
    process = replica.bookings.preconfirm(process_id, auth_key, call.page_url, replica.now())
    return thinned(process, replica.catalogue)


def confirm_appointment(call: Call) -> Any:
    process_id, auth_key = _credentials(_body(call))
    replica = call.replica
    process = replica.bookings.confirm(process_id, auth_key, call.page_url, replica.now())
    return thinned(process, replica.catalogue)


def appointment(call: Call) -> Any:
    process_id, auth_key = _credentials(dict(call.query))
    replica = call.replica
    return thinned(replica.bookings.read(process_id, auth_key, replica.now()), replica.catalogue)


def cancel_appointment(call: Call) -> Any:
    process_id, auth_key = _credentials(_body(call))
    replica = call.replica
    process = replica.bookings.cancel(process_id, auth_key, call.page_url, replica.now())
    return thinned(process, replica.catalogue)


COMMON: dict[tuple[str, str], Handler] = {
    ("GET", "offices-and-services/"): offices_and_services,
    ("GET", "captcha-details/"): captcha_details,
    ("GET", "captcha-challenge/"): captcha_challenge,
    ("POST", "captcha-verify/"): captcha_verify,
    ("POST", "reserve-appointment/"): reserve_appointment,
    ("POST", "update-appointment/"): update_appointment,
    ("POST", "preconfirm-appointment/"): preconfirm_appointment,
    ("POST", "confirm-appointment/"): confirm_appointment,
    ("GET", "appointment/"): appointment,
    ("POST", "cancel-appointment/"): cancel_appointment,
}
CALENDAR_ONLY: dict[tuple[str, str], Handler] = {("GET", "available-calendar/"): available_calendar}
LEGACY_ONLY: dict[tuple[str, str], Handler] = {
    ("GET", "available-days-by-office/"): available_days_by_office,
    ("GET", "available-appointments-by-office/"): available_appointments_by_office,
}


def route(generation: str, method: str, path: str) -> Handler | None:
    key = (method, path)
    extra = CALENDAR_ONLY if generation == "calendar" else LEGACY_ONLY
    return COMMON.get(key) or extra.get(key)

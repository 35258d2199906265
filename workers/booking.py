"""Booking a slot for a user: reserve → update (their own contact data) → preconfirm, then the screenshot.

Every call goes through the browser's request context, like checks, and takes a request from the shared
budget with booking priority, so bookings go before checks. A slot taken in between (404
``appointmentNotAvailable``) costs one calendar request for that day and the next matching time is tried,
at most ``MAX_TRIES`` reservations in all. A failure after the reservation cancels it: a failed booking
leaves nothing booked. The outcome is recorded in the database and the bot is woken through Redis.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any
from urllib.parse import urlencode

from celery.exceptions import SoftTimeLimitExceeded
from playwright.sync_api import Page

from core import bookings
from core.bookings import BOOKINGS_WAKE_KEY, BookingJob
from core.budget import Priority
from core.catalogue import Catalogue
from core.db import transaction
from core.queue import BOOK_SLOT
from core.slots import MUNICH, SeenSlot
from workers import captcha, evidence
from workers.browser import BrowserGone
from workers.confirmation import render_appointment
from workers.farm import Farm
from workers.fetch import Answer, NoBudget, get_json, post_json
from workers.portal import PortalError, calendar_url, error_codes, parse_calendar

log = logging.getLogger(__name__)

MAX_TRIES = 3


class BookingFailed(Exception):
    """The booking cannot go on; ``code`` is the portal's error code or one of ours (``slotGone`` …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def book(farm: Farm, *, booking_id: int) -> str:
    """Run one requested booking; returns its final status, or ``skipped`` when another task has it."""
    with transaction(farm.sessions) as session:
        if not bookings.claim(session, booking_id=booking_id):
            return "skipped"  # a redelivered or concurrent task: the claim was taken before any portal call
        job = bookings.job(session, booking_id=booking_id)
    assert job is not None
    try:
        _book(farm, job)
        return "preconfirmed"
    except Exception as exc:  # every failure is the user's news; SoftTimeLimitExceeded included
        code = _failure_code(exc)
        log.warning("booking %s failed: %s", booking_id, code, exc_info=not isinstance(exc, BookingFailed))
        with transaction(farm.sessions) as session:
            bookings.record_failed(session, booking_id=booking_id, error=code)
        return "failed"
    finally:
        wake_bot(farm, booking_id)


def _failure_code(exc: Exception) -> str:
    if isinstance(exc, BookingFailed):
        return exc.code
    if isinstance(exc, NoBudget):
        return "portalBusy"
    if isinstance(exc, PortalError):
        return "portal" + exc.state.capitalize()
    return "interrupted" if isinstance(exc, BrowserGone | SoftTimeLimitExceeded) else "internal"


def _book(farm: Farm, job: BookingJob) -> None:
    if job.contact is None:
        raise BookingFailed("noContact")  # the user deleted it after asking
    catalogue = farm.catalogue.get()
    with farm.browser.page() as page:
        process = _reserve(farm, page, job, catalogue)
        try:
            _post(farm, page, "update-appointment", _contact_payload(process, job))
            process = _post(farm, page, "preconfirm-appointment", _credentials(process, scope=True))
        except BaseException:
            _cancel_quietly(farm, page, process)
            raise
        shot = _screenshot(farm, page, job.booking_id, process)
    scope = process.get("scope") or {}
    with transaction(farm.sessions) as session:
        bookings.record_preconfirmed(
            session,
            booking_id=job.booking_id,
            email=str(process.get("email") or job.contact.email),
            activation_minutes=scope.get("activationDuration") if isinstance(scope, dict) else None,
            screenshot_path=shot,
        )


def _reserve(farm: Farm, page: Page, job: BookingJob, catalogue: Catalogue) -> dict[str, Any]:
    """Reserve the requested time, or the next matching ones when it is taken; returns the process."""
    office = catalogue.offices.get(job.office_id)
    token = farm.captcha.token(page, farm.budget) if office and office.captcha_required else None
    slot, tried = SeenSlot(job.starts_at, job.office_id), set[SeenSlot]()
    for attempt in range(1, MAX_TRIES + 1):
        answer = _ask(farm, page, "reserve-appointment", _reserve_payload(job, slot, token))
        codes = set(error_codes(answer.body))
        if answer.status == 200 and isinstance(answer.body, dict):
            with transaction(farm.sessions) as session:
                bookings.record_reserved(
                    session,
                    booking_id=job.booking_id,
                    process_id=int(answer.body["processId"]),
                    auth_key=str(answer.body["authKey"]),
                    office_id=slot.office_id,
                    starts_at=slot.starts_at,
                    email=job.contact.email if job.contact else None,
                )
            return answer.body
        if token and codes & captcha.REFUSALS:
            farm.captcha.forget()
            token = farm.captcha.token(page, farm.budget)
            continue
        if "appointmentNotAvailable" not in codes:
            raise BookingFailed(_code(answer))
        tried.add(slot)
        if attempt == MAX_TRIES or (found := _next_time(farm, page, job, catalogue, tried, token)) is None:
            break
        slot = found
    raise BookingFailed("slotGone")


def _next_time(
    farm: Farm, page: Page, job: BookingJob, catalogue: Catalogue, tried: set[SeenSlot], token: str | None
) -> SeenSlot | None:
    """One calendar request for the slot's day: the earliest free time there that suits the user."""
    day = min(tried).local.date()
    office = catalogue.offices.get(job.office_id)
    peers = office.shared_booking_ids if office else ()
    offices = [o for o in dict.fromkeys((job.office_id, *peers)) if catalogue.offers(job.service_id, o)]
    offices = offices or [job.office_id]
    today = dt.datetime.now(MUNICH).date()
    url = calendar_url(
        farm.settings.portal_api_url,
        office_ids=offices,
        service_id=job.service_id,
        today=today,
        day=day,
        captcha_token=token,
    )
    answer = _ask(farm, page, url)
    if answer.status != 200:
        raise BookingFailed(_code(answer))
    now = dt.datetime.now(dt.UTC)
    free = parse_calendar(answer.body, url=answer.url, office_ids=offices, window=(day, day)).slots
    return min((s for s in free - tried if s.starts_at > now and job.filters.matches(s.local)), default=None)


def _reserve_payload(job: BookingJob, slot: SeenSlot, token: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "timestamp": int(slot.starts_at.timestamp()),
        "serviceCount": [1],
        "officeId": slot.office_id,
        "serviceId": [str(job.service_id)],
    }
    if token:
        payload["captchaToken"] = token
    return payload


def _credentials(process: dict[str, Any], *, scope: bool = False) -> dict[str, Any]:
    found = {"processId": process["processId"], "authKey": process["authKey"]}
    return {**found, "scope": process.get("scope")} if scope else found


def _contact_payload(process: dict[str, Any], job: BookingJob) -> dict[str, Any]:
    """Only ever the requesting user's own data."""
    assert job.contact is not None
    return {
        **_credentials(process, scope=True),
        "familyName": job.contact.name,
        "email": job.contact.email,
        "telephone": job.contact.phone,
        "customTextfield": "",
        "customTextfield2": "",
    }


def _ask(farm: Farm, page: Page, endpoint_or_url: str, payload: dict[str, Any] | None = None) -> Answer:
    """One portal request with booking priority (a GET of a URL, or a POST to an endpoint); a 429 silences
    the farm's budget."""
    wait_s = farm.budget.config.silence + 2.0  # at worst once per booking: until the portal's count has reset
    if payload is None:
        answer = get_json(page, endpoint_or_url, budget=farm.budget, priority=Priority.BOOKING, wait_s=wait_s)
    else:
        url = f"{farm.settings.portal_api_url.rstrip('/')}/{endpoint_or_url}/"
        answer = post_json(page, url, payload, budget=farm.budget, priority=Priority.BOOKING, wait_s=wait_s)
    if answer.status == 429:
        farm.budget.silence_after_refusal()
    return answer


def _post(farm: Farm, page: Page, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
    answer = _ask(farm, page, endpoint, payload)
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise BookingFailed(_code(answer))
    return answer.body


def _code(answer: Answer) -> str:
    codes = error_codes(answer.body)
    return codes[0] if codes else f"http{answer.status}"


def _cancel_quietly(farm: Farm, page: Page, process: dict[str, Any]) -> None:
    """Release a reservation the booking cannot finish, so nothing stays booked; best effort."""
    try:
        _ask(farm, page, "cancel-appointment", _credentials(process))
    except Exception:
        log.warning("could not release process %s", process.get("processId"), exc_info=True)


def _screenshot(farm: Farm, page: Page, booking_id: int, process: dict[str, Any]) -> str | None:
    """The portal's view of the booked appointment, stored beside the evidence; best effort."""
    try:
        png = render_appointment(
            page,
            page_url=farm.settings.portal_page_url,
            api_url=farm.settings.portal_api_url,
            catalogue=farm.catalogue.raw(),
            process=process,
        )
    except Exception:
        log.warning("could not screenshot booking %s", booking_id, exc_info=True)
        return None
    folder = farm.settings.evidence_dir / "bookings" / str(booking_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}-confirmation.png"
    path.write_bytes(evidence.cap_height(png))
    return str(path)


def cancel(farm: Farm, *, booking_id: int, previous_status: str) -> str:
    """Cancel a booking at the portal (``cancel-appointment``); returns its status afterwards."""
    with transaction(farm.sessions) as session:
        view = bookings.cancel_job(session, booking_id=booking_id)
    if view is None or view.process_id is None or view.auth_key is None:
        return "skipped"
    try:
        with farm.browser.page() as page:
            answer = _ask(farm, page, "cancel-appointment", {"processId": view.process_id, "authKey": view.auth_key})
        gone = "appointmentNotFound" in error_codes(answer.body)  # expired or cancelled before: nothing is booked
        error = None if answer.status == 200 or gone else _code(answer)
    except Exception as exc:
        error = _failure_code(exc)
    with transaction(farm.sessions) as session:
        if error is None:
            bookings.record_cancelled(session, booking_id=booking_id)
        else:
            bookings.record_cancel_failed(session, booking_id=booking_id, status=previous_status, error=error)
    wake_bot(farm, booking_id)
    return "cancelled" if error is None else previous_status


def refresh(farm: Farm, *, booking_id: int) -> str:
    """Ask the portal (``appointment/``) whether a preconfirmed booking was activated or has lapsed; one request,
    taken like a check's (the user is not waiting on it). Returns the booking's status afterwards."""
    with transaction(farm.sessions) as session:
        view = bookings.get_booking(session, booking_id=booking_id)
    if view is None or view.status != "preconfirmed" or view.process_id is None or view.auth_key is None:
        return view.status if view else "gone"
    query = urlencode({"processId": view.process_id, "authKey": view.auth_key})
    url = f"{farm.settings.portal_api_url.rstrip('/')}/appointment/?{query}"
    with farm.browser.page() as page:
        answer = get_json(page, url, budget=farm.budget, wait_s=farm.settings.browser_timeout_s)
    status = answer.body.get("status") if isinstance(answer.body, dict) else None
    if answer.status == 200 and status == "confirmed":
        confirmed = True
    elif "appointmentNotFound" in error_codes(answer.body) or (answer.status == 200 and status == "deleted"):
        confirmed = False  # not activated in time: the city let it go
    else:
        return view.status
    with transaction(farm.sessions) as session:
        bookings.record_activation(session, booking_id=booking_id, confirmed=confirmed)
    wake_bot(farm, booking_id)
    return "confirmed" if confirmed else "expired"


def wake_bot(farm: Farm, booking_id: int) -> None:
    farm.redis.rpush(BOOKINGS_WAKE_KEY, booking_id)
    farm.redis.ltrim(BOOKINGS_WAKE_KEY, -1000, -1)


def enqueue_requested(farm: Farm) -> int:
    """Send a booking task for every requested booking (auto-bookings a check has just made); a booking
    sent twice is booked once."""
    with transaction(farm.sessions) as session:
        ids = bookings.requested_ids(session)
    for booking_id in ids:
        farm.tasks.send(BOOK_SLOT, booking_id)
    return len(ids)

"""One check of one watched service: a single coalesced calendar request for all its watched offices.

The request goes through the shared breaker; the answer is split per target; a target with slots it has
not seen open before gets evidence (the booking page rendering the answer) before it is recorded, so its
alerts leave with the screenshot. The booking page is loaded ahead, after a new page's first check. A
screenshot's thumbnail is made a few seconds later by its own task, outside the burst of renders.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pybreaker
import structlog
from sqlalchemy import select

from core import metrics
from core.alerts import ALERTS_WAKE_KEY
from core.catalogue import Catalogue, CatalogueError
from core.checks import EvidenceFile, add_evidence, evidence_of, record_failure, record_observation
from core.db import transaction
from core.demand import watched_offices
from core.models import Check, Slot, utcnow
from core.queue import ADD_THUMBNAIL
from core.slots import MUNICH, Observation, SeenSlot, nothing_free
from workers import evidence, render
from workers.farm import Farm
from workers.fetch import Answer, get_json
from workers.portal import (
    PortalBlocked,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    calendar_from,
    calendar_url,
    error_codes,
    first_legacy_day,
    is_missing_route,
    is_no_days,
    legacy_appointments_url,
    legacy_days_url,
    only_offices,
    page_calendar,
    page_catalogue,
    parse_calendar,
    parse_legacy,
    raise_for_answer,
)

log = logging.getLogger(__name__)
CAPTCHA_REFUSED = {"captchaMissing", "captchaInvalid", "captchaExpired"}


@dataclass(frozen=True)
class Asked:
    """What one coalesced request saw."""

    observation: Observation
    calendar: Any  # available-calendar/ shaped, for rendering pages
    raw: bytes
    url: str
    captcha_token: str | None


@dataclass(frozen=True)
class Watched:
    target_id: int
    office_id: int
    offices: tuple[int, ...]  # the office and its shared-booking peers that offer the service


def check_service(farm: Farm, *, service_id: int, task_id: str | None, worker: str | None) -> list[int]:
    """Check every watched office of ``service_id`` with one request; returns the ids of the checks recorded."""
    with transaction(farm.sessions) as session:
        if task_id and (done := list(session.scalars(select(Check.id).where(Check.task_id == task_id)))):
            return done  # a redelivered task: already recorded
        targets = watched_offices(session, service_id=service_id)
    if not targets:
        return []
    started, clock = utcnow(), time.perf_counter()
    try:
        watched, asked = farm.breaker.call(_look, farm, service_id, targets)
    except (PortalError, CatalogueError, pybreaker.CircuitBreakerError) as exc:
        _record_failures(farm, exc, targets=targets, started=started, worker=worker)
        metrics.CHECK_SECONDS.observe(time.perf_counter() - clock)
        raise
    farm.report_state("up", "")
    ids = _record(farm, service_id, watched, asked, started=started, task_id=task_id, worker=worker)
    metrics.CHECK_SECONDS.observe(time.perf_counter() - clock)
    _open_evidence_page(farm, service_id)
    return ids


def _open_evidence_page(farm: Farm, service_id: int) -> None:
    """After its first check, a new page gets the booking page, ready for the worker's first finding."""
    if not farm.evidence_page.wants_opening(farm.browser.current_page):
        return
    try:
        with farm.browser.page() as page, farm.browser.bounded("opening the booking page", _render_bound(farm)):
            catalogue = page_catalogue(farm.catalogue.raw(), service_id)
            farm.evidence_page.open(page, service_id=service_id, catalogue=catalogue)
    except Exception:  # the check is recorded; a finding loads the page itself
        log.warning("could not open the booking page ahead of findings", exc_info=True)


def _render_bound(farm: Farm) -> float:
    return farm.settings.browser_timeout_s * render.TIMED_STEPS


def _watched(catalogue: Catalogue, service_id: int, targets: list[tuple[int, int]]) -> list[Watched]:
    """Targets with the offices to ask for them; only offices that offer the service, or the portal says 400."""
    result = []
    for target_id, office_id in targets:
        office = catalogue.offices.get(office_id)
        peers = office.shared_booking_ids if office else ()
        offices = tuple(dict.fromkeys(o for o in (office_id, *peers) if catalogue.offers(service_id, o)))
        result.append(Watched(target_id, office_id, offices))
    return result


def _look(farm: Farm, service_id: int, targets: list[tuple[int, int]]) -> tuple[list[Watched], Asked]:
    """Everything that touches the portal, so the breaker guards all of it (the catalogue included)."""
    catalogue = farm.catalogue.get()
    watched = _watched(catalogue, service_id, targets)
    return watched, _ask(farm, service_id, watched, catalogue)


def _ask(farm: Farm, service_id: int, watched: list[Watched], catalogue: Catalogue) -> Asked:
    offices = sorted({o for w in watched for o in w.offices})
    if not offices:
        raise PortalUnavailable(f"no watched office offers service {service_id} any more")
    needs_captcha = any(catalogue.offices[o].captcha_required for o in offices if o in catalogue.offices)
    today = dt.datetime.now(MUNICH).date()
    with farm.browser.page() as page:
        token = farm.captcha.token(page, farm.budget) if needs_captcha else None
        if farm.generation() == "calendar":
            answer = get_json(page, _calendar(farm, offices, service_id, today, token), budget=farm.budget)
            if not is_missing_route(answer.status, answer.body):
                _raise_for(farm, answer)
                observation = parse_calendar(answer.body, url=answer.url)
                return Asked(observation, answer.body, answer.raw, answer.url, token)
            farm.set_generation("legacy")  # the calendar route is missing: the portal runs the older API
        return _ask_legacy(farm, page, offices, service_id, today, token)


def _calendar(farm: Farm, offices: list[int], service_id: int, today: dt.date, token: str | None) -> str:
    return calendar_url(
        farm.settings.portal_api_url, office_ids=offices, service_id=service_id, today=today, captcha_token=token
    )


def _ask_legacy(farm: Farm, page: Any, offices: list[int], service_id: int, today: dt.date, token: str | None) -> Asked:
    api = farm.settings.portal_api_url
    days = get_json(
        page,
        legacy_days_url(api, office_ids=offices, service_id=service_id, today=today, captcha_token=token),
        budget=farm.budget,
    )
    if is_missing_route(days.status, days.body):
        farm.set_generation("calendar")
    if is_no_days(days.status, days.body):
        observation = nothing_free()
        return Asked(observation, calendar_from(observation, today=today), days.raw, days.url, token)
    _raise_for(farm, days)
    day = first_legacy_day(days.body, url=days.url)
    appointments: Answer | None = None
    if day is not None:
        url = legacy_appointments_url(api, office_ids=offices, service_id=service_id, day=day, captcha_token=token)
        appointments = get_json(page, url, budget=farm.budget)
        _raise_for(farm, appointments)
    observation = parse_legacy(days.body, appointments.body if appointments else None, day=day, url=days.url)
    raw = days.raw + b"\n" + (appointments.raw if appointments else b"")
    return Asked(observation, calendar_from(observation, today=today), raw, days.url, token)


def _raise_for(farm: Farm, answer: Answer) -> None:
    if answer.status == 400 and CAPTCHA_REFUSED & set(error_codes(answer.body)):
        farm.captcha.forget()
        raise PortalUnavailable("the portal refused our captcha token", answer.url, answer.status, body=answer.raw)
    if answer.status == 429:
        farm.budget.silence_after_refusal()
    try:
        raise_for_answer(url=answer.url, status=answer.status, body=answer.body)
    except PortalError as exc:
        exc.body = answer.raw
        raise


def _new_slots(farm: Farm, target_id: int, observation: Observation) -> bool:
    with transaction(farm.sessions) as session:
        rows = session.execute(
            select(Slot.starts_at, Slot.office_id).where(Slot.target_id == target_id, Slot.gone_at.is_(None))
        ).all()
    return bool(observation.slots - {SeenSlot(starts_at, office_id) for starts_at, office_id in rows})


def _evidence(
    farm: Farm, service_id: int, target: Watched, asked: Asked, seen: Observation
) -> tuple[EvidenceFile, ...]:
    """The raw answer, and for slots not seen open before the booking page's screenshot."""
    files: dict[str, tuple[bytes, str, str]] = {"raw_json": (asked.raw, ".json", "application/json")}
    if seen.slots and _new_slots(farm, target.target_id, seen):
        answers = render.Answers(
            page_catalogue(farm.catalogue.raw(), service_id),
            page_calendar(asked.calendar, target.offices),
            asked.captcha_token,
        )
        try:
            with farm.browser.page() as page, farm.browser.bounded("rendering evidence", _render_bound(farm)):
                shot = farm.evidence_page.render(
                    page, service_id=service_id, office_id=target.office_id, answers=answers
                )
            shot = evidence.cap_height(shot)
            files["screenshot"] = (shot, ".png", "image/png")
        except Exception:  # evidence is best effort; the finding itself must not be lost
            log.warning("could not render evidence for target %s", target.target_id, exc_info=True)
    return evidence.store(farm.settings.evidence_dir, target_id=target.target_id, files=files)


def add_thumbnail(farm: Farm, *, check_id: int) -> bool:
    """The review grid's thumbnail of a finding's screenshot; False when there is none to make (no screenshot,
    or made already: the task may be delivered twice)."""
    with transaction(farm.sessions) as session:
        files = evidence_of(session, check_id=check_id)
        check = session.get(Check, check_id)
    shot = files.get("screenshot")
    if check is None or shot is None or "thumbnail" in files or not Path(shot.path).is_file():
        return False
    made = {"thumbnail": (evidence.thumbnail(Path(shot.path).read_bytes()), ".png", "image/png")}
    stored = evidence.store(farm.settings.evidence_dir, target_id=check.target_id, files=made)
    with transaction(farm.sessions) as session:
        add_evidence(session, check_id=check_id, evidence=stored)
    return True


def _thumbnail_later(farm: Farm, check_id: int) -> None:
    """Its own task makes the thumbnail after the burst of findings; the API makes one if that is lost."""
    try:
        farm.tasks.send(ADD_THUMBNAIL, check_id, countdown=farm.settings.thumbnail_delay_s)
    except Exception:  # the finding is recorded and alerted; a thumbnail is no reason to fail the check
        log.warning("could not enqueue the thumbnail of check %s", check_id, exc_info=True)


def _record(
    farm: Farm,
    service_id: int,
    watched: list[Watched],
    asked: Asked,
    *,
    started: dt.datetime,
    task_id: str | None,
    worker: str | None,
) -> list[int]:
    ids = []
    for target in watched:
        structlog.contextvars.unbind_contextvars("check_id")
        structlog.contextvars.bind_contextvars(target_id=target.target_id)
        seen = only_offices(asked.observation, target.offices)
        files = _evidence(farm, service_id, target, asked, seen) if seen.slots else ()
        with transaction(farm.sessions) as session:
            check, opened = record_observation(
                session,
                target_id=target.target_id,
                task_id=task_id,
                started_at=started,
                observation=seen,
                request_url=asked.url,
                worker=worker,
                evidence=files,
            )
            ids.append(check.id)
        structlog.contextvars.bind_contextvars(check_id=check.id)
        log.info("check recorded: %s, %d slot(s), %d new", check.outcome, check.slot_count, len(opened))
        metrics.CHECKS.labels(check.outcome).inc()
        metrics.SLOTS_FOUND.inc(len(opened))
        if opened:  # the bot sends this target's alerts now, while the next target's evidence renders
            farm.redis.rpush(ALERTS_WAKE_KEY, str(check.id))
            farm.redis.ltrim(ALERTS_WAKE_KEY, -1000, -1)
        if any(f.kind == "screenshot" for f in files):
            _thumbnail_later(farm, check.id)
    return ids


def _record_failures(
    farm: Farm, exc: Exception, *, targets: list[tuple[int, int]], started: dt.datetime, worker: str | None
) -> None:
    if isinstance(exc, pybreaker.CircuitBreakerError):
        error = f"breaker open: {exc}"
    else:
        error = str(exc) or type(exc).__name__
        farm.report_state(getattr(exc, "state", "error"), error)
    if isinstance(exc, PortalChanged):  # the operator must look: the farm cannot read the portal any more
        metrics.PORTAL_CHANGED.inc()
        log.error("portal answer of an unexpected shape, evidence kept: %s", error)
    if isinstance(exc, PortalBlocked) and exc.status == 429:
        farm.report_state("blocked", f"rate limited: {error}")
    files: dict[str, tuple[bytes, str, str]] = {}
    if isinstance(exc, PortalError):
        if exc.body is not None:
            files["raw_body"] = (exc.body, ".txt", "application/octet-stream")
        if exc.screenshot is not None:
            files["screenshot"] = (evidence.cap_height(exc.screenshot), ".png", "image/png")
    log.warning("check failed for %d target(s): %s", len(targets), error)
    for target_id, _ in targets:
        structlog.contextvars.bind_contextvars(target_id=target_id)
        stored = evidence.store(farm.settings.evidence_dir, target_id=target_id, files=files) if files else ()
        with transaction(farm.sessions) as session:
            record_failure(
                session,
                target_id=target_id,
                task_id=None,  # a failed attempt may be retried under the same task id
                started_at=started,
                error=error,
                worker=worker,
                request_url=getattr(exc, "url", None),
                evidence=stored,
            )
        metrics.CHECKS.labels("error").inc()

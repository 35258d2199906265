"""One check of one watched service: a calendar request over the whole horizon for all its watched offices,
and one more for each newly listed day a subscriber could want (``workers.verify``).

The requests go through the shared breaker; the answers are split per target and recorded, which wakes the
bot for the alerts at once; a target with slots it has not seen open before then gets its screenshot
(``workers.proof``, its own task), which follows the alert.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pybreaker
import structlog
from sqlalchemy import select

from core import metrics
from core.alerts import ALERTS_WAKE_KEY
from core.budget import Priority
from core.catalogue import Catalogue, CatalogueError
from core.checks import record_failure, record_observation
from core.db import transaction
from core.demand import subscriber_interests, watched_offices
from core.models import Check, utcnow
from core.slots import MUNICH, Observation, SeenSlot, nothing_free
from core.subscriptions import Filters
from workers import booking, captcha, evidence, proof, verify
from workers.farm import Farm
from workers.fetch import Answer, get_json, raise_for
from workers.portal import (
    PortalBlocked,
    PortalChanged,
    PortalError,
    PortalUnavailable,
    calendar_url,
    error_codes,
    horizon,
    is_missing_route,
    is_no_days,
    legacy_appointments_url,
    legacy_days_url,
    parse_calendar,
    parse_legacy_day,
    parse_legacy_days,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asked:
    """What one check's requests saw: the horizon's day list and the times of the days verified."""

    observation: Observation
    raw: bytes
    url: str
    captcha_token: str | None


@dataclass(frozen=True)
class Watched:
    target_id: int
    office_id: int
    offices: tuple[int, ...]  # the office and its shared-booking peers that offer the service


@dataclass(frozen=True)
class Wanted:
    """Who watches a service: its targets (the most subscribed first) and what each subscriber wants."""

    targets: list[tuple[int, int]]
    interests: list[tuple[Filters, frozenset[int]]]


def check_service(farm: Farm, *, service_id: int, task_id: str | None, worker: str | None) -> list[int]:
    """Check every watched office of ``service_id``: one request for the whole horizon, one more for each newly
    listed day a subscriber could want; returns the ids of the checks recorded."""
    with transaction(farm.sessions) as session:
        if task_id and (done := list(session.scalars(select(Check.id).where(Check.task_id == task_id)))):
            return done  # a redelivered task: already recorded
        wanted = Wanted(
            watched_offices(session, service_id=service_id), subscriber_interests(session, service_id=service_id)
        )
    if not wanted.targets:
        return []
    started, clock = utcnow(), time.perf_counter()
    try:
        watched, asked = farm.breaker.call(_look, farm, service_id, wanted)
    except (PortalError, CatalogueError, pybreaker.CircuitBreakerError) as exc:
        _record_failures(farm, exc, targets=wanted.targets, started=started, worker=worker)
        metrics.CHECK_SECONDS.observe(time.perf_counter() - clock)
        raise
    if asked is not None:
        farm.report_state("up", "")
    ids = _record(farm, service_id, watched, asked, started=started, task_id=task_id, worker=worker)
    metrics.CHECK_SECONDS.observe(time.perf_counter() - clock)
    return ids


def _watched(catalogue: Catalogue, service_id: int, targets: list[tuple[int, int]]) -> list[Watched]:
    """Targets with the offices to ask for them; only offices that offer the service, or the portal says 400."""
    result = []
    for target_id, office_id in targets:
        office = catalogue.offices.get(office_id)
        peers = office.shared_booking_ids if office else ()
        offices = tuple(dict.fromkeys(o for o in (office_id, *peers) if catalogue.offers(service_id, o)))
        result.append(Watched(target_id, office_id, offices))
    return result


def _look(farm: Farm, service_id: int, wanted: Wanted) -> tuple[list[Watched], Asked | None]:
    """Everything that touches the portal, so the breaker guards all of it (the catalogue included); no request
    when no watched office offers the service any more."""
    catalogue = farm.catalogue.get()
    watched = _watched(catalogue, service_id, wanted.targets)
    if not any(w.offices for w in watched):
        return watched, None
    return watched, _ask(farm, service_id, watched, catalogue, wanted)


def _ask(farm: Farm, service_id: int, watched: list[Watched], catalogue: Catalogue, wanted: Wanted) -> Asked:
    offices = sorted({o for w in watched for o in w.offices})
    needs_captcha = any(catalogue.offices[o].captcha_required for o in offices if o in catalogue.offices)
    today = dt.datetime.now(MUNICH).date()
    with farm.browser.page() as page:
        token = farm.captcha.token(page, farm.budget) if needs_captcha else None
        ask = _Asking(farm, page, service_id, today, token)
        if farm.generation() == "calendar":
            answer = get_json(page, ask.calendar(offices), budget=farm.budget)
            if not is_missing_route(answer.status, answer.body):
                _raise_for(farm, answer)
                ask.raw.append(answer.raw)
                observation = parse_calendar(answer.body, url=answer.url, office_ids=offices, window=horizon(today))
                return ask.verified(observation, answer.url, watched, wanted)
            farm.set_generation("legacy")  # the calendar route is missing: the portal runs the older API
        return _ask_legacy(ask, offices, watched, wanted)


def _ask_legacy(ask: _Asking, offices: list[int], watched: list[Watched], wanted: Wanted) -> Asked:
    """The older generation: the horizon's day list, then the first listed day's times (docs/portal.md,
    "Legacy availability")."""
    farm = ask.farm
    url = legacy_days_url(
        farm.settings.portal_api_url,
        office_ids=offices,
        service_id=ask.service_id,
        today=ask.today,
        captcha_token=ask.token,
    )
    days = get_json(ask.page, url, budget=farm.budget)
    if is_missing_route(days.status, days.body):
        farm.set_generation("calendar")
    ask.raw.append(days.raw)
    if is_no_days(days.status, days.body):
        return Asked(nothing_free(), b"\n".join(ask.raw), days.url, ask.token)
    _raise_for(farm, days)
    observation = parse_legacy_days(days.body, url=days.url, today=ask.today)
    if observation.listed:
        first = min(day for day, _ in observation.listed)
        observation = observation.verified_by(ask.legacy_day(first, tuple(offices), Priority.CHECK))
    return ask.verified(observation, days.url, watched, wanted)


@dataclass
class _Asking:
    """One check's conversation with the portal: who asks, and the raw answers so far."""

    farm: Farm
    page: Any
    service_id: int
    today: dt.date
    token: str | None
    raw: list[bytes] = field(default_factory=list)

    def calendar(self, offices: Sequence[int], day: dt.date | None = None) -> str:
        api = self.farm.settings.portal_api_url
        return calendar_url(
            api, office_ids=offices, service_id=self.service_id, today=self.today, day=day, captcha_token=self.token
        )

    def calendar_day(self, day: dt.date, offices: tuple[int, ...]) -> Observation:
        """One day's times, as the city's page asks when a person picks that day. A portal that moved the
        window to another day (its day list does not name this one) says the day has no time."""
        answer = get_json(self.page, self.calendar(offices, day), budget=self.farm.budget, priority=Priority.VERIFY)
        _raise_for(self.farm, answer)
        self.raw.append(answer.raw)
        seen = parse_calendar(answer.body, url=answer.url, office_ids=offices, window=(day, day))
        return _verified(Observation(seen.slots, timed=seen.timed | {(day, o) for o in offices}), day)

    def legacy_day(self, day: dt.date, offices: tuple[int, ...], priority: Priority = Priority.VERIFY) -> Observation:
        api = self.farm.settings.portal_api_url
        url = legacy_appointments_url(
            api, office_ids=offices, service_id=self.service_id, day=day, captcha_token=self.token
        )
        answer = get_json(self.page, url, budget=self.farm.budget, priority=priority)
        self.raw.append(answer.raw)
        if is_no_days(answer.status, answer.body):
            seen = Observation(frozenset(), timed=frozenset((day, o) for o in offices))
        else:
            _raise_for(self.farm, answer)
            seen = parse_legacy_day(answer.body, url=answer.url, day=day, office_ids=offices)
        return _verified(seen, day) if priority is Priority.VERIFY else seen

    def verified(self, observation: Observation, url: str, watched: list[Watched], wanted: Wanted) -> Asked:
        """The answer with the times of every newly listed day a subscriber could want, the most wanted first."""
        farm = self.farm
        key = verify.verified_key(farm.portal, self.service_id)
        done = verify.settle(farm.redis, key, observation)
        days = verify.wanted_days(
            observation.unverified() - done,
            observation.listed,
            interests=wanted.interests,
            target_offices={w.target_id: w.offices for w in watched},
        )
        ask_day = self.calendar_day if farm.generation() == "calendar" else self.legacy_day
        observation = verify.verify(observation, days, ask_day=ask_day, client=farm.redis, key=key)
        return Asked(observation, b"\n".join(self.raw), url, self.token)


def _verified(seen: Observation, day: dt.date) -> Observation:
    found = any(s.local.date() == day for s in seen.slots)
    metrics.VERIFICATIONS.labels("times" if found else "no_time").inc()
    log.info("verified %s: %s", day, "times free" if found else "no time free")
    return seen


def _raise_for(farm: Farm, answer: Answer) -> None:
    if answer.status == 400 and captcha.REFUSALS & set(error_codes(answer.body)):
        farm.captcha.forget()
        raise PortalUnavailable("the portal refused our captcha token", answer.url, answer.status, body=answer.raw)
    raise_for(answer, farm.budget)


def _record(
    farm: Farm,
    service_id: int,
    watched: list[Watched],
    asked: Asked | None,
    *,
    started: dt.datetime,
    task_id: str | None,
    worker: str | None,
) -> list[int]:
    """Record every target's check and wake the bot for its alerts at once; their screenshots are queued."""
    ids = []
    for target in watched:
        structlog.contextvars.unbind_contextvars("check_id")
        structlog.contextvars.bind_contextvars(target_id=target.target_id)
        if asked is None or not target.offices:  # nothing was asked for it: no answer may close its slots
            ids.append(_record_unoffered(farm, service_id, target, started=started, worker=worker))
            continue
        seen = asked.observation.only_offices(target.offices)
        files = {"raw_json": (asked.raw, ".json", "application/json")} if seen.slots else {}
        stored = evidence.store(farm.settings.evidence_dir, target_id=target.target_id, files=files) if files else ()
        with transaction(farm.sessions) as session:
            check, opened, overtaken = record_observation(
                session,
                target_id=target.target_id,
                task_id=task_id,
                started_at=started,
                observation=seen,
                request_url=asked.url,
                worker=worker,
                evidence=stored,
            )
            ids.append(check.id)
        if overtaken:  # its times were not taken: the next check verifies those days again
            verify.forget(farm.redis, verify.verified_key(farm.portal, service_id), seen.timed)
        structlog.contextvars.bind_contextvars(check_id=check.id)
        log.info("check recorded: %s, %d slot(s), %d new", check.outcome, check.slot_count, len(opened))
        metrics.CHECKS.labels(check.outcome).inc()
        metrics.SLOTS_FOUND.inc(len(opened))
        if opened:  # the bot sends this target's alerts now; their screenshot follows
            farm.redis.rpush(ALERTS_WAKE_KEY, str(check.id))
            farm.redis.ltrim(ALERTS_WAKE_KEY, -1000, -1)
            new = sorted(SeenSlot(s.starts_at, s.office_id) for s in opened)
            day = new[0].local.date()
            times = tuple((s.office_id, int(s.starts_at.timestamp())) for s in new if s.local.date() == day)
            found = proof.Finding(check.id, target.target_id, service_id, target.office_id, seen, day, times)
            proof.send(farm, replace(found, captcha_token=asked.captcha_token))
            booking.enqueue_requested(farm)  # the auto-bookings its slots requested, now committed
    return ids


def _record_unoffered(farm: Farm, service_id: int, target: Watched, *, started: dt.datetime, worker: str | None) -> int:
    """A target whose office the portal's catalogue no longer lists for its service: an error the operator sees,
    never "no slots" (which would close its slots)."""
    error = f"changed: the portal's catalogue no longer offers service {service_id} at office {target.office_id}"
    log.error("check failed: %s", error)
    with transaction(farm.sessions) as session:
        check = record_failure(
            session, target_id=target.target_id, task_id=None, started_at=started, error=error, worker=worker
        )
        metrics.CHECKS.labels("error").inc()
        return check.id


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

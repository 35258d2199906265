"""Celery tasks: thin wrappers that take ids and call the plain functions of the farm."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import structlog
from celery.signals import worker_process_init

from core import metrics
from core.bookings import prune_booking_screenshots
from core.catalogue import CatalogueError
from core.checks import prune_routine_checks
from core.db import transaction
from core.demand import service_weights, watched_offices
from core.heartbeats import beat
from core.queue import (
    ADD_PROOF,
    ADD_THUMBNAIL,
    BOOK_SLOT,
    CANCEL_BOOKING,
    CHECK_SERVICE,
    REFRESH_BOOKING,
    RENEW_CAPTCHA,
)
from core.slots import MUNICH
from workers import booking, pacing, proof
from workers.browser import BrowserGone, BrowserUnavailable
from workers.celery_app import app, process_name
from workers.check import check_service as run_check
from workers.farm import Farm, current_farm
from workers.fetch import NoBudget
from workers.portal import PortalDown, PortalUnavailable

log = logging.getLogger(__name__)


@app.task(
    name=CHECK_SERVICE,
    bind=True,
    autoretry_for=(PortalUnavailable, PortalDown, BrowserGone),
    retry_backoff=1,
    retry_backoff_max=20,
    retry_jitter=True,
    max_retries=2,
    default_retry_delay=0.5,  # a check lost with its worker process runs again at once
)
def check_service(self: Any, service_id: int, plan_id: str | None = None, waited: bool = False) -> list[int]:
    """One planned check of a service; waits for the request budget, never dropped for lack of it: it runs
    when the budget allows, or a run planned meanwhile checks the service in its place."""
    farm = current_farm()
    worker = f"{self.request.hostname}:{os.getpid()}"
    structlog.contextvars.bind_contextvars(service_id=service_id, plan_id=plan_id)  # on every line of this check
    if waited and plan_id and pacing.superseded(farm.redis, farm.portal, plan_id=plan_id, service_id=service_id):
        log.info("check that waited left to a newer run, which checks the service itself")
        return []
    try:
        found = run_check(farm, service_id=service_id, task_id=self.request.id, worker=worker)
        farm.browser_error = None
        return found
    except BrowserUnavailable as exc:  # ours, not the portal's: no failed check, no portal state, no breaker
        farm.browser_error = str(exc)
        metrics.BROWSER_UNAVAILABLE.inc()
        log.error("browser unavailable: %s", exc)
        raise
    except NoBudget as wait:
        # Waiting for the budget is no failure: it never uses up the retries (None would mean the default, 2). A
        # check that waits for the count to reset may be left to a newer run; one that waits for an answer in
        # flight (a slow portal, or a request lost with its process) is still its run's.
        retries = self.request.retries + 1
        kwargs = {"waited": waited or wait.new_count}
        raise self.retry(countdown=wait.wait_s + 0.05, max_retries=retries, kwargs=kwargs) from wait
    finally:
        farm.checks_done += 1
        if farm.browser_error is None:
            _warm(farm)  # a page recycled by this check is reopened now, not in the next check's time
        _beat(farm, worker)


@app.task(name="workers.tasks.prune_checks")
def prune_checks() -> int:
    """Hourly: forget routine checks (nothing found, or failed) older than the retention, and the screenshots of
    bookings whose appointment lies that long in the past; findings stay."""
    farm = current_farm()
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=farm.settings.prune_checks_after_days)
    with transaction(farm.sessions) as session:
        paths = prune_routine_checks(session, older_than=cutoff)
        paths += prune_booking_screenshots(session, appointments_before=cutoff)
    for path in paths:
        Path(path).unlink(missing_ok=True)
    return len(paths)


@app.task(name="workers.tasks.plan_checks")
def plan_checks() -> int:
    """Beat's tick: keep the run plan and enqueue the checks due in the next seconds at their send time."""
    farm = current_farm()
    with transaction(farm.sessions) as session:
        weights = service_weights(session, today=dt.datetime.now(MUNICH).date())

    def enqueue(service_id: int, plan_id: str, at: float) -> None:
        farm.tasks.send(CHECK_SERVICE, service_id, plan_id, at=at)

    sent = pacing.tick(
        farm.redis,
        farm.budget,
        portal=farm.portal,
        weights=weights,
        requests_per_check=farm.requests_per_check(),
        steady_interval_s=farm.settings.check_interval_s,
        enqueue=enqueue,
    )
    if farm.captcha.renewal_due() and farm.captcha.claim_renewal() and _watched_need_captcha(farm, weights):
        farm.tasks.send(RENEW_CAPTCHA)
    return sent


@app.task(name=RENEW_CAPTCHA)
def renew_captcha() -> bool:
    """The next shared captcha token, solved while the current one still serves (on the proof queue)."""
    farm = current_farm()
    with farm.browser.page() as page:
        return farm.captcha.renew(page, farm.budget)


def _watched_need_captcha(farm: Farm, services: Iterable[int]) -> bool:
    """Whether an office some subscriber watches needs a captcha token (without the catalogue, the checks
    solve for themselves)."""
    with transaction(farm.sessions) as session:
        offices = {office for service in services for _, office in watched_offices(session, service_id=service)}
    try:
        catalogue = farm.catalogue.get()
    except CatalogueError:
        return False
    return any(catalogue.offices[o].captcha_required for o in offices if o in catalogue.offices)


@app.task(name=ADD_PROOF)
def add_proof(finding: dict[str, Any]) -> bool:
    """A finding's screenshot, on the proof queue (``proof.send``): rendered after its alerts have left."""
    return proof.add_proof(current_farm(), proof.Finding.from_json(finding))


@app.task(name=ADD_THUMBNAIL)
def add_thumbnail(check_id: int) -> bool:
    """A finding's thumbnail, a few seconds after its screenshot (``proof.add_proof``)."""
    return proof.add_thumbnail(current_farm(), check_id=check_id)


@app.task(name=BOOK_SLOT)
def book_slot(booking_id: int) -> str:
    """Book a requested booking for its user; a redelivered or concurrent task finds it claimed and does nothing."""
    return booking.book(current_farm(), booking_id=booking_id)


@app.task(name=CANCEL_BOOKING)
def cancel_booking(booking_id: int, previous_status: str) -> str:
    """Cancel a booking the user asked to cancel; cancelling twice is harmless at the portal."""
    return booking.cancel(current_farm(), booking_id=booking_id, previous_status=previous_status)


@app.task(name=REFRESH_BOOKING, autoretry_for=(NoBudget,), retry_backoff=5, max_retries=3)
def refresh_booking(booking_id: int) -> str:
    """Learn from the portal whether a preconfirmed booking was activated or has lapsed."""
    return booking.refresh(current_farm(), booking_id=booking_id)


@worker_process_init.connect
def _warm_browser(**_: Any) -> None:
    """Each pool process launches its Chromium as it starts, not in its first check's time, and says so."""
    farm = current_farm()
    _warm(farm)
    _beat(farm, process_name())


def _warm(farm: Farm) -> None:
    """Launch Chromium and open its page ahead of the next check. A Chromium that cannot start is reported by the
    heartbeat and by that check (``BrowserUnavailable``)."""
    try:
        farm.browser.warm()
    except BrowserUnavailable as exc:
        farm.browser_error = str(exc)
        log.error("browser unavailable: %s", exc)
    except Exception as exc:
        log.warning("could not warm the browser: %s", exc)


def _beat(farm: Farm, worker: str) -> None:
    beat(
        farm.redis,
        worker=worker,
        browsers_open=int(farm.browser.open),
        checks_done=farm.checks_done,
        browser_error=farm.browser_error,
    )

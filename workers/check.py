"""One check of one target: look at the portal through the breaker, keep the evidence, record it."""

from __future__ import annotations

import logging

import pybreaker

from core.alerts import ALERTS_WAKE_KEY
from core.catalogue import CatalogueError
from core.checks import EvidenceFile, find_check_by_task, record_failure, record_observation
from core.db import transaction
from core.models import Target, utcnow
from workers import evidence
from workers.farm import Farm
from workers.look import Look, look_at_calendar
from workers.portal import PortalError, parse_calendar, raise_for_answer

log = logging.getLogger(__name__)


def check_target(farm: Farm, *, target_id: int, task_id: str | None, worker: str | None = None) -> int | None:
    """Check ``target_id`` once and return the check's id; a task delivered twice records one check."""
    with transaction(farm.sessions) as session:
        if task_id and (done := find_check_by_task(session, task_id=task_id)):
            return done.id
        target = session.get(Target, target_id)
        if target is None:
            return None
        service_id, office_id = target.service_id, target.office_id
    started = utcnow()
    try:
        look = farm.breaker.call(_look, farm, service_id, office_id)
        observation = parse_calendar(look.body, url=look.url)
    except (PortalError, CatalogueError, pybreaker.CircuitBreakerError) as exc:
        error = f"breaker open: {exc}" if isinstance(exc, pybreaker.CircuitBreakerError) else str(exc)
        log.warning("check of target %s failed: %s", target_id, error)
        files = _failure_evidence(farm, target_id, exc)
        with transaction(farm.sessions) as session:
            return record_failure(
                session,
                target_id=target_id,
                task_id=task_id,
                started_at=started,
                error=error or type(exc).__name__,
                worker=worker,
                request_url=getattr(exc, "url", None),
                evidence=files,
            ).id
    files = _finding_evidence(farm, target_id, look) if observation.slots else ()
    with transaction(farm.sessions) as session:
        check, opened = record_observation(
            session,
            target_id=target_id,
            task_id=task_id,
            started_at=started,
            observation=observation,
            request_url=look.url,
            worker=worker,
            evidence=files,
        )
        check_id = check.id
    if opened:
        log.info("target %s: %d new slot(s) in check %s", target_id, len(opened), check_id)
        farm.redis.rpush(ALERTS_WAKE_KEY, check_id)
        farm.redis.ltrim(ALERTS_WAKE_KEY, -1000, -1)
    return check_id


def _look(farm: Farm, service_id: int, office_id: int) -> Look:
    settings = farm.settings
    catalogue = farm.catalogue.raw()
    with farm.browser.page() as page:
        look = look_at_calendar(
            page,
            page_url=settings.portal_page_url,
            api_url=settings.portal_api_url,
            service_id=service_id,
            office_id=office_id,
            catalogue=catalogue,
        )
    try:
        raise_for_answer(url=look.url, status=look.status, body=look.body)
    except PortalError as exc:
        exc.screenshot, exc.body = look.screenshot, look.raw
        raise
    return look


def _finding_evidence(farm: Farm, target_id: int, look: Look) -> tuple[EvidenceFile, ...]:
    files = {"raw_json": (look.raw, ".json", "application/json")}
    if look.screenshot is not None:
        files["screenshot"] = (evidence.cap_height(look.screenshot), ".png", "image/png")
    return evidence.store(farm.settings.evidence_dir, target_id=target_id, files=files)


def _failure_evidence(farm: Farm, target_id: int, exc: Exception) -> tuple[EvidenceFile, ...]:
    files: dict[str, tuple[bytes, str, str]] = {}
    if isinstance(exc, PortalError):
        if exc.body is not None:
            files["raw_body"] = (exc.body, ".txt", "application/octet-stream")
        if exc.screenshot is not None:
            files["screenshot"] = (evidence.cap_height(exc.screenshot), ".png", "image/png")
    return evidence.store(farm.settings.evidence_dir, target_id=target_id, files=files) if files else ()

"""Recording a check: its outcome, the slots that opened or went, and the alerts (and auto-bookings) they cause."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.bookings import request_auto_booking
from core.models import Alert, Check, Evidence, Slot, utcnow
from core.slots import Observation, SeenSlot
from core.subscriptions import filters_of, subscribers_of


@dataclass(frozen=True)
class EvidenceFile:
    kind: str
    path: str
    content_type: str
    sha256: str
    size: int


def prune_routine_checks(session: Session, *, older_than: dt.datetime) -> list[str]:
    """Delete checks that found nothing (or failed) before ``older_than``; findings stay. Returns the evidence
    files that belonged to them, for the caller to remove."""
    routine = select(Check.id).where(Check.outcome != "slots", Check.started_at < older_than)
    paths = list(session.scalars(select(Evidence.path).where(Evidence.check_id.in_(routine))))
    session.execute(delete(Check).where(Check.id.in_(routine)))
    return paths


def record_failure(
    session: Session,
    *,
    target_id: int,
    task_id: str | None,
    started_at: dt.datetime,
    error: str,
    worker: str | None = None,
    request_url: str | None = None,
    evidence: tuple[EvidenceFile, ...] = (),
) -> Check:
    check = Check(
        target_id=target_id,
        task_id=task_id,
        started_at=started_at,
        finished_at=utcnow(),
        outcome="error",
        error=error,
        worker=worker,
        request_url=request_url,
        evidence=[Evidence(**vars(e)) for e in evidence],
    )
    session.add(check)
    session.flush()
    return check


def add_evidence(session: Session, *, check_id: int, evidence: tuple[EvidenceFile, ...]) -> None:
    """Files that join a recorded check's evidence later (a screenshot's thumbnail)."""
    session.add_all(Evidence(check_id=check_id, **vars(e)) for e in evidence)


def evidence_of(session: Session, *, check_id: int) -> dict[str, Evidence]:
    """A check's evidence files by kind."""
    return {e.kind: e for e in session.scalars(select(Evidence).where(Evidence.check_id == check_id))}


class Recorded(NamedTuple):
    check: Check
    opened: list[Slot]  # the slot appearances it opened
    overtaken: bool  # a newer check of the target was recorded first: this one changed no slot


def record_observation(
    session: Session,
    *,
    target_id: int,
    task_id: str | None,
    started_at: dt.datetime,
    observation: Observation,
    request_url: str | None,
    worker: str | None = None,
    evidence: tuple[EvidenceFile, ...] = (),
) -> Recorded:
    """Store a successful check; open new slot appearances, close gone ones, and queue their alerts.

    A check recorded after a newer check of the target (a check that verified days finishes after one that
    began later) is stored but changes no slot: its older answer would close a slot the newer one saw open, and
    that slot's next sighting would alert again. The caller learns so, to ask again what only it had seen.
    """
    now = utcnow()
    overtaken = session.scalar(
        select(Check.id)
        .where(Check.target_id == target_id, Check.outcome != "error", Check.started_at > started_at)
        .limit(1)
    )
    check = Check(
        target_id=target_id,
        task_id=task_id,
        started_at=started_at,
        finished_at=now,
        outcome="slots" if observation.slots else "no_slots",
        slot_count=len(observation.slots),
        request_url=request_url,
        worker=worker,
        evidence=[Evidence(**vars(e)) for e in evidence],
    )
    session.add(check)
    session.flush()
    if overtaken is not None:
        return Recorded(check, [], overtaken=True)
    opened = _update_slots(session, target_id=target_id, check=check, observation=observation, now=now)
    _queue_alerts(session, target_id=target_id, check=check, opened=opened)
    return Recorded(check, opened, overtaken=False)


def _update_slots(
    session: Session, *, target_id: int, check: Check, observation: Observation, now: dt.datetime
) -> list[Slot]:
    open_slots = session.scalars(select(Slot).where(Slot.target_id == target_id, Slot.gone_at.is_(None)))
    still_open: set[SeenSlot] = set()
    for slot in open_slots:
        seen = SeenSlot(slot.starts_at, slot.office_id)
        if seen in observation.slots:
            slot.last_seen_at = now
            still_open.add(seen)
        elif observation.shows_gone(seen):
            slot.gone_at = now
        else:
            still_open.add(seen)
    opened = [
        Slot(
            target_id=target_id,
            office_id=s.office_id,
            starts_at=s.starts_at,
            first_seen_at=now,
            last_seen_at=now,
            check_id=check.id,
        )
        for s in sorted(observation.slots - still_open)
    ]
    session.add_all(opened)
    session.flush()
    return opened


def _queue_alerts(session: Session, *, target_id: int, check: Check, opened: list[Slot]) -> None:
    if not opened:
        return
    for subscription in subscribers_of(session, target_id=target_id):
        filters = filters_of(subscription)
        matching = [slot for slot in opened if filters.matches(SeenSlot(slot.starts_at, slot.office_id).local)]
        session.add_all(Alert(subscription_id=subscription.id, slot_id=slot.id, check_id=check.id) for slot in matching)
        session.flush()
        if subscription.auto_book and matching:
            request_auto_booking(session, subscription=subscription, slot=matching[0])  # opened is sorted by time
    session.flush()

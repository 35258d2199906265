"""What the farm saw, for reading: targets, checks newest first by cursor, slot appearances and evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from core.models import Alert, Check, Evidence, Slot, Subscription, Target

OUTCOMES = ("slots", "no_slots", "error")


@dataclass(frozen=True)
class CheckFilter:
    """Which checks to list; every field optional. ``verdict`` "unreviewed" means no verdict yet."""

    target_id: int | None = None
    outcome: str | None = None
    verdict: str | None = None
    since: dt.datetime | None = None  # started at or after, aware
    until: dt.datetime | None = None  # started before, aware


def list_targets(session: Session) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.id)))


def _filtered(query: Select[tuple[Check]], filters: CheckFilter) -> Select[tuple[Check]]:
    if filters.target_id is not None:
        query = query.where(Check.target_id == filters.target_id)
    if filters.outcome is not None:
        query = query.where(Check.outcome == filters.outcome)
    if filters.verdict == "unreviewed":
        query = query.where(Check.verdict.is_(None))
    elif filters.verdict is not None:
        query = query.where(Check.verdict == filters.verdict)
    if filters.since is not None:
        query = query.where(Check.started_at >= filters.since)
    if filters.until is not None:
        query = query.where(Check.started_at < filters.until)
    return query


def list_checks(
    session: Session, *, filters: CheckFilter = CheckFilter(), before_id: int | None = None, limit: int = 50
) -> list[Check]:
    """Up to ``limit`` checks matching ``filters``, newest first, older than ``before_id`` (the cursor)."""
    query = _filtered(select(Check), filters).options(selectinload(Check.evidence))
    if before_id is not None:
        query = query.where(Check.id < before_id)
    return list(session.scalars(query.order_by(Check.id.desc()).limit(limit)))


def get_check(session: Session, *, check_id: int) -> Check | None:
    return session.scalar(select(Check).where(Check.id == check_id).options(selectinload(Check.evidence)))


def list_slots(
    session: Session, *, target_id: int | None = None, check_id: int | None = None, open_only: bool = False
) -> list[Slot]:
    """Slot appearances in the order they were first seen; those of one target or opened by one check."""
    query = select(Slot).order_by(Slot.id)
    if target_id is not None:
        query = query.where(Slot.target_id == target_id)
    if check_id is not None:
        query = query.where(Slot.check_id == check_id)
    if open_only:
        query = query.where(Slot.gone_at.is_(None))
    return list(session.scalars(query))


def get_evidence(session: Session, *, evidence_id: int) -> Evidence | None:
    return session.get(Evidence, evidence_id)


def checks_alerted_to(session: Session, *, user_id: int, limit: int = 50) -> list[Check]:
    """The checks whose findings were alerted to ``user_id``, newest first: the evidence that user may see."""
    alerted = (
        select(Alert.check_id)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .where(Subscription.user_id == user_id)
    )
    query = (
        select(Check)
        .where(Check.id.in_(alerted))
        .options(selectinload(Check.evidence))
        .order_by(Check.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def was_alerted(session: Session, *, user_id: int, check_id: int) -> bool:
    query = (
        select(Alert.id)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .where(Subscription.user_id == user_id, Alert.check_id == check_id)
        .limit(1)
    )
    return session.scalar(query) is not None

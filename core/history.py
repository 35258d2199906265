"""What the farm saw, for reading: targets, checks newest first by cursor, slot appearances and evidence.

Checks are read as plain values (``CheckView``) by column, not as ORM objects: the checks list is the
control API's hottest path, and building entities costs more than the query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

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


@dataclass(frozen=True)
class EvidenceView:
    id: int
    check_id: int
    kind: str
    path: str
    content_type: str
    sha256: str
    size: int
    created_at: dt.datetime


@dataclass(frozen=True)
class CheckView:
    id: int
    target_id: int
    worker: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    error: str | None
    slot_count: int
    request_url: str | None
    verdict: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    evidence: tuple[EvidenceView, ...] = ()


def _columns(view: type[Any], model: type[Any]) -> list[ColumnElement[Any]]:
    return [getattr(model, f.name) for f in fields(view) if f.name != "evidence"]


CHECK_COLUMNS = _columns(CheckView, Check)
EVIDENCE_COLUMNS = _columns(EvidenceView, Evidence)


def _with_evidence(session: Session, query: Select[Any]) -> list[CheckView]:
    rows = session.execute(query).all()
    found: dict[int, list[EvidenceView]] = defaultdict(list)
    if rows:
        ids = [row.id for row in rows]
        for item in session.execute(select(*EVIDENCE_COLUMNS).where(Evidence.check_id.in_(ids)).order_by(Evidence.id)):
            found[item.check_id].append(EvidenceView(**item._mapping))
    return [CheckView(**row._mapping, evidence=tuple(found[row.id])) for row in rows]


def _filtered(query: Select[Any], filters: CheckFilter) -> Select[Any]:
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


def list_targets(session: Session) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.id)))


def list_checks(
    session: Session, *, filters: CheckFilter = CheckFilter(), before_id: int | None = None, limit: int = 50
) -> list[CheckView]:
    """Up to ``limit`` checks matching ``filters``, newest first, older than ``before_id`` (the cursor)."""
    query = _filtered(select(*CHECK_COLUMNS), filters)
    if before_id is not None:
        query = query.where(Check.id < before_id)
    return _with_evidence(session, query.order_by(Check.id.desc()).limit(limit))


def get_check(session: Session, *, check_id: int) -> CheckView | None:
    found = _with_evidence(session, select(*CHECK_COLUMNS).where(Check.id == check_id))
    return found[0] if found else None


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


def _alerted_to(user_id: int) -> Select[Any]:
    return (
        select(Alert.check_id)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .where(Subscription.user_id == user_id)
    )


def checks_alerted_to(session: Session, *, user_id: int, limit: int = 50) -> list[CheckView]:
    """The checks whose findings were alerted to ``user_id``, newest first: the evidence that user may see."""
    query = select(*CHECK_COLUMNS).where(Check.id.in_(_alerted_to(user_id))).order_by(Check.id.desc()).limit(limit)
    return _with_evidence(session, query)


def was_alerted(session: Session, *, user_id: int, check_id: int) -> bool:
    return session.scalar(_alerted_to(user_id).where(Alert.check_id == check_id).limit(1)) is not None

"""What the farm saw, for reading: targets, checks newest first by cursor, slot appearances and evidence.

Checks are read as plain values (``CheckView``) by column, not as ORM objects: the checks list is the
control API's hottest path, and building entities costs more than the query.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from core.models import Alert, Check, Evidence, Slot, Subscription, Target, UTCDateTime

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
    render_error: str | None
    evidence: tuple[EvidenceView, ...] = field(default=(), kw_only=True)


def _columns(view: type[Any], model: type[Any]) -> list[ColumnElement[Any]]:
    return [getattr(model, f.name) for f in fields(view) if f.name != "evidence"]


CHECK_COLUMNS = _columns(CheckView, Check)
EVIDENCE_COLUMNS = _columns(EvidenceView, Evidence)


VerdictFilter = Literal["any", "unreviewed", "given"]
Reader = Session | Connection  # what runs the reads: a session, or a connection (the API's async reads lend one)

EVIDENCE_OF = (
    select(*EVIDENCE_COLUMNS).where(Evidence.check_id.in_(bindparam("check_ids", expanding=True))).order_by(Evidence.id)
)


@dataclass(frozen=True)
class PageStatements:
    checks: Select[Any]  # the matching checks newest first: up to :limit, older than :before_id if a cursor
    evidence: Select[Any]  # the evidence of the matching checks with ids from :low to :high, i.e. of the page


@functools.cache
def _page_statements(
    *, target: bool, outcome: bool, verdict: VerdictFilter, since: bool, until: bool, cursor: bool
) -> PageStatements:
    """The statements of a checks page for one combination of filters, values left as bound parameters.

    Built once per combination (at most 96) and reused: building and keying a statement anew costs about as
    much as running it, and the checks list is the control API's hottest path. The evidence is asked for by
    the page's filters and id range, which the database answers from its indexes, rather than by fifty ids
    bound one by one.
    """
    matching: list[ColumnElement[bool]] = []
    if target:
        matching.append(Check.target_id == bindparam("target_id"))
    if outcome:
        matching.append(Check.outcome == bindparam("outcome"))
    if verdict == "unreviewed":
        matching.append(Check.verdict.is_(None))
    elif verdict == "given":
        matching.append(Check.verdict == bindparam("verdict"))
    if since:
        matching.append(Check.started_at >= bindparam("since", type_=UTCDateTime))
    if until:
        matching.append(Check.started_at < bindparam("until", type_=UTCDateTime))
    checks = select(*CHECK_COLUMNS).where(*matching)
    if cursor:
        checks = checks.where(Check.id < bindparam("before_id"))
    in_range = Check.id.between(bindparam("low"), bindparam("high"))
    page = select(Check.id).where(*matching, in_range)
    evidence = select(*EVIDENCE_COLUMNS).where(
        Evidence.check_id.between(bindparam("low"), bindparam("high")), Evidence.check_id.in_(page)
    )
    return PageStatements(
        checks=checks.order_by(Check.id.desc()).limit(bindparam("limit")), evidence=evidence.order_by(Evidence.id)
    )


def _assemble(rows: Sequence[Row[Any]], evidence: Iterable[Row[Any]]) -> list[CheckView]:
    """Rows of CHECK_COLUMNS and EVIDENCE_COLUMNS as views, by position: the columns follow the fields."""
    found: dict[int, list[EvidenceView]] = defaultdict(list)
    for item in evidence:
        found[item.check_id].append(EvidenceView(*_values(item)))
    return [CheckView(*_values(row), evidence=tuple(found[row.id])) for row in rows]


def _values(row: Row[Any]) -> tuple[Any, ...]:
    return tuple(row)


def _with_evidence(reader: Reader, query: Select[Any]) -> list[CheckView]:
    rows = reader.execute(query).all()
    evidence = reader.execute(EVIDENCE_OF, {"check_ids": [row.id for row in rows]}) if rows else ()
    return _assemble(rows, evidence)


def list_targets(session: Session) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.id)))


def list_checks(
    reader: Reader, *, filters: CheckFilter = CheckFilter(), before_id: int | None = None, limit: int = 50
) -> list[CheckView]:
    """Up to ``limit`` checks matching ``filters``, newest first, older than ``before_id`` (the cursor)."""
    verdict: VerdictFilter = (
        "any" if filters.verdict is None else "unreviewed" if filters.verdict == "unreviewed" else "given"
    )
    statements = _page_statements(
        target=filters.target_id is not None,
        outcome=filters.outcome is not None,
        verdict=verdict,
        since=filters.since is not None,
        until=filters.until is not None,
        cursor=before_id is not None,
    )
    values = {
        "target_id": filters.target_id,
        "outcome": filters.outcome,
        "verdict": filters.verdict if verdict == "given" else None,
        "since": filters.since,
        "until": filters.until,
    }
    matching = {name: value for name, value in values.items() if value is not None}
    cursor = {"before_id": before_id} if before_id is not None else {}
    rows = reader.execute(statements.checks, {**matching, **cursor, "limit": limit}).all()
    if not rows:
        return []
    evidence = reader.execute(statements.evidence, {**matching, "low": rows[-1].id, "high": rows[0].id})
    return _assemble(rows, evidence)


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

"""Alerts waiting to be sent: grouped per subscriber and check, so one finding is one message.

An alert is sent only while it is still true: its slot open and ahead, its subscription and chat active.
Pending alerts that are no longer true (the bot was away, say) are dropped: marked sent without a message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, not_, select, update
from sqlalchemy.orm import Session

from core.models import Alert, Check, Evidence, Slot, Subscription, Target, User, utcnow

ALERTS_WAKE_KEY = "mta:alerts:wake"  # workers push here after queueing alerts; the bot waits on it


@dataclass(frozen=True)
class AlertMessage:
    """What one chat is to be told about one finding."""

    alert_ids: tuple[int, ...]
    chat_id: int
    language: str
    service_id: int
    office_id: int
    check_id: int
    seen_at: dt.datetime  # when the check that found the slots asked the portal, aware UTC
    slot_times: tuple[dt.datetime, ...]  # aware UTC, sorted
    screenshot_path: str | None
    slot_ids: tuple[int, ...] = ()  # in the order of slot_times, for the Book buttons
    recorded_at: dt.datetime | None = None  # when the check was recorded: its screenshot follows soon after
    render_failed: bool = False  # no screenshot will come


@dataclass(frozen=True)
class Proof:
    """A finding's screenshot, made after its alert left as text: it follows as a reply to that message."""

    alert_ids: tuple[int, ...]
    chat_id: int
    language: str
    message_id: int
    seen_at: dt.datetime
    screenshot_path: str


_Row = tuple[Alert, Slot, Subscription, User, Target, Check]


def _live(now: dt.datetime) -> ColumnElement[bool]:
    """An alert still worth sending: its slot open and not begun, its subscription and chat active."""
    return and_(Slot.gone_at.is_(None), Slot.starts_at > now, Subscription.active.is_(True), User.active.is_(True))


def drop_stale(session: Session, *, now: dt.datetime | None = None) -> int:
    """Mark pending alerts that are no longer true as sent, so they are never sent; how many there were."""
    stale = (
        select(Alert.id)
        .join(Slot, Slot.id == Alert.slot_id)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .where(Alert.sent_at.is_(None), not_(_live(now or utcnow())))
    )
    result = session.execute(update(Alert).where(Alert.id.in_(stale)).values(sent_at=utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]


def pending_messages(session: Session, *, now: dt.datetime | None = None, limit: int = 5000) -> list[AlertMessage]:
    """One message per (subscription, check) of the pending alerts still true; the others are dropped first."""
    now = now or utcnow()
    drop_stale(session, now=now)
    rows = session.execute(
        select(Alert, Slot, Subscription, User, Target, Check)
        .join(Slot, Slot.id == Alert.slot_id)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .join(Target, Target.id == Slot.target_id)
        .join(Check, Check.id == Alert.check_id)
        .where(Alert.sent_at.is_(None), _live(now))
        .order_by(Alert.id)
        .limit(limit)
    ).all()
    groups: dict[tuple[int, int], list[_Row]] = defaultdict(list)
    for alert, slot, subscription, user, target, check in rows:
        groups[(subscription.id, alert.check_id)].append((alert, slot, subscription, user, target, check))
    screenshots = _screenshots(session, check_ids={check_id for _, check_id in groups})
    messages = []
    for (_, check_id), items in groups.items():
        _, _, subscription, user, target, check = items[0]
        slots = sorted((s for _, s, *_ in items), key=lambda s: (s.starts_at, s.id))
        messages.append(
            AlertMessage(
                alert_ids=tuple(a.id for a, *_ in items),
                chat_id=user.id,
                language=user.language,
                service_id=subscription.service_id,
                office_id=target.office_id,
                check_id=check_id,
                seen_at=check.started_at,
                slot_times=tuple(s.starts_at for s in slots),
                screenshot_path=screenshots.get(check_id),
                slot_ids=tuple(s.id for s in slots),
                recorded_at=check.finished_at,
                render_failed=check.render_error is not None,
            )
        )
    return messages


def _screenshots(session: Session, *, check_ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Evidence.check_id, Evidence.path).where(Evidence.check_id.in_(check_ids), Evidence.kind == "screenshot")
    )
    return {check_id: path for check_id, path in rows}


def screenshots_of(session: Session, *, check_ids: set[int]) -> dict[int, str | None]:
    """Each check's screenshot once it exists; ``None`` for a check whose render failed (none will come)."""
    failed = session.scalars(select(Check.id).where(Check.id.in_(check_ids), Check.render_error.is_not(None)))
    return {**dict.fromkeys(failed), **_screenshots(session, check_ids=check_ids)}


def mark_sent(session: Session, *, alert_ids: Sequence[int], message_id: int, with_proof: bool) -> None:
    """The alerts were told in ``message_id``; ``with_proof``: that message carries their screenshot."""
    now = utcnow()
    proof = {"proof_sent_at": now} if with_proof else {}
    session.execute(update(Alert).where(Alert.id.in_(alert_ids)).values(sent_at=now, message_id=message_id, **proof))


def proofs_due(session: Session, *, since: dt.datetime) -> list[Proof]:
    """Screenshots made since their alerts left as text (sent after ``since``): one reply per message."""
    rows = session.execute(
        select(Alert.id, Alert.message_id, User.id, User.language, Check.started_at, Evidence.path)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .join(Check, Check.id == Alert.check_id)
        .join(Evidence, (Evidence.check_id == Check.id) & (Evidence.kind == "screenshot"))
        .where(
            Alert.message_id.is_not(None),
            Alert.proof_sent_at.is_(None),
            Alert.sent_at > since,
            User.active.is_(True),
        )
        .order_by(Alert.id)
    ).all()
    proofs: dict[tuple[int, int], Proof] = {}
    for alert_id, message_id, chat_id, language, seen_at, path in rows:
        assert message_id is not None  # the query's condition
        known = proofs.get((chat_id, message_id))
        ids = (*known.alert_ids, alert_id) if known else (alert_id,)
        proofs[(chat_id, message_id)] = Proof(ids, chat_id, language, message_id, seen_at, path)
    return list(proofs.values())


def mark_proof_sent(session: Session, *, alert_ids: Sequence[int]) -> None:
    session.execute(update(Alert).where(Alert.id.in_(alert_ids)).values(proof_sent_at=utcnow()))


def deactivate_user(session: Session, *, user_id: int) -> None:
    """The chat blocked the bot: stop alerting it, keep its data until it asks to forget."""
    session.execute(update(User).where(User.id == user_id).values(active=False))

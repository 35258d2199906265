"""Alerts waiting to be sent: grouped per subscriber and check, so one finding is one message."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import Alert, Evidence, Slot, Subscription, Target, User, utcnow

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
    slot_times: tuple[dt.datetime, ...]  # aware UTC, sorted
    screenshot_path: str | None
    slot_ids: tuple[int, ...] = ()  # in the order of slot_times, for the Book buttons


def pending_messages(session: Session, *, limit: int = 5000) -> list[AlertMessage]:
    rows = session.execute(
        select(Alert, Slot, Subscription, User, Target)
        .join(Slot, Slot.id == Alert.slot_id)
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .join(Target, Target.id == Slot.target_id)
        .where(Alert.sent_at.is_(None), User.active.is_(True))
        .order_by(Alert.id)
        .limit(limit)
    ).all()
    groups: dict[tuple[int, int], list[tuple[Alert, Slot, Subscription, User, Target]]] = defaultdict(list)
    for alert, slot, subscription, user, target in rows:
        groups[(subscription.id, alert.check_id)].append((alert, slot, subscription, user, target))
    screenshots = _screenshots(session, check_ids={check_id for _, check_id in groups})
    messages = []
    for (_, check_id), items in groups.items():
        _, _, subscription, user, target = items[0]
        slots = sorted((s for _, s, *_ in items), key=lambda s: (s.starts_at, s.id))
        messages.append(
            AlertMessage(
                alert_ids=tuple(a.id for a, *_ in items),
                chat_id=user.id,
                language=user.language,
                service_id=subscription.service_id,
                office_id=target.office_id,
                check_id=check_id,
                slot_times=tuple(s.starts_at for s in slots),
                screenshot_path=screenshots.get(check_id),
                slot_ids=tuple(s.id for s in slots),
            )
        )
    return messages


def _screenshots(session: Session, *, check_ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(Evidence.check_id, Evidence.path).where(Evidence.check_id.in_(check_ids), Evidence.kind == "screenshot")
    )
    return {check_id: path for check_id, path in rows}


def mark_sent(session: Session, *, alert_ids: Sequence[int]) -> None:
    session.execute(update(Alert).where(Alert.id.in_(alert_ids)).values(sent_at=utcnow()))


def deactivate_user(session: Session, *, user_id: int) -> None:
    """The chat blocked the bot: stop alerting it, keep its data until it asks to forget."""
    session.execute(update(User).where(User.id == user_id).values(active=False))

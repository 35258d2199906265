"""How the farm is doing for one user's targets: when each was last checked and with what outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Check, Subscription, Target, subscription_targets


@dataclass(frozen=True)
class TargetStatus:
    target_id: int
    service_id: int
    office_id: int
    last_check_at: dt.datetime | None
    last_outcome: str | None  # slots | no_slots | error


def target_statuses(session: Session, *, user_id: int) -> list[TargetStatus]:
    """The targets of the user's active subscriptions, each with its latest finished check."""
    targets = session.scalars(
        select(Target)
        .join(subscription_targets, subscription_targets.c.target_id == Target.id)
        .join(Subscription, Subscription.id == subscription_targets.c.subscription_id)
        .where(Subscription.user_id == user_id, Subscription.active.is_(True))
        .distinct()
        .order_by(Target.id)
    ).all()
    return [_status(session, target) for target in targets]


def _status(session: Session, target: Target) -> TargetStatus:
    latest = session.scalar(
        select(func.max(Check.id)).where(Check.target_id == target.id, Check.finished_at.is_not(None))
    )
    check = session.get(Check, latest) if latest is not None else None
    return TargetStatus(
        target_id=target.id,
        service_id=target.service_id,
        office_id=target.office_id,
        last_check_at=check.finished_at if check else None,
        last_outcome=check.outcome if check else None,
    )

"""How much each watched service is wanted: subscribers and deadlines, for the request planner."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.models import Subscription, Target, User, subscription_targets
from core.subscriptions import Filters, filters_of


def service_weights(session: Session, *, today: dt.date) -> dict[int, float]:
    """Weight per watched service: grows with the log of its subscribers, triples for a deadline within a week."""
    rows = session.execute(
        select(Subscription.service_id, Subscription.id, Subscription.date_to)
        .join(User, User.id == Subscription.user_id)
        .join(subscription_targets, subscription_targets.c.subscription_id == Subscription.id)
        .where(Subscription.active.is_(True), User.active.is_(True))
        .distinct()
    ).all()
    subscribers: dict[int, int] = defaultdict(int)
    urgency: dict[int, float] = defaultdict(lambda: 1.0)
    for service_id, _, date_to in rows:
        subscribers[service_id] += 1
        if date_to is not None:
            days = (date_to - today).days
            factor = 3.0 if days <= 7 else 1.5 if days <= 30 else 1.0
            urgency[service_id] = max(urgency[service_id], factor)
    return {s: (1 + math.log2(1 + n)) * urgency[s] for s, n in subscribers.items()}


def watched_offices(session: Session, *, service_id: int) -> list[tuple[int, int]]:
    """(target id, office id) of every watched target of ``service_id``, the most subscribed first: a check
    records its targets in this order, so when slots open at many offices at once, the evidence of the
    target that alerts the most people is rendered first."""
    subscribers = func.count(Subscription.id)
    rows = session.execute(
        select(Target.id, Target.office_id)
        .join(subscription_targets, subscription_targets.c.target_id == Target.id)
        .join(Subscription, Subscription.id == subscription_targets.c.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .where(Target.service_id == service_id, Subscription.active.is_(True), User.active.is_(True))
        .group_by(Target.id, Target.office_id)
        .order_by(subscribers.desc(), Target.id)
    ).all()
    return [(target_id, office_id) for target_id, office_id in rows]


def subscriber_interests(session: Session, *, service_id: int) -> list[tuple[Filters, frozenset[int]]]:
    """(filters, watched target ids) of every active subscription of ``service_id``: who could want a newly
    listed day, to choose the days worth a request to verify."""
    subscriptions = session.scalars(
        select(Subscription)
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.service_id == service_id, Subscription.active.is_(True), User.active.is_(True))
        .options(selectinload(Subscription.targets))
    )
    return [(filters_of(s), frozenset(t.id for t in s.targets)) for s in subscriptions]

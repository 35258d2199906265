"""Users, targets and subscriptions: plain functions over a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from core.models import Subscription, Target, User, subscription_targets


@dataclass(frozen=True)
class Filters:
    """When a subscriber wants an appointment: dates, weekdays (Monday=0) and time of day, all optional."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    weekdays: frozenset[int] | None = None
    time_from: dt.time | None = None
    time_to: dt.time | None = None

    def matches(self, local: dt.datetime) -> bool:
        """Whether an appointment at Munich wall-clock time ``local`` suits the subscriber."""
        day, clock = local.date(), local.time()
        return (
            (self.date_from is None or day >= self.date_from)
            and (self.date_to is None or day <= self.date_to)
            and (self.weekdays is None or day.weekday() in self.weekdays)
            and (self.time_from is None or clock >= self.time_from)
            and (self.time_to is None or clock <= self.time_to)
        )

    def could_want(self, day: dt.date) -> bool:
        """Whether some time on ``day`` could suit the subscriber (its times are not known yet)."""
        return (
            (self.date_from is None or day >= self.date_from)
            and (self.date_to is None or day <= self.date_to)
            and (self.weekdays is None or day.weekday() in self.weekdays)
        )


def filters_of(subscription: Subscription) -> Filters:
    weekdays = None
    if subscription.weekdays:
        weekdays = frozenset(int(d) for d in subscription.weekdays.split(","))
    return Filters(subscription.date_from, subscription.date_to, weekdays, subscription.time_from, subscription.time_to)


def ensure_user(session: Session, *, user_id: int, language: str = "en") -> User:
    user = session.get(User, user_id)
    if user is None:
        user = User(id=user_id, language=language, active=True)
        session.add(user)
        session.flush()
    return user


def ensure_target(session: Session, *, service_id: int, office_id: int) -> Target:
    target = session.scalar(select(Target).filter_by(service_id=service_id, office_id=office_id))
    if target is None:
        target = Target(service_id=service_id, office_id=office_id)
        session.add(target)
        session.flush()
    return target


def create_subscription(
    session: Session,
    *,
    user_id: int,
    service_id: int,
    office_ids: Sequence[int],
    filters: Filters = Filters(),
    language: str = "en",
) -> Subscription:
    ensure_user(session, user_id=user_id, language=language)
    subscription = Subscription(
        user_id=user_id,
        service_id=service_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        weekdays=",".join(str(d) for d in sorted(filters.weekdays)) if filters.weekdays else None,
        time_from=filters.time_from,
        time_to=filters.time_to,
        targets=[ensure_target(session, service_id=service_id, office_id=o) for o in dict.fromkeys(office_ids)],
    )
    session.add(subscription)
    session.flush()
    return subscription


def list_subscriptions(session: Session, *, user_id: int | None = None) -> list[Subscription]:
    query = select(Subscription).options(selectinload(Subscription.targets)).order_by(Subscription.id)
    if user_id is not None:
        query = query.where(Subscription.user_id == user_id)
    return list(session.scalars(query))


def get_subscription(session: Session, *, subscription_id: int, user_id: int | None = None) -> Subscription | None:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or (user_id is not None and subscription.user_id != user_id):
        return None
    return subscription


def delete_subscription(session: Session, *, subscription_id: int, user_id: int | None = None) -> bool:
    subscription = get_subscription(session, subscription_id=subscription_id, user_id=user_id)
    if subscription is None:
        return False
    session.delete(subscription)
    session.flush()
    return True


def subscribers_of(session: Session, *, target_id: int) -> list[Subscription]:
    query = (
        select(Subscription)
        .join(subscription_targets, subscription_targets.c.subscription_id == Subscription.id)
        .join(User, User.id == Subscription.user_id)
        .where(
            subscription_targets.c.target_id == target_id,
            Subscription.active.is_(True),
            User.active.is_(True),
        )
    )
    return list(session.scalars(query))


def count_subscriptions(session: Session, *, user_id: int) -> int:
    return session.scalar(select(func.count(Subscription.id)).where(Subscription.user_id == user_id)) or 0


def set_subscription_active(
    session: Session, *, subscription_id: int, user_id: int, active: bool
) -> Subscription | None:
    """Pause (``active=False``) or resume one of the user's subscriptions; ``None`` if they have no such one."""
    subscription = get_subscription(session, subscription_id=subscription_id, user_id=user_id)
    if subscription is not None:
        subscription.active = active
        session.flush()
    return subscription


def set_auto_book(session: Session, *, subscription_id: int, user_id: int, auto_book: bool) -> Subscription | None:
    """Book the first matching slot automatically (``True``) or only on a tap; ``None`` if no such subscription."""
    subscription = get_subscription(session, subscription_id=subscription_id, user_id=user_id)
    if subscription is not None:
        subscription.auto_book = auto_book
        session.flush()
    return subscription


def user_language(session: Session, *, user_id: int) -> str | None:
    """The language the user chose or was given, ``None`` for a user the bot has not stored."""
    return session.scalar(select(User.language).where(User.id == user_id))


def set_language(session: Session, *, user_id: int, language: str) -> None:
    ensure_user(session, user_id=user_id, language=language).language = language
    session.flush()


def set_user_active(session: Session, *, user_id: int, active: bool) -> None:
    """Stop alerting a chat that blocked the bot (``False``), or alert it again once it writes (``True``)."""
    session.execute(update(User).where(User.id == user_id, User.active.is_not(active)).values(active=active))


def chats_watching(session: Session) -> list[tuple[int, str]]:
    """(chat id, language) of every active user with at least one active subscription."""
    query = (
        select(User.id, User.language)
        .join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.active.is_(True), User.active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return [(chat_id, language) for chat_id, language in session.execute(query)]


@dataclass(frozen=True)
class SubscriptionView:
    """A subscription as plain values, for showing it to its user."""

    id: int
    service_id: int
    office_ids: tuple[int, ...]
    active: bool
    filters: Filters
    created_at: dt.datetime
    auto_book: bool = False


def view_of(subscription: Subscription) -> SubscriptionView:
    return SubscriptionView(
        id=subscription.id,
        service_id=subscription.service_id,
        office_ids=tuple(sorted(t.office_id for t in subscription.targets)),
        active=subscription.active,
        filters=filters_of(subscription),
        created_at=subscription.created_at,
        auto_book=subscription.auto_book,
    )


def subscription_views(session: Session, *, user_id: int) -> list[SubscriptionView]:
    return [view_of(s) for s in list_subscriptions(session, user_id=user_id)]

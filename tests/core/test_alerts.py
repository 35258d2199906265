"""Pending alerts: one message per subscription and check, naming when the portal was asked; stale ones dropped."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core import subscriptions as crud
from core.alerts import pending_messages
from core.db import transaction
from core.models import Alert, Check, Slot, Subscription, User

SERVICE, OFFICE = 1063475, 10489
ASKED = dt.datetime(2030, 3, 1, 8, 14, 3, tzinfo=dt.UTC)
MONDAY_9 = dt.datetime(2030, 3, 4, 8, 0, tzinfo=dt.UTC)  # 09:00 in Munich


def watch(session: Session, user_id: int, language: str = "en") -> Subscription:
    return crud.create_subscription(
        session, user_id=user_id, service_id=SERVICE, office_ids=[OFFICE], language=language
    )


def found(
    session: Session,
    subscription: Subscription,
    *times: dt.datetime,
    asked: dt.datetime = ASKED,
    gone: dt.datetime | None = None,
) -> list[int]:
    """A check that asked the portal at ``asked`` found ``times`` free and queued an alert for ``subscription``;
    the slots' ids. ``gone``: when a later check saw them taken."""
    target_id = subscription.targets[0].id
    check = Check(target_id=target_id, started_at=asked, finished_at=asked, outcome="slots", slot_count=len(times))
    session.add(check)
    session.flush()
    slots = [
        Slot(target_id=target_id, office_id=OFFICE, starts_at=t, check_id=check.id, first_seen_at=asked, gone_at=gone)
        for t in times
    ]
    session.add_all(slots)
    session.flush()
    session.add_all(Alert(subscription_id=subscription.id, slot_id=s.id, check_id=check.id) for s in slots)
    session.flush()
    return [s.id for s in slots]


def unsent(session: Session) -> set[int]:
    """Subscription ids with alerts not yet sent."""
    return set(session.scalars(select(Alert.subscription_id).where(Alert.sent_at.is_(None))))


def test_a_message_names_when_its_check_asked_the_portal(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        subscription = watch(session, 1)
        found(session, subscription, MONDAY_9 + dt.timedelta(minutes=30), MONDAY_9)
        found(session, subscription, MONDAY_9 + dt.timedelta(hours=1), asked=ASKED + dt.timedelta(seconds=7))
    with transaction(sessions) as session:
        first, second = pending_messages(session)
    assert (first.seen_at, second.seen_at) == (ASKED, ASKED + dt.timedelta(seconds=7))
    assert first.slot_times == (MONDAY_9, MONDAY_9 + dt.timedelta(minutes=30))


def test_alerts_no_longer_true_are_dropped_for_good(sessions: sessionmaker[Session]) -> None:
    now = dt.datetime(2030, 3, 4, 8, 30, tzinfo=dt.UTC)
    with transaction(sessions) as session:
        live, gone, past, paused, blocked = (watch(session, user_id) for user_id in (1, 2, 3, 4, 5))
        [kept] = found(session, live, MONDAY_9 + dt.timedelta(hours=1))
        found(session, live, MONDAY_9 + dt.timedelta(hours=2), gone=now - dt.timedelta(minutes=1))
        found(session, gone, MONDAY_9 + dt.timedelta(hours=1), gone=now - dt.timedelta(minutes=1))
        found(session, past, MONDAY_9)  # 09:00 in Munich, and it is 09:30
        found(session, paused, MONDAY_9 + dt.timedelta(hours=1))
        found(session, blocked, MONDAY_9 + dt.timedelta(hours=1))
        paused.active = False
        session.get_one(User, 5).active = False
        live_id, paused_id = live.id, paused.id

    with transaction(sessions) as session:
        [message] = pending_messages(session, now=now)
        assert (message.chat_id, message.slot_ids) == (1, (kept,)), "only the live slot; the check's gone one not"
        assert unsent(session) == {live_id}, "the stale alerts are marked, not left pending"

    # Resumed and back: what went stale meanwhile is still not told.
    with transaction(sessions) as session:
        session.get_one(Subscription, paused_id).active = True
        session.get_one(User, 5).active = True
    with transaction(sessions) as session:
        assert [m.chat_id for m in pending_messages(session, now=now)] == [1]


def test_a_check_whose_slots_are_all_gone_sends_nothing(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        subscription = watch(session, 1)
        found(session, subscription, MONDAY_9, MONDAY_9 + dt.timedelta(hours=1), gone=ASKED + dt.timedelta(minutes=2))
    with transaction(sessions) as session:
        assert pending_messages(session) == []
        assert unsent(session) == set()


def test_a_deleted_subscription_takes_its_pending_alerts_along(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        subscription = watch(session, 1)
        found(session, subscription, MONDAY_9)
        subscription_id = subscription.id
    with transaction(sessions) as session:
        assert crud.delete_subscription(session, subscription_id=subscription_id, user_id=1)
    with transaction(sessions) as session:
        assert pending_messages(session) == []
        assert session.scalars(select(Alert.id)).all() == []

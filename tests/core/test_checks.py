"""Recording checks: slot appearances open, stay, go and re-open; alerts follow filters, never twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import subscriptions as crud
from core.checks import prune_routine_checks, record_observation
from core.db import transaction
from core.models import Alert, Check, Slot
from core.slots import MUNICH, Observation, SeenSlot

SERVICE, OFFICE = 1063475, 10489
DAY = dt.date(2030, 3, 4)  # a Monday


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> SeenSlot:
    local = dt.datetime.combine(day, dt.time(hour, minute), MUNICH)
    return SeenSlot(local.astimezone(dt.UTC), OFFICE)


def seen(*slots: SeenSlot, day: dt.date = DAY) -> Observation:
    """An answer with the times of ``day`` at the office and the day list of its month."""
    month_end = dt.date(day.year, day.month + 1, 1) - dt.timedelta(days=1)
    listed = frozenset(s.office_day for s in slots)
    return Observation(frozenset(slots), listed, frozenset({(day, OFFICE)}), day.replace(day=1), month_end)


def record(
    sessions: sessionmaker[Session], target_id: int, observation: Observation, *, started: dt.datetime | None = None
) -> int:
    with transaction(sessions) as session:
        _, opened, _ = record_observation(
            session,
            target_id=target_id,
            task_id=None,
            started_at=started or dt.datetime.now(dt.UTC),
            observation=observation,
            request_url="http://portal/available-calendar/",
        )
        return len(opened)


def alerts(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return session.scalar(select(func.count(Alert.id))) or 0


def subscribe(sessions: sessionmaker[Session], user_id: int, filters: crud.Filters = crud.Filters()) -> int:
    with transaction(sessions) as session:
        subscription = crud.create_subscription(
            session, user_id=user_id, service_id=SERVICE, office_ids=[OFFICE], filters=filters
        )
        return subscription.targets[0].id


def test_slot_opens_once_stays_silent_and_reopens(sessions: sessionmaker[Session]) -> None:
    target = subscribe(sessions, 1)
    assert record(sessions, target, seen(at(9))) == 1
    assert alerts(sessions) == 1
    assert record(sessions, target, seen(at(9))) == 0, "a slot that stays open is not new"
    assert record(sessions, target, seen()) == 0
    assert record(sessions, target, seen(at(9))) == 1, "closed and re-opened is a new appearance"
    assert alerts(sessions) == 2
    with transaction(sessions) as session:
        gone = session.scalars(select(Slot).where(Slot.gone_at.is_not(None))).all()
        assert len(gone) == 1


def test_an_overtaken_check_changes_no_slot(sessions: sessionmaker[Session]) -> None:
    """A check recorded after a newer one (its worker slowed by a burst of evidence) neither closes what the
    newer check saw open, which would alert it again, nor opens what it saw before."""
    target = subscribe(sessions, 1)
    older = dt.datetime.now(dt.UTC)
    assert record(sessions, target, seen(at(9)), started=older + dt.timedelta(seconds=2)) == 1
    with transaction(sessions) as session:
        late = record_observation(
            session, target_id=target, task_id=None, started_at=older, observation=seen(at(10)), request_url=None
        )
    assert late.overtaken, "the caller learns that its answer changed nothing"
    assert not late.opened, "the older answer opens nothing"
    assert record(sessions, target, seen(at(9))) == 0, "the slot the newer check saw stayed open"
    assert alerts(sessions) == 1
    with transaction(sessions) as session:
        assert session.scalar(select(func.count(Slot.id)).where(Slot.gone_at.is_not(None))) == 0
        assert session.scalar(select(func.count(Check.id))) == 3, "the overtaken check is still recorded"


def test_slot_on_a_day_the_answer_did_not_cover_stays_open(sessions: sessionmaker[Session]) -> None:
    target = subscribe(sessions, 1)
    april = dt.date(2030, 4, 2)
    record(sessions, target, seen(at(9, day=april), day=april))
    record(sessions, target, seen(at(8)))  # paints March only
    with transaction(sessions) as session:
        open_days = {s.starts_at.astimezone(MUNICH).date() for s in session.scalars(select(Slot))}
        assert session.scalar(select(func.count(Slot.id)).where(Slot.gone_at.is_(None))) == 2
    assert open_days == {DAY, april}, "an answer painting March says nothing about April"


def test_day_painted_but_not_bookable_closes_its_slot(sessions: sessionmaker[Session]) -> None:
    target = subscribe(sessions, 1)
    record(sessions, target, seen(at(9, day=dt.date(2030, 3, 5)), day=dt.date(2030, 3, 5)))
    record(sessions, target, seen(at(8)))  # March painted, the 5th no longer bookable
    with transaction(sessions) as session:
        assert session.scalar(select(func.count(Slot.id)).where(Slot.gone_at.is_(None))) == 1


def test_filters_decide_who_is_alerted(sessions: sessionmaker[Session]) -> None:
    target = subscribe(sessions, 1, crud.Filters(weekdays=frozenset({0})))  # Mondays
    subscribe(sessions, 2, crud.Filters(weekdays=frozenset({2})))  # Wednesdays only
    subscribe(sessions, 3, crud.Filters(time_from=dt.time(10), time_to=dt.time(12)))
    subscribe(sessions, 4, crud.Filters(date_from=DAY + dt.timedelta(days=1)))
    record(sessions, target, seen(at(9)))
    with transaction(sessions) as session:
        alerted = set(session.scalars(select(Alert.subscription_id)))
        users = {s.id: s.user_id for s in crud.list_subscriptions(session)}
    assert {users[a] for a in alerted} == {1}


def test_pruning_forgets_routine_checks_and_keeps_findings(sessions: sessionmaker[Session]) -> None:
    target = subscribe(sessions, 1)
    record(sessions, target, seen())
    record(sessions, target, seen(at(9)))
    record(sessions, target, seen(at(9)))
    with transaction(sessions) as session:
        prune_routine_checks(session, older_than=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    with transaction(sessions) as session:
        outcomes = list(session.scalars(select(Check.outcome)))
        assert outcomes == ["slots", "slots"]
        assert session.scalar(select(func.count(Slot.id))) == 1, "the slot and its first check stay"

"""The core functions the bot stands on, on SQLite and PostgreSQL: personal data, forgetting, status, news."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from core import subscriptions as crud
from core.checks import record_observation
from core.db import make_sessionmaker, transaction
from core.models import Alert, Target, subscription_targets
from core.personal_data import forget_user, personal_data
from core.portal_state import check_interval_for, news_of
from core.settings import Settings
from core.slots import MUNICH, Observation, SeenSlot
from core.target_status import target_statuses
from tests.bot.helpers import PASING, RUPPERT, WOHNSITZ

ANNA, BERND = 11, 12


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


def with_an_alert(db: sessionmaker[Session]) -> int:
    """Anna watches two offices, Bernd one; a check at Ruppertstraße finds a slot: alerts for both."""
    with transaction(db) as session:
        crud.create_subscription(session, user_id=ANNA, service_id=WOHNSITZ, office_ids=[RUPPERT, PASING])
        crud.create_subscription(session, user_id=BERND, service_id=WOHNSITZ, office_ids=[RUPPERT], language="de")
        target = crud.ensure_target(session, service_id=WOHNSITZ, office_id=RUPPERT)
        day = dt.date(2030, 3, 4)
        slot = SeenSlot(dt.datetime.combine(day, dt.time(9), MUNICH).astimezone(dt.UTC), RUPPERT)
        record_observation(
            session,
            target_id=target.id,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            observation=Observation(frozenset({slot}), frozenset({slot.office_day}), frozenset({slot.office_day})),
            request_url=None,
        )
        session.execute(Alert.__table__.update().values(sent_at=dt.datetime.now(dt.UTC), message_id=1))
        return target.id


def test_personal_data_shows_what_is_stored(db: sessionmaker[Session]) -> None:
    with_an_alert(db)
    with transaction(db) as session:
        anna = personal_data(session, user_id=ANNA)
        assert personal_data(session, user_id=99) is None
    assert anna is not None
    assert (anna.user_id, anna.language, anna.active, anna.alerts_sent) == (ANNA, "en", True, 1)
    assert anna.last_alert_at is not None
    assert [(s.service_id, s.office_ids) for s in anna.subscriptions] == [(WOHNSITZ, (RUPPERT, PASING))]


def test_forget_deletes_the_user_their_subscriptions_and_alerts_and_nobody_elses(db: sessionmaker[Session]) -> None:
    with_an_alert(db)
    with transaction(db) as session:
        assert forget_user(session, user_id=ANNA) is True
        assert forget_user(session, user_id=ANNA) is False
    with transaction(db) as session:
        assert personal_data(session, user_id=ANNA) is None
        assert session.scalar(select(func.count()).select_from(Alert)) == 1, "Bernd's alert stays"
        assert session.scalar(select(func.count()).select_from(subscription_targets)) == 1
        assert session.scalar(select(func.count()).select_from(Target)) == 2, "targets hold nothing personal"
        assert crud.chats_watching(session) == [(BERND, "de")]


def test_pause_resume_only_ones_own_and_who_is_watching(db: sessionmaker[Session]) -> None:
    with_an_alert(db)
    with transaction(db) as session:
        assert crud.set_subscription_active(session, subscription_id=1, user_id=BERND, active=False) is None
        assert crud.set_subscription_active(session, subscription_id=1, user_id=ANNA, active=False) is not None
        assert crud.chats_watching(session) == [(BERND, "de")]
        assert crud.count_subscriptions(session, user_id=ANNA) == 1
        crud.set_user_active(session, user_id=BERND, active=False)
        assert crud.chats_watching(session) == []
        crud.set_subscription_active(session, subscription_id=1, user_id=ANNA, active=True)
        assert crud.chats_watching(session) == [(ANNA, "en")]


def test_target_statuses_name_the_last_check_and_the_interval(db: sessionmaker[Session]) -> None:
    target_id = with_an_alert(db)
    settings = Settings(_env_file=None, check_interval_s=90)  # type: ignore[call-arg]
    with transaction(db) as session:
        statuses = {s.office_id: s for s in target_statuses(session, user_id=ANNA)}
        interval = check_interval_for(session, settings=settings, target_id=target_id)
    assert statuses[RUPPERT].last_outcome == "slots"
    assert statuses[RUPPERT].last_check_at is not None
    assert (statuses[PASING].last_outcome, statuses[PASING].last_check_at) == (None, None)
    assert interval == 90


def test_news_of_a_portal_is_a_change_of_its_recorded_state() -> None:
    assert news_of(None, b"up") is None, "nothing to tell about a portal that was never down"
    assert news_of(None, b"down") == "down"
    assert news_of(b"down", b"down") is None
    assert news_of(b"down", b"up") == "up"
    assert news_of(b"blocked", None) is None, "nothing recorded: nothing to tell"

"""Demand: which targets of a service are watched, and in which order a check records them."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core import subscriptions as crud
from core.db import transaction
from core.demand import watched_offices

SERVICE = 1063475
RUPPERT, PASING, LEONROD = 10489, 102522, 102523


def test_watched_offices_most_subscribed_first(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        crud.create_subscription(session, user_id=1, service_id=SERVICE, office_ids=[RUPPERT])
        crud.create_subscription(session, user_id=2, service_id=SERVICE, office_ids=[PASING, LEONROD])
        crud.create_subscription(session, user_id=3, service_id=SERVICE, office_ids=[LEONROD])
        paused = crud.create_subscription(session, user_id=4, service_id=SERVICE, office_ids=[RUPPERT])
        paused.active = False
        crud.create_subscription(session, user_id=5, service_id=1063453, office_ids=[RUPPERT])  # another service
    with transaction(sessions) as session:
        offices = [office for _, office in watched_offices(session, service_id=SERVICE)]
    assert offices == [LEONROD, RUPPERT, PASING], "two subscribers first; a paused one counts for nothing"

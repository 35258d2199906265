"""Subscriptions: who watches which service at which offices."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from api.deps import CatalogueDep, SessionDep
from api.schemas import SubscriptionIn, SubscriptionOut
from core import subscriptions as crud
from core.models import Subscription

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


def _out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.id,
        user_id=subscription.user_id,
        service_id=subscription.service_id,
        office_ids=[t.office_id for t in subscription.targets],
        active=subscription.active,
        created_at=subscription.created_at,
    )


@router.post("", status_code=201, response_model=SubscriptionOut)
def create_subscription(body: SubscriptionIn, session: SessionDep, catalogue: CatalogueDep) -> SubscriptionOut:
    if body.service_id not in catalogue.services:
        raise HTTPException(422, f"unknown service {body.service_id}")
    if not_offered := [o for o in body.office_ids if not catalogue.offers(body.service_id, o)]:
        raise HTTPException(422, f"service {body.service_id} is not offered at office(s) {not_offered}")
    if body.weekdays is not None and not set(body.weekdays) <= set(range(7)):
        raise HTTPException(422, "weekdays are numbers 0 (Monday) to 6 (Sunday)")
    if body.date_from and body.date_to and body.date_from > body.date_to:
        raise HTTPException(422, "date_from is after date_to")
    subscription = crud.create_subscription(
        session,
        user_id=body.user_id,
        service_id=body.service_id,
        office_ids=body.office_ids,
        filters=crud.Filters(
            body.date_from,
            body.date_to,
            frozenset(body.weekdays) if body.weekdays else None,
            body.time_from,
            body.time_to,
        ),
    )
    return _out(subscription)


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(session: SessionDep, user_id: int | None = None) -> list[SubscriptionOut]:
    return [_out(s) for s in crud.list_subscriptions(session, user_id=user_id)]


@router.delete("/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: int, session: SessionDep) -> Response:
    if not crud.delete_subscription(session, subscription_id=subscription_id):
        raise HTTPException(404, f"no subscription {subscription_id}")
    return Response(status_code=204)

"""Subscriptions: who watches which service at which offices (operator view; users see theirs under /me)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from api.auth import operator
from api.deps import CatalogueDep, SessionDep
from api.errors import OPERATOR_ERRORS, error_responses, invalid
from api.schemas import INT32, INT64, SubscriptionIn, SubscriptionOut
from api.views import subscription_out
from core import subscriptions as crud

router = APIRouter(
    prefix="/subscriptions", tags=["subscriptions"], dependencies=[Depends(operator)], responses=OPERATOR_ERRORS
)

SubscriptionId = Annotated[int, Path(ge=1, le=INT32)]


@router.post("", status_code=201, response_model=SubscriptionOut, responses=error_responses(400, 503))
def create_subscription(body: SubscriptionIn, session: SessionDep, catalogue: CatalogueDep) -> SubscriptionOut:
    """Watch a service at some offices for a user; 422 when the portal does not know the service or offices."""
    if body.service_id not in catalogue.services:
        raise invalid(("body", "service_id"), f"unknown service {body.service_id}", body.service_id)
    if not_offered := [o for o in body.office_ids if not catalogue.offers(body.service_id, o)]:
        message = f"service {body.service_id} is not offered at office(s) {not_offered}"
        raise invalid(("body", "office_ids"), message, body.office_ids)
    if body.date_from and body.date_to and body.date_from > body.date_to:
        raise invalid(("body", "date_to"), "date_from is after date_to", str(body.date_to))
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
    return subscription_out(subscription)


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(
    session: SessionDep, user_id: Annotated[int | None, Query(ge=-INT64, le=INT64)] = None
) -> list[SubscriptionOut]:
    """Every subscription, or one user's."""
    return [subscription_out(s) for s in crud.list_subscriptions(session, user_id=user_id)]


@router.get("/{subscription_id}", response_model=SubscriptionOut, responses=error_responses(404))
def get_subscription(subscription_id: SubscriptionId, session: SessionDep) -> SubscriptionOut:
    """One subscription."""
    subscription = crud.get_subscription(session, subscription_id=subscription_id)
    if subscription is None:
        raise HTTPException(404, f"no subscription {subscription_id}")
    return subscription_out(subscription)


@router.delete("/{subscription_id}", status_code=204, response_class=Response, responses=error_responses(404))
def delete_subscription(subscription_id: SubscriptionId, session: SessionDep) -> Response:
    """Stop watching: the subscription goes, its targets stay for the others."""
    if not crud.delete_subscription(session, subscription_id=subscription_id):
        raise HTTPException(404, f"no subscription {subscription_id}")
    return Response(status_code=204)

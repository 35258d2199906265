"""A Telegram user's own data, reached through the signed, short-lived link the bot sends (``/me/<token>``).

Only the user the link was signed for is ever looked up: their subscriptions, and the checks whose findings
were alerted to them (with signed evidence URLs). Anything else is 404, whoever owns it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import LinkUserDep
from api.deps import SessionDep, SignerDep
from api.errors import error_responses
from api.pages import render
from api.schemas import INT32, CheckOut, MyCheckOut, SubscriptionOut
from api.views import check_out, subscription_out
from core import history
from core import subscriptions as crud

router = APIRouter(prefix="/me/{token}", tags=["me"], responses=error_responses(403, 429))


@router.get("", response_class=HTMLResponse, include_in_schema=False)
def my_page(request: Request, token: str, user_id: LinkUserDep, session: SessionDep, signer: SignerDep) -> Response:
    """The page the bot links to: the user's watches and the findings they were alerted to."""
    expires = dt.datetime.fromtimestamp(int(token.split(".")[1]), dt.UTC)
    context = {
        "subscriptions": [subscription_out(s) for s in crud.list_subscriptions(session, user_id=user_id)],
        "checks": [_mine(check_out(c, signer)) for c in history.checks_alerted_to(session, user_id=user_id, limit=24)],
        "expires": expires,
    }
    response = render(request, "me.html", context)
    response.headers["Cache-Control"] = "no-store, private"
    return response


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def my_subscriptions(user_id: LinkUserDep, session: SessionDep) -> list[SubscriptionOut]:
    """The link's user's subscriptions, and nobody else's."""
    return [subscription_out(s) for s in crud.list_subscriptions(session, user_id=user_id)]


@router.get("/checks", response_model=list[MyCheckOut])
def my_checks(user_id: LinkUserDep, session: SessionDep, signer: SignerDep) -> list[MyCheckOut]:
    """The findings alerted to the link's user, newest first, with signed screenshot URLs."""
    return [_mine(check_out(c, signer)) for c in history.checks_alerted_to(session, user_id=user_id)]


@router.get("/checks/{check_id}", response_model=MyCheckOut, responses=error_responses(404))
def my_check(
    user_id: LinkUserDep, session: SessionDep, signer: SignerDep, check_id: Annotated[int, Path(ge=1, le=INT32)]
) -> MyCheckOut:
    """One finding the link's user was alerted to; 404 for any other check."""
    check = None
    if history.was_alerted(session, user_id=user_id, check_id=check_id):
        check = history.get_check(session, check_id=check_id)
    if check is None:
        raise HTTPException(404, f"no check {check_id} among your alerts")
    return _mine(check_out(check, signer))


def _mine(check: CheckOut) -> MyCheckOut:
    return MyCheckOut.model_validate(check.model_dump(include=set(MyCheckOut.model_fields)))

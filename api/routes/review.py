"""The operator's review pages: findings grid, a finding in detail with its verdict, and the farm's status."""

from __future__ import annotations

import datetime as dt
import hmac
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import redis
from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BeforeValidator, Field

from api.auth import (
    SESSION_COOKIE,
    SESSION_TTL_S,
    PageOperatorDep,
    csrf_token,
    guesses,
    new_session,
    page_operator,
)
from api.deps import RedisDep, SessionDep, SettingsDep, SignerDep
from api.pages import pretty_json, render
from api.routes.farm import portal_out, workers_out
from api.schemas import INT32
from api.views import check_out
from core import history
from core.models import Target
from core.reviews import NotAFinding, review_check

router = APIRouter(prefix="/review", include_in_schema=False)
REVIEWER_COOKIE = "mta_reviewer"
PAGE_SIZE = 24


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


Blank = BeforeValidator(_blank_is_none)  # an empty field of a GET form means "no filter"
LastDay = Annotated[dt.date, Field(lt=dt.date.max)]  # a filter's last day: the day after it must exist
PositiveId = Annotated[int, Field(ge=1, le=INT32)]


def _safe_next(target: str) -> str:
    """Only our own review pages are valid places to return to after login."""
    return target if target.startswith("/review") and not target.startswith("//") else "/review"


def _cookie_args(request: Request) -> dict[str, Any]:
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https", "path": "/"}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str = "/review") -> Response:
    if settings.api_token is None or not settings.api_token.get_secret_value():
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str, Form(max_length=512)],
    next: Annotated[str, Form(max_length=2048)] = "/review",
) -> Response:
    expected = settings.api_token.get_secret_value() if settings.api_token else ""
    again = {"next": _safe_next(next), "error": "Wrong token."}
    try:
        guesses(request).refuse_if_blocked(request)
        if not hmac.compare_digest(token.encode(), expected.encode()):
            guesses(request).wrong(request)
            return render(request, "login.html", again, status_code=403)
    except HTTPException as exc:  # too many wrong tokens: said on the page
        page = render(request, "login.html", again | {"error": exc.detail}, status_code=exc.status_code)
        page.headers.update(exc.headers or {})
        return page
    response = RedirectResponse(_safe_next(next), status_code=303)
    session = new_session(request.app.state.link_key)
    response.set_cookie(SESSION_COOKIE, session, max_age=SESSION_TTL_S, **_cookie_args(request))
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse("/review/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _context(request: Request, **values: Any) -> dict[str, Any]:
    settings = request.app.state.settings
    return {"logged_in": bool(settings.api_token and settings.api_token.get_secret_value()), **values}


@router.get("", response_class=HTMLResponse)
def findings(
    request: Request,
    session: SessionDep,
    signer: SignerDep,
    _operator: PageOperatorDep,
    outcome: Annotated[Literal["slots", "no_slots", "error"] | None, Blank, Query()] = "slots",
    target_id: Annotated[PositiveId | None, Blank, Query()] = None,
    verdict: Annotated[Literal["confirmed", "false_positive", "unreviewed"] | None, Blank, Query()] = None,
    since: Annotated[dt.date | None, Blank, Query()] = None,
    until: Annotated[LastDay | None, Blank, Query()] = None,
    cursor: Annotated[PositiveId | None, Blank, Query()] = None,
) -> Response:
    """The grid of findings, newest first, with thumbnails; filters by outcome, target, verdict and days."""
    filters = history.CheckFilter(
        target_id=target_id,
        outcome=outcome,
        verdict=verdict,
        since=dt.datetime.combine(since, dt.time(), dt.UTC) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC) if until else None,
    )
    checks = history.list_checks(session, filters=filters, before_id=cursor, limit=PAGE_SIZE)
    shown = {"outcome": outcome or "", "target_id": target_id, "verdict": verdict, "since": since, "until": until}
    next_url = None
    if len(checks) == PAGE_SIZE:
        query = {k: v for k, v in shown.items() if v not in (None, "")} | {"cursor": checks[-1].id}
        next_url = f"/review?{urlencode(query)}"
    context = _context(
        request,
        checks=[check_out(c, signer) for c in checks],
        targets=history.list_targets(session),
        filters=shown,
        next_url=next_url,
    )
    return render(request, "findings.html", context)


@router.get("/checks/{check_id}", response_class=HTMLResponse)
def finding(
    request: Request,
    session: SessionDep,
    signer: SignerDep,
    _operator: PageOperatorDep,
    check_id: Annotated[int, Path(ge=1, le=INT32)],
) -> Response:
    """One check: the full screenshot, the raw answers pretty-printed, its slots, and the verdict buttons."""
    check = history.get_check(session, check_id=check_id)
    if check is None:
        raise HTTPException(404, f"no check {check_id}")
    raw = [
        (f"{e.kind} ({e.content_type})", pretty_json(FilePath(e.path)))
        for e in check.evidence
        if e.kind not in ("screenshot", "thumbnail")
    ]
    context = _context(
        request,
        check=check_out(check, signer),
        target=session.get(Target, check.target_id),
        slots=history.list_slots(session, check_id=check.id),
        raw=raw,
        csrf=csrf_token(request.app.state.link_key, request.cookies.get(SESSION_COOKIE)),
        reviewer=request.cookies.get(REVIEWER_COOKIE, ""),
    )
    return render(request, "finding.html", context)


@router.post("/checks/{check_id}/verdict", dependencies=[Depends(page_operator)])
def mark(
    request: Request,
    session: SessionDep,
    check_id: Annotated[int, Path(ge=1, le=INT32)],
    verdict: Annotated[Literal["confirmed", "false_positive"], Form()],
    reviewer: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")],
    csrf: Annotated[str, Form(max_length=64)],
) -> Response:
    """Record the verdict with who and when, then show the finding again."""
    if not hmac.compare_digest(csrf, csrf_token(request.app.state.link_key, request.cookies.get(SESSION_COOKIE))):
        raise HTTPException(403, "the form is stale or not ours; reload the page")
    if not (reviewer := reviewer.strip()):
        raise HTTPException(422, "say who you are")
    try:
        check = review_check(session, check_id=check_id, verdict=verdict, reviewer=reviewer)
    except NotAFinding as exc:
        raise HTTPException(409, str(exc)) from exc
    if check is None:
        raise HTTPException(404, f"no check {check_id}")
    response = RedirectResponse(f"/review/checks/{check_id}", status_code=303)
    response.set_cookie(REVIEWER_COOKIE, reviewer, max_age=365 * 86400, **_cookie_args(request))
    return response


@router.get("/status", response_class=HTMLResponse)
def status(request: Request, client: RedisDep, settings: SettingsDep, _operator: PageOperatorDep) -> Response:
    """The portal (state, breaker, budget) and the workers' heartbeats."""
    try:
        context = _context(request, portal=portal_out(client, settings), workers=workers_out(client), redis_error=None)
    except redis.RedisError as exc:
        context = _context(request, redis_error=str(exc))
    return render(request, "status.html", context)

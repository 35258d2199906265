"""Checks across targets: filtered, cursor-paginated, one by one, and an operator's verdict on a finding."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from fastapi.responses import FileResponse

from api.auth import operator
from api.deps import ReaderDep, SessionDep, SignerDep
from api.errors import OPERATOR_ERRORS, error_responses
from api.schemas import INT32, CheckOut, CheckPage, Outcome, ReviewIn, SlotOut, UTCTime
from api.views import check_out, json_response
from core import history
from core.history import CheckView
from core.models import Slot
from core.reviews import NotAFinding, review_check

router = APIRouter(prefix="/checks", tags=["checks"], dependencies=[Depends(operator)], responses=OPERATOR_ERRORS)

CheckId = Annotated[int, Path(ge=1, le=INT32)]


def _check(session: SessionDep, check_id: CheckId) -> CheckView:
    check = history.get_check(session, check_id=check_id)
    if check is None:
        raise HTTPException(404, f"no check {check_id}")
    return check


CheckDep = Annotated[CheckView, Depends(_check)]


@router.get("", response_model=CheckPage)
async def list_checks(
    reader: ReaderDep,
    signer: SignerDep,
    target_id: Annotated[int | None, Query(ge=1, le=INT32)] = None,
    outcome: Outcome | None = None,
    verdict: Literal["confirmed", "false_positive", "unreviewed"] | None = None,
    since: Annotated[UTCTime | None, Query(description="Started at or after (ISO 8601; naive is UTC)")] = None,
    until: Annotated[UTCTime | None, Query(description="Started before")] = None,
    cursor: Annotated[int | None, Query(ge=1, le=INT32, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Checks newest first, filtered by target, outcome, verdict and time range, a page at a time."""
    filters = history.CheckFilter(target_id=target_id, outcome=outcome, verdict=verdict, since=since, until=until)
    checks = await reader.run_sync(history.list_checks, filters=filters, before_id=cursor, limit=limit)
    page = CheckPage(
        items=[check_out(c, signer) for c in checks],
        next_cursor=checks[-1].id if len(checks) == limit else None,
    )
    return json_response(page)


@router.get("/{check_id}", response_model=CheckOut, responses=error_responses(404))
def get_check(check: CheckDep, signer: SignerDep) -> CheckOut:
    """One check with its evidence (signed URLs) and review."""
    return check_out(check, signer)


@router.get("/{check_id}/slots", response_model=list[SlotOut], responses=error_responses(404))
def list_check_slots(check: CheckDep, session: SessionDep) -> list[Slot]:
    """The slot appearances this check saw first."""
    return history.list_slots(session, check_id=check.id)


@router.post("/{check_id}/review", response_model=CheckOut, responses=error_responses(400, 404, 409))
def review(check_id: CheckId, body: ReviewIn, session: SessionDep, signer: SignerDep) -> CheckOut:
    """Judge a finding: its slots were real ("confirmed") or not ("false_positive"); the latest verdict wins."""
    try:
        check = review_check(session, check_id=check_id, verdict=body.verdict, reviewer=body.reviewer)
    except NotAFinding as exc:
        raise HTTPException(409, str(exc)) from exc
    if check is None:
        raise HTTPException(404, f"no check {check_id}")
    return check_out(_check(session, check_id), signer)


@router.get(
    "/{check_id}/screenshot",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}, "description": "The PNG"}, **error_responses(404)},
)
def check_screenshot(check: CheckDep) -> FileResponse:
    """The check's screenshot itself (the operator's token instead of a signed URL)."""
    shot = next((e for e in check.evidence if e.kind == "screenshot"), None)
    if shot is None or not FilePath(shot.path).is_file():
        raise HTTPException(404, f"check {check.id} has no screenshot")
    return FileResponse(shot.path, media_type=shot.content_type)

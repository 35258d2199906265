"""Targets, and per target its checks (newest first) and slot appearances."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from api.auth import operator
from api.deps import RedisDep, SessionDep, SettingsDep, SignerDep
from api.errors import OPERATOR_ERRORS, error_responses
from api.schemas import INT32, CheckOut, Outcome, SlotOut, TargetOut, UTCTime
from api.views import check_out, json_response
from core import history
from core.models import Slot, Target
from core.portal_state import planned_intervals

router = APIRouter(prefix="/targets", tags=["targets"], dependencies=[Depends(operator)], responses=OPERATOR_ERRORS)

TargetId = Annotated[int, Path(ge=1, le=INT32)]


def _target(session: SessionDep, target_id: TargetId) -> Target:
    target = session.get(Target, target_id)
    if target is None:
        raise HTTPException(404, f"no target {target_id}")
    return target


TargetDep = Annotated[Target, Depends(_target)]


def _target_out(target: Target, intervals: dict[int, float]) -> TargetOut:
    out = TargetOut.model_validate(target)
    out.mean_check_interval_s = intervals.get(target.service_id)
    return out


def _intervals(client: RedisDep, settings: SettingsDep) -> dict[int, float]:
    return planned_intervals(client, settings.portal)


IntervalsDep = Annotated[dict[int, float], Depends(_intervals)]


@router.get("", response_model=list[TargetOut])
def list_targets(session: SessionDep, intervals: IntervalsDep) -> list[TargetOut]:
    """Every (office, service) pair the farm has been asked to watch, with how often it is checked."""
    return [_target_out(t, intervals) for t in history.list_targets(session)]


@router.get("/{target_id}", response_model=TargetOut, responses=error_responses(404))
def get_target(target: TargetDep, intervals: IntervalsDep) -> TargetOut:
    """One target."""
    return _target_out(target, intervals)


@router.get("/{target_id}/checks", response_model=list[CheckOut], responses=error_responses(404))
def list_target_checks(
    target: TargetDep,
    session: SessionDep,
    signer: SignerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    outcome: Outcome | None = None,
    since: UTCTime | None = None,
    until: UTCTime | None = None,
    cursor: Annotated[int | None, Query(ge=1, le=INT32, description="`next` of the Link header")] = None,
) -> Response:
    """The target's checks, newest first; a `Link: <…>; rel="next"` header points to the older ones."""
    filters = history.CheckFilter(target_id=target.id, outcome=outcome, since=since, until=until)
    checks = history.list_checks(session, filters=filters, before_id=cursor, limit=limit)
    response = json_response([check_out(c, signer) for c in checks])
    if len(checks) == limit:
        response.headers["Link"] = f'</targets/{target.id}/checks?limit={limit}&cursor={checks[-1].id}>; rel="next"'
    return response


@router.get("/{target_id}/slots", response_model=list[SlotOut], responses=error_responses(404))
def list_target_slots(target: TargetDep, session: SessionDep, open_only: bool = False) -> list[Slot]:
    """Slot appearances of the target: first seen, last seen, and when a check proved them gone."""
    return history.list_slots(session, target_id=target.id, open_only=open_only)

"""Targets, their checks and slot appearances, and the evidence files of a check."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from api.deps import SessionDep
from api.schemas import CheckOut, EvidenceOut, SlotOut, TargetOut
from core.models import Check, Evidence, Slot, Target

router = APIRouter(tags=["checks"])


def _check_out(check: Check, request: Request) -> CheckOut:
    evidence = [
        EvidenceOut(
            id=e.id,
            kind=e.kind,
            content_type=e.content_type,
            sha256=e.sha256,
            size=e.size,
            url=str(request.url_for("evidence_file", evidence_id=e.id)),
        )
        for e in check.evidence
    ]
    shot = next((e.url for e in evidence if e.kind == "screenshot"), None)
    return CheckOut(
        id=check.id,
        target_id=check.target_id,
        started_at=check.started_at,
        finished_at=check.finished_at,
        outcome=check.outcome,
        error=check.error,
        slot_count=check.slot_count,
        request_url=check.request_url,
        worker=check.worker,
        screenshot_url=shot,
        evidence=evidence,
    )


@router.get("/targets", response_model=list[TargetOut])
def list_targets(session: SessionDep) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.id)))


@router.get("/targets/{target_id}/checks", response_model=list[CheckOut])
def list_checks(target_id: int, session: SessionDep, request: Request, limit: int = 50) -> list[CheckOut]:
    if session.get(Target, target_id) is None:
        raise HTTPException(404, f"no target {target_id}")
    checks = session.scalars(
        select(Check).where(Check.target_id == target_id).order_by(Check.id.desc()).limit(min(limit, 500))
    )
    return [_check_out(c, request) for c in checks]


@router.get("/targets/{target_id}/slots", response_model=list[SlotOut])
def list_slots(target_id: int, session: SessionDep, open_only: bool = False) -> list[Slot]:
    if session.get(Target, target_id) is None:
        raise HTTPException(404, f"no target {target_id}")
    query = select(Slot).where(Slot.target_id == target_id).order_by(Slot.id)
    if open_only:
        query = query.where(Slot.gone_at.is_(None))
    return list(session.scalars(query))


@router.get("/checks/{check_id}", response_model=CheckOut)
def get_check(check_id: int, session: SessionDep, request: Request) -> CheckOut:
    check = session.get(Check, check_id)
    if check is None:
        raise HTTPException(404, f"no check {check_id}")
    return _check_out(check, request)


@router.get("/checks/{check_id}/screenshot", response_class=FileResponse)
def check_screenshot(check_id: int, session: SessionDep) -> FileResponse:
    shot = session.scalar(select(Evidence).where(Evidence.check_id == check_id, Evidence.kind == "screenshot"))
    if shot is None or not Path(shot.path).is_file():
        raise HTTPException(404, f"check {check_id} has no screenshot")
    return FileResponse(shot.path, media_type=shot.content_type)


@router.get("/evidence/{evidence_id}", response_class=FileResponse, name="evidence_file")
def evidence_file(evidence_id: int, session: SessionDep) -> FileResponse:
    item = session.get(Evidence, evidence_id)
    if item is None or not Path(item.path).is_file():
        raise HTTPException(404, f"no evidence {evidence_id}")
    return FileResponse(item.path, media_type=item.content_type)

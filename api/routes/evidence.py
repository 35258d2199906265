"""Evidence files and screenshot thumbnails, by a signed URL (no other credentials) or the operator token."""

from __future__ import annotations

import time
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials

from api.auth import authenticate, bearer
from api.deps import SessionDep, SettingsDep
from api.errors import OPERATOR_ERRORS, error_responses
from api.schemas import INT32
from core import history
from core.links import verify
from core.models import Evidence
from core.thumbnails import thumbnail_of

router = APIRouter(prefix="/evidence", tags=["evidence"], responses={**OPERATOR_ERRORS, **error_responses(404)})

FILE_TYPES: dict[str, dict[str, str]] = {
    "image/png": {},
    "image/jpeg": {},
    "application/json": {},
    "application/octet-stream": {},
}
CACHE = "private, max-age=3600"


async def evidence_access(
    request: Request,
    evidence_id: Annotated[int, Path(ge=1, le=INT32)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    exp: Annotated[int | None, Query(ge=0, le=2**40, description="Expiry of a signed URL")] = None,
    sig: Annotated[str | None, Query(max_length=64, description="Signature of a signed URL")] = None,
) -> int:
    """The evidence id when the URL's signature holds, else whatever the operator token says."""
    if exp is not None or sig is not None:
        if exp is None or sig is None or exp < time.time():
            raise HTTPException(403, "this evidence link has expired or is incomplete")
        if not verify(request.app.state.link_key, sig, "evidence", evidence_id, exp):
            raise HTTPException(403, "this evidence link is not valid")
        return evidence_id
    authenticate(request, credentials)
    return evidence_id


def _evidence(session: SessionDep, evidence_id: Annotated[int, Depends(evidence_access)]) -> Evidence:
    item = history.get_evidence(session, evidence_id=evidence_id)
    if item is None or not FilePath(item.path).is_file():
        raise HTTPException(404, f"no evidence {evidence_id}")
    return item


EvidenceDep = Annotated[Evidence, Depends(_evidence)]
FILE_HEADERS = {"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"}  # a browser never guesses the type


@router.get("/{evidence_id}", response_class=FileResponse, responses={200: {"content": FILE_TYPES}})
def evidence_file(item: EvidenceDep) -> FileResponse:
    """The file as the worker stored it: a screenshot (PNG), the raw portal answer (JSON), …"""
    name = f"evidence-{item.id}{FilePath(item.path).suffix}"
    return FileResponse(
        item.path,
        media_type=item.content_type,
        headers=FILE_HEADERS,
        filename=name,
        content_disposition_type="inline",  # shown in the review page; saved under a name of ours, not the path
    )


@router.get("/{evidence_id}/thumbnail", response_class=FileResponse, responses={200: {"content": {"image/jpeg": {}}}})
def evidence_thumbnail(item: EvidenceDep, settings: SettingsDep) -> FileResponse:
    """A small JPEG of a screenshot's top, rendered on first request and kept on disk."""
    if item.kind != "screenshot":
        raise HTTPException(404, f"evidence {item.id} is a {item.kind}, not a screenshot")
    try:
        path = thumbnail_of(FilePath(item.path), sha256=item.sha256, cache_dir=settings.evidence_dir / "thumbnails")
    except OSError as exc:  # not an image Pillow can read
        raise HTTPException(404, f"evidence {item.id} is not a readable image") from exc
    return FileResponse(path, media_type="image/jpeg", headers=FILE_HEADERS)

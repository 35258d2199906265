"""Database rows as response models, with signed, expiring URLs for evidence files."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from pydantic import BaseModel, TypeAdapter

from api.schemas import CheckOut, EvidenceOut, SubscriptionOut
from core.history import CheckView, EvidenceView
from core.links import expiry, sign
from core.models import Subscription

CHECK_LIST = TypeAdapter(list[CheckOut])
EVIDENCE_URL_TTL_S = 86400  # a day: long enough to open an alert or a review page, short enough to age out


@dataclass(frozen=True)
class Signer:
    """Signs evidence URLs for one response; the expiry is rounded so repeated URLs stay cacheable."""

    base: str
    key: bytes
    expires: int

    def evidence_urls(self, evidence_id: int) -> tuple[str, str]:
        """The file's URL and its thumbnail's; one signature serves both."""
        query = f"?exp={self.expires}&sig={sign(self.key, 'evidence', evidence_id, self.expires)}"
        return f"{self.base}evidence/{evidence_id}{query}", f"{self.base}evidence/{evidence_id}/thumbnail{query}"


async def signer(request: Request) -> Signer:
    """Links on the configured ``api_url``, never on the request's ``Host`` header, which the client chooses."""
    base = request.app.state.settings.api_url.rstrip("/") + "/"
    return Signer(base, request.app.state.link_key, expiry(EVIDENCE_URL_TTL_S))


def evidence_out(item: EvidenceView, signer: Signer) -> EvidenceOut:
    url, thumbnail_url = signer.evidence_urls(item.id)
    return EvidenceOut(
        id=item.id,
        kind=item.kind,
        content_type=item.content_type,
        sha256=item.sha256,
        size=item.size,
        created_at=item.created_at,
        url=url,
        thumbnail_url=thumbnail_url if item.kind == "screenshot" else None,
    )


def check_out(check: CheckView, signer: Signer) -> CheckOut:
    evidence = [evidence_out(e, signer) for e in check.evidence]
    shot = next((e for e in evidence if e.kind == "screenshot"), None)
    stored_thumbnail = next((e for e in evidence if e.kind == "thumbnail"), None)
    return CheckOut(
        id=check.id,
        target_id=check.target_id,
        started_at=check.started_at,
        finished_at=check.finished_at,
        outcome=check.outcome,
        error=check.error,
        render_error=check.render_error,
        slot_count=check.slot_count,
        request_url=check.request_url,
        worker=check.worker,
        screenshot_url=shot.url if shot else None,
        thumbnail_url=stored_thumbnail.url if stored_thumbnail else (shot.thumbnail_url if shot else None),
        verdict=check.verdict,
        reviewed_by=check.reviewed_by,
        reviewed_at=check.reviewed_at,
        evidence=evidence,
    )


def json_response(model: BaseModel | list[CheckOut]) -> Response:
    """Serialise in one pass (pydantic's Rust serialiser) what was already validated when it was built;
    FastAPI would dump, re-validate and serialise it again. The route's ``response_model`` still documents it."""
    body = CHECK_LIST.dump_json(model) if isinstance(model, list) else model.model_dump_json()
    return Response(body, media_type="application/json")


def subscription_out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.id,
        user_id=subscription.user_id,
        service_id=subscription.service_id,
        office_ids=[t.office_id for t in subscription.targets],
        active=subscription.active,
        created_at=subscription.created_at,
    )

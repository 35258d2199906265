"""Database rows as response models, with signed, expiring URLs for evidence files."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.schemas import CheckOut, EvidenceOut, SubscriptionOut
from core.links import expiry, sign
from core.models import Check, Evidence, Subscription

EVIDENCE_URL_TTL_S = 86400  # a day: long enough to open an alert or a review page, short enough to age out


@dataclass(frozen=True)
class Signer:
    """Signs evidence URLs for one response; the expiry is rounded so repeated URLs stay cacheable."""

    base: str
    key: bytes
    expires: int

    def evidence_url(self, evidence_id: int, *, thumbnail: bool = False) -> str:
        signature = sign(self.key, "evidence", evidence_id, self.expires)
        path = f"evidence/{evidence_id}/thumbnail" if thumbnail else f"evidence/{evidence_id}"
        return f"{self.base}{path}?exp={self.expires}&sig={signature}"


def signer(request: Request) -> Signer:
    return Signer(str(request.base_url), request.app.state.link_key, expiry(EVIDENCE_URL_TTL_S))


def evidence_out(item: Evidence, signer: Signer) -> EvidenceOut:
    return EvidenceOut(
        id=item.id,
        kind=item.kind,
        content_type=item.content_type,
        sha256=item.sha256,
        size=item.size,
        created_at=item.created_at,
        url=signer.evidence_url(item.id),
        thumbnail_url=signer.evidence_url(item.id, thumbnail=True) if item.kind == "screenshot" else None,
    )


def check_out(check: Check, signer: Signer) -> CheckOut:
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


def subscription_out(subscription: Subscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.id,
        user_id=subscription.user_id,
        service_id=subscription.service_id,
        office_ids=[t.office_id for t in subscription.targets],
        active=subscription.active,
        created_at=subscription.created_at,
    )

"""An operator's verdict on a finding: the slots were real ("confirmed") or not ("false_positive")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from core.models import Check, utcnow

VERDICTS = ("confirmed", "false_positive")


class NotAFinding(ValueError):
    """Only checks that found slots can be judged."""


def review_check(
    session: Session, *, check_id: int, verdict: str, reviewer: str, at: dt.datetime | None = None
) -> Check | None:
    """Record ``reviewer``'s verdict on check ``check_id`` (the latest verdict wins); None if no such check."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    check = session.get(Check, check_id)
    if check is None:
        return None
    if check.outcome != "slots":
        raise NotAFinding(f"check {check_id} found no slots ({check.outcome}); only findings are reviewed")
    check.verdict, check.reviewed_by, check.reviewed_at = verdict, reviewer, at or utcnow()
    session.flush()
    return check

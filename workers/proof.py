"""The proof of a finding: the city's booking page showing the finding's day, screenshotted after the finding's
alerts have left. The check that found it only queues the render (``send``) and goes on: a render takes a
browser for seconds, and a planned check must never wait for one. The alerts never wait for it either; the bot
adds it to them once it exists (``bot.alerts``).

A render that fails is recorded on its check with the reason and counted; failures in a row mark the booking
page as changed for the operator (``page_failures``), even while the portal's API answers well.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from core import metrics
from core.alerts import ALERTS_WAKE_KEY
from core.checks import add_evidence, evidence_of
from core.db import transaction
from core.models import Check
from core.portal_state import page_failures_key
from core.queue import ADD_PROOF, ADD_THUMBNAIL
from core.slots import MUNICH, Observation
from workers import evidence, render
from workers.farm import Farm
from workers.portal import calendar_from, page_catalogue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """A recorded check that opened slots: what its screenshot must show."""

    check_id: int
    target_id: int
    service_id: int
    office_id: int
    seen: Observation  # the target's part of the answers
    day: dt.date  # the first new slot's day
    times: tuple[tuple[int, int], ...]  # the new slots of that day: (booking office, Unix seconds)
    captcha_token: str | None = field(default=None, repr=False)  # the check's, handed to the page's widget

    def to_json(self) -> dict[str, Any]:
        """The task message of its render (``from_json`` reads it back)."""
        return {
            "check_id": self.check_id,
            "target_id": self.target_id,
            "service_id": self.service_id,
            "office_id": self.office_id,
            "seen": self.seen.to_json(),
            "day": self.day.isoformat(),
            "times": [list(t) for t in self.times],
            "captcha_token": self.captcha_token,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Finding:
        return cls(
            check_id=int(value["check_id"]),
            target_id=int(value["target_id"]),
            service_id=int(value["service_id"]),
            office_id=int(value["office_id"]),
            seen=Observation.from_json(value["seen"]),
            day=dt.date.fromisoformat(value["day"]),
            times=tuple((int(office), int(unix)) for office, unix in value["times"]),
            captcha_token=value["captcha_token"],
        )


def render_bound(farm: Farm) -> float:
    """The longest a render of the booking page may take, as a whole."""
    return farm.settings.browser_timeout_s * render.TIMED_STEPS


def send(farm: Farm, finding: Finding) -> None:
    """Queue the finding's render (``add_proof``, on the proof queue). A finding whose render cannot be queued
    keeps its alerts; its check says why it has no screenshot."""
    try:
        farm.tasks.send(ADD_PROOF, finding.to_json())
    except Exception as exc:
        _failed(farm, finding, exc)


def add_proof(farm: Farm, finding: Finding) -> bool:
    """Render, store and attach the finding's screenshot, then wake the bot to send it. A failure is recorded
    on the check with its reason (the bot then stops waiting for it). Returns whether a screenshot was made."""
    catalogue = page_catalogue(farm.catalogue.raw(), finding.service_id)
    answers = render.Answers(catalogue, _calendar(finding), finding.captcha_token)
    try:
        with farm.browser.page() as page, farm.browser.bounded("rendering evidence", render_bound(farm)):
            shown = render.Shown(finding.service_id, finding.office_id, finding.day, finding.times)
            shot = farm.evidence_page.render(page, shown, answers).png
    except Exception as exc:  # the finding is recorded and alerted: a failed render only loses its picture
        _failed(farm, finding, exc)
        return False
    stored = evidence.store(
        farm.settings.evidence_dir,
        target_id=finding.target_id,
        files={"screenshot": (evidence.cap_height(shot), ".png", "image/png")},
    )
    with transaction(farm.sessions) as session:
        add_evidence(session, check_id=finding.check_id, evidence=stored)
    farm.redis.delete(page_failures_key(farm.portal))
    _wake_bot(farm.redis, finding.check_id)
    _thumbnail_later(farm, finding.check_id)
    return True


def _calendar(finding: Finding) -> Callable[[dt.date | None], Any]:
    """The calendar answers of the finding's booking page: its opening request (a window on today) is moved to
    the finding's day, as the portal moves a window to a bookable day; a day the page asks for is that day."""
    today = dt.datetime.now(MUNICH).date()

    def answer(asked: dt.date | None) -> Any:
        day = finding.day if asked is None or asked == today else asked
        return calendar_from(finding.seen, today=today, day=day)

    return answer


def _failed(farm: Farm, finding: Finding, exc: Exception) -> None:
    reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500]
    log.warning("could not render evidence for check %s: %s", finding.check_id, reason, exc_info=True)
    metrics.RENDER_FAILURES.inc()
    with transaction(farm.sessions) as session:
        check = session.get(Check, finding.check_id)
        if check is not None:
            check.render_error = reason
    failures = int(farm.redis.incr(page_failures_key(farm.portal)))
    if failures == farm.settings.page_changed_after:
        log.error("the booking page failed %d renders in a row; has it changed? last: %s", failures, reason)
    _wake_bot(farm.redis, finding.check_id)


def _wake_bot(client: redis.Redis, check_id: int) -> None:
    client.rpush(ALERTS_WAKE_KEY, str(check_id))
    client.ltrim(ALERTS_WAKE_KEY, -1000, -1)


def add_thumbnail(farm: Farm, *, check_id: int) -> bool:
    """The review grid's thumbnail of a finding's screenshot; False when there is none to make (no screenshot,
    or made already: the task may be delivered twice)."""
    with transaction(farm.sessions) as session:
        files = evidence_of(session, check_id=check_id)
        check = session.get(Check, check_id)
    shot = files.get("screenshot")
    if check is None or shot is None or "thumbnail" in files or not Path(shot.path).is_file():
        return False
    made = {"thumbnail": (evidence.thumbnail(Path(shot.path).read_bytes()), ".png", "image/png")}
    stored = evidence.store(farm.settings.evidence_dir, target_id=check.target_id, files=made)
    with transaction(farm.sessions) as session:
        add_evidence(session, check_id=check_id, evidence=stored)
    return True


def _thumbnail_later(farm: Farm, check_id: int) -> None:
    """Its own task makes the thumbnail after the burst of findings; the API makes one if that is lost."""
    try:
        farm.tasks.send(ADD_THUMBNAIL, check_id, countdown=farm.settings.thumbnail_delay_s)
    except Exception:  # the finding is recorded and alerted; a thumbnail is no reason to fail the check
        log.warning("could not enqueue the thumbnail of check %s", check_id, exc_info=True)

"""/status: the portal's state, the breaker, and for each of the user's targets its last check and interval."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot import formats
from bot.context import deps_of
from bot.replies import language, say
from bot.texts import text
from core.catalogue import Catalogue, CatalogueError
from core.portal_state import (
    breaker_state_key,
    check_interval_for,
    decode_portal_state,
    decode_state,
    portal_state_key,
)
from core.settings import Settings
from core.target_status import TargetStatus, target_statuses


@dataclass(frozen=True)
class TargetLine:
    status: TargetStatus
    interval_s: float


def _target_lines(session: Session, *, settings: Settings, user_id: int) -> list[TargetLine]:
    return [
        TargetLine(status, check_interval_for(session, settings=settings, target_id=status.target_id))
        for status in target_statuses(session, user_id=user_id)
    ]


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    assert update.effective_chat is not None
    chat_id, lang = update.effective_chat.id, await language(update, context)
    portal = deps.settings.portal
    breaker = decode_state(await deps.redis.get(breaker_state_key(portal)))
    state = decode_portal_state(await deps.redis.get(portal_state_key(portal)), breaker=breaker)
    lines = await deps.db(lambda s: _target_lines(s, settings=deps.settings, user_id=chat_id))
    try:
        catalogue: Catalogue | None = await deps.portal_catalogue()
    except CatalogueError:
        catalogue = None
    targets = "\n\n".join(_describe(lang, line, catalogue) for line in lines) or text(lang, "status_no_targets")
    await say(
        update,
        context,
        "status",
        state=text(lang, f"portal_{state}"),
        breaker=text(lang, f"breaker_{breaker}"),
        targets=targets,
    )


def _describe(language: str, line: TargetLine, catalogue: Catalogue | None) -> str:
    status = line.status
    return text(
        language,
        "status_target",
        service=formats.service_name(catalogue, status.service_id),
        office=formats.office_name(catalogue, status.office_id),
        last=formats.moment(language, status.last_check_at) if status.last_check_at else text(language, "never"),
        outcome=text(language, f"outcome_{status.last_outcome or 'none'}"),
        interval=_interval(language, line.interval_s),
    )


def _interval(language: str, seconds: float) -> str:
    if seconds < 120:
        return text(language, "seconds", n=round(seconds))
    return text(language, "minutes", n=round(seconds / 60))

"""/status: the portal's state, the breaker, and the last check and interval of each of the user's targets."""

from __future__ import annotations

import datetime as dt

import redis
from sqlalchemy.orm import Session, sessionmaker

from core.checks import record_failure, record_observation
from core.db import transaction
from core.models import Target
from core.portal_state import breaker_state_key, record_portal_state
from core.settings import Settings
from core.slots import nothing_free
from tests.bot.helpers import RUPPERT, WOHNSITZ, Chat, text_of


def check(sessions: sessionmaker[Session], *, failed: bool = False) -> None:
    with transaction(sessions) as session:
        target_id = session.query(Target.id).scalar()
        started = dt.datetime(2030, 3, 4, 8, 0, tzinfo=dt.UTC)
        if failed:
            record_failure(session, target_id=target_id, task_id=None, started_at=started, error="503")
        else:
            record_observation(
                session,
                target_id=target_id,
                task_id=None,
                started_at=started,
                observation=nothing_free(),
                request_url=None,
            )


async def test_status_in_english(anna: Chat, settings: Settings, sessions: sessionmaker[Session]) -> None:
    [nothing] = await anna.send("/status")
    assert text_of(anna.screen(nothing)) == (
        "Portal: up\nBreaker: closed, checks run\n\nYou watch nothing at the moment; /watch starts."
    )
    await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    [never] = await anna.send("/status")
    assert "Wohnsitzanmeldung at Bürgerbüro Ruppertstraße:\nlast check not yet (none), about every 60 s" in text_of(
        anna.screen(never)
    )

    check(sessions)
    client = redis.Redis.from_url(settings.redis_url)
    portal = settings.portal
    client.set(breaker_state_key(portal), b"open")
    record_portal_state(client, portal, "blocked")
    [news] = await anna.answers(1)  # the bot tells its subscribers of the change by itself
    assert text_of(anna.screen(news)) == "The city's portal refuses our checks for now. I tell you when it is back."
    [report] = await anna.send("/status")
    assert text_of(anna.screen(report)).startswith(
        "Portal: refusing our checks for now\nBreaker: open, checks paused\n"
    )
    assert "last check " in text_of(anna.screen(report))
    assert "(no free slots), about every 60 s" in text_of(anna.screen(report))


async def test_status_in_german_falls_back_to_the_breaker(
    bernd: Chat, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    await bernd.send(f"/watch {WOHNSITZ} {RUPPERT}")
    check(sessions, failed=True)
    client = redis.Redis.from_url(settings.redis_url)
    client.set(breaker_state_key(settings.portal), b"open")
    [report] = await bernd.send("/status")
    shown = text_of(bernd.screen(report))
    assert shown.startswith("Portal: ausgefallen, es antwortet nicht\nSicherung: offen, Prüfungen pausiert\n\n")
    assert "Wohnsitzanmeldung bei Bürgerbüro Ruppertstraße:\nletzte Prüfung " in shown
    assert "(fehlgeschlagen), etwa alle 60 s" in shown

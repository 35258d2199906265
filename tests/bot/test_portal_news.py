"""Portal state transitions reach each active subscriber once per transition, in their language."""

from __future__ import annotations

import asyncio

import redis
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application

from bot.context import app_deps
from bot.portal_news import announce_portal_news
from core import subscriptions as crud
from core.db import transaction
from core.portal_state import portal_state_key, record_portal_state
from core.settings import Settings
from telegram_replica.server import ReplicaServer
from tests.bot.helpers import RUPPERT, WOHNSITZ

ANNA, BERND, PAUSED, NO_SUBSCRIPTION = 501, 502, 503, 504


def people(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        for chat_id, language in ((ANNA, "en"), (BERND, "de"), (PAUSED, "en")):
            crud.create_subscription(
                session, user_id=chat_id, service_id=WOHNSITZ, office_ids=[RUPPERT], language=language
            )
        crud.set_subscription_active(session, subscription_id=3, user_id=PAUSED, active=False)
        crud.set_language(session, user_id=NO_SUBSCRIPTION, language="en")


def texts(telegram: ReplicaServer, chat_id: int) -> list[str]:
    return [c.params["text"] for c in telegram.calls("sendMessage", chat_id, ok=True)]


async def test_each_transition_is_told_once(
    telegram: ReplicaServer,
    bot: Application,
    settings: Settings,
    sessions: sessionmaker[Session],  # type: ignore[type-arg]
) -> None:
    people(sessions)
    client, portal = redis.Redis.from_url(settings.redis_url), settings.portal

    assert record_portal_state(client, portal, "up") is False, "up is what nobody needs to hear"
    assert record_portal_state(client, portal, "down") is True
    await telegram.wait_for_calls_async("sendMessage", ANNA, timeout=15)
    await telegram.wait_for_calls_async("sendMessage", BERND, timeout=15)
    assert await announce_portal_news(bot.bot, app_deps(bot)) == 0, "already told"
    assert record_portal_state(client, portal, "unavailable") is False, "unavailable is down to users"

    record_portal_state(client, portal, "blocked")
    await telegram.wait_for_calls_async("sendMessage", BERND, count=2, timeout=15)
    record_portal_state(client, portal, "up")
    await telegram.wait_for_calls_async("sendMessage", ANNA, count=3, timeout=15)
    await telegram.wait_for_calls_async("sendMessage", BERND, count=3, timeout=15)

    assert texts(telegram, ANNA) == [
        "The city's portal is down. I keep trying and tell you when it is back.",
        "The city's portal refuses our checks for now. I tell you when it is back.",
        "The city's portal is back; I am watching again.",
    ]
    assert texts(telegram, BERND)[2] == "Das Portal der Stadt ist wieder erreichbar; ich beobachte wieder."
    assert texts(telegram, PAUSED) == []
    assert texts(telegram, NO_SUBSCRIPTION) == []


async def test_several_announcers_at_once_tell_a_transition_once(
    telegram: ReplicaServer,
    bot: Application,
    settings: Settings,
    sessions: sessionmaker[Session],  # type: ignore[type-arg]
) -> None:
    people(sessions)
    client, portal = redis.Redis.from_url(settings.redis_url), settings.portal
    client.set(portal_state_key(portal), b"changed")  # recorded without waking the bot's loop

    told = await asyncio.gather(*(announce_portal_news(bot.bot, app_deps(bot)) for _ in range(5)))

    await telegram.wait_for_calls_async("sendMessage", ANNA, timeout=15)
    await telegram.wait_for_calls_async("sendMessage", BERND, timeout=15)
    assert sum(told) in (0, 2), "either the bot's own loop or exactly one of these told both"
    assert len(texts(telegram, ANNA)) == 1
    assert texts(telegram, BERND) == [
        "Das Portal der Stadt hat sich verändert; meine Prüfungen pausieren, bis sie angepasst sind. "
        "Ich melde mich, wenn es wieder geht."
    ]

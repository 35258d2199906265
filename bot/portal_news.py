"""Telling subscribers when the portal goes down, blocks our checks, changes shape, or comes back.

The workers record the portal's state (``core.portal_state.record_portal_state``); the bot's alert loop
calls ``announce_portal_news``, which claims a change with one atomic ``SET … GET`` on the announced
state, so each transition is told at most once, however many loops run, and a flap that is over before
the bot looks is not told at all.
"""

from __future__ import annotations

import logging

from telegram import Bot

from bot.context import BotDeps
from bot.fanout import deactivate, send_all
from bot.texts import text
from core import subscriptions as crud
from core.portal_state import announced_state_key, news_of, portal_state_key

log = logging.getLogger(__name__)


async def announce_portal_news(bot: Bot, deps: BotDeps) -> int:
    """If the portal's state changed since last told, tell every active subscriber once; returns how many."""
    portal = deps.settings.portal
    current = await deps.redis.get(portal_state_key(portal))
    if current is None:
        return 0  # the workers have not recorded a state yet
    announced = await deps.redis.set(announced_state_key(portal), current, get=True)
    state = news_of(announced, current)
    if state is None:
        return 0
    chats = await deps.db(crud.chats_watching)
    log.info("portal %s is %s now; telling %d chat(s)", portal, state, len(chats))

    async def tell(chat: tuple[int, str]) -> None:
        await bot.send_message(chat[0], text(chat[1], f"news_{state}"))

    outcome = await send_all(chats, tell)
    await deactivate(deps, {chat_id for chat_id, _ in outcome.blocked})
    return len(outcome.delivered)

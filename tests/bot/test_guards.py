"""Before any handler: the allowlist, the per-user rate limit, and a chat that blocks and restarts the bot."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.models import User
from core.settings import Settings
from telegram_replica.replica import wait_for
from telegram_replica.server import ReplicaServer
from tests.bot.helpers import RUPPERT, WOHNSITZ, Chat, text_of

ANNA = 4711
LIMIT = 3


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Only Anna may use this bot, and nobody more than three times a window."""
    return settings.model_copy(
        update={"telegram_allowed_users": [ANNA], "command_rate_limit": LIMIT, "command_rate_window_s": 600}
    )


async def test_a_user_not_on_the_allowlist_is_refused_and_nothing_is_stored(
    bernd: Chat, sessions: sessionmaker[Session]
) -> None:
    [refused] = await bernd.send(f"/watch {WOHNSITZ} {RUPPERT}")
    assert text_of(bernd.screen(refused)) == "Dieser Bot ist leider nicht öffentlich."
    with transaction(sessions) as session:
        assert session.get(User, bernd.id) is None


async def test_too_many_commands_are_refused_once_then_ignored(anna: Chat, bernd: Chat) -> None:
    for _ in range(LIMIT):
        [answer] = await anna.send("/help")
        assert text_of(anna.screen(answer)).startswith("/watch:")
    [slow_down] = await anna.send("/help")
    assert text_of(anna.screen(slow_down)) == "That is a lot at once. Please wait a minute, then try again."
    anna.server.send_text(anna.id, "/help", user_id=anna.id)
    await bernd.send("/help")  # updates are handled in order: Anna's last one is done by now
    assert len(anna.server.calls("sendMessage", anna.id)) == LIMIT + 1


async def test_a_chat_that_blocks_the_bot_is_deactivated_and_back_when_it_writes(
    telegram: ReplicaServer, anna: Chat, sessions: sessionmaker[Session]
) -> None:
    await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    telegram.block_chat(anna.id)

    def active() -> bool:
        with transaction(sessions) as session:
            return bool(session.scalar(select(User.active).where(User.id == anna.id)))

    await wait_for(lambda: not active(), timeout=10)
    telegram.unblock_chat(anna.id)
    telegram.updates.push(  # Telegram's note that the user started the bot again
        {
            "my_chat_member": {
                "chat": {"id": anna.id, "type": "private", "first_name": "Test"},
                "from": {"id": anna.id, "is_bot": False, "first_name": "Test"},
                "date": 0,
                "old_chat_member": {"user": telegram.bot, "status": "kicked", "until_date": 0},
                "new_chat_member": {"user": telegram.bot, "status": "member"},
            }
        }
    )
    await wait_for(active, timeout=10)

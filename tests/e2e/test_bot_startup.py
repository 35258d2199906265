"""The bot survives a Bot API hiccup at start-up (issue 18): its first calls answered 502, it asks again and
then serves users, instead of exiting."""

from __future__ import annotations

from pathlib import Path

import pytest

from launch.farm import farm_env, start_bot, start_telegram
from launch.processes import ProcessGroup
from tests.e2e.conftest import TOKEN

pytestmark = pytest.mark.e2e
CHAT = 4711


def test_a_bot_whose_first_calls_fail_starts_anyway(tmp_path: Path, redis_url: str, sqlite_url: str) -> None:
    with ProcessGroup(tmp_path / "logs") as group:
        telegram = start_telegram(group, token=TOKEN)
        telegram.fail_next("getMe", 2)
        group.env = {
            **farm_env(
                urls_replica="http://127.0.0.1:9", database_url=sqlite_url, redis_url=redis_url, evidence_dir=tmp_path
            ),
            "MTA_TELEGRAM_TOKEN": TOKEN,
            "MTA_TELEGRAM_BASE_URL": telegram.base_url,
            "MTA_TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
        }
        start_bot(group)
        telegram.send_text(CHAT, "/help")
        answers = telegram.wait_for_said(CHAT, "", timeout=30)
        assert [c.status for c in telegram.calls("getMe")] == [502, 502, 200], "asked again after each hiccup"
        assert answers, "the bot serves users after its start-up was refused twice"

"""One slot to 1,000 chats against a Bot API server that allows 30 messages/s: all delivered, none twice."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bench.fanout import FIRST_CHAT, SERVER_RATE, TOKEN, deliver_one_slot, prepare
from core.db import make_engine, make_sessionmaker, transaction
from core.models import Alert
from telegram_replica.config import RateLimit, ReplicaConfig
from telegram_replica.server import run_server

CHATS = 1000


async def test_one_slot_reaches_a_thousand_chats_exactly_once(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'fanout.db'}"
    prepare(database_url, chats=CHATS, folder=tmp_path)
    limit = RateLimit(count=SERVER_RATE, period=1.0)

    with run_server(ReplicaConfig(token=TOKEN, global_limit=limit)) as server:
        delivered, _ = await deliver_one_slot(database_url, base_url=server.base_url)

        photos = server.calls("sendPhoto", ok=True)
        refused = server.calls("sendPhoto", ok=False)
        assert delivered == CHATS
        assert sorted(c.chat_id for c in photos) == list(range(FIRST_CHAT, FIRST_CHAT + CHATS)), "all, none twice"
        assert {c.status for c in refused} <= {429}, "only flood control ever refused, and that was retried"
        assert sum(1 for c in photos if c.files) == 1, "the screenshot went up once; the rest by file_id"
        assert [c.chat_id for c in photos[:50]] != list(range(FIRST_CHAT, FIRST_CHAT + 50)), "recipients shuffled"

    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as session:
        assert session.scalar(select(func.count(Alert.id)).where(Alert.sent_at.is_(None))) == 0
    engine.dispose()

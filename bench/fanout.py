"""Fan-out of one slot to many chats against a Bot API server that allows 30 messages/s, as Telegram does.

Everything is real but Telegram: a migrated SQLite database with one subscriber per chat, one check that
opens one slot (with its screenshot), and the bot's own ``deliver_pending`` with the application's rate
limiter, sending to the local Bot API server (``telegram_replica``, its own process, on loopback). The server
answers 429 with ``retry_after`` beyond its limit.

``run()`` gives ``fanout_rate_ratio`` (achieved messages/s ÷ the server's 30/s; goal ≥ 0.9) and
``fanout_429s`` (goal 0).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import tempfile
import time
from collections import Counter
from pathlib import Path

import redis.asyncio as aioredis
from PIL import Image

from bot.alerts import deliver_pending
from bot.context import BotDeps
from bot.main import build_application
from core import subscriptions as crud
from core.catalogue import CachedCatalogue
from core.checks import EvidenceFile, record_observation
from core.db import make_engine, make_sessionmaker, transaction
from core.migrate import upgrade
from core.settings import Settings
from core.slots import MUNICH, Observation, SeenSlot
from launch.farm import start_telegram
from launch.processes import ProcessGroup

TOKEN = "424242:FANOUT-BENCH"
SERVICE, OFFICE = 1063475, 10489
SERVER_RATE = 30  # messages per second the Bot API server accepts, like Telegram's broadcast limit
FIRST_CHAT = 10_000_000
ROUNDS = 3


def _screenshot(folder: Path) -> EvidenceFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 900), "white").save(buffer, format="PNG")
    data = buffer.getvalue()
    path = folder / "slot.png"
    path.write_bytes(data)
    return EvidenceFile("screenshot", str(path), "image/png", hashlib.sha256(data).hexdigest(), len(data))


def prepare(database_url: str, *, chats: int, folder: Path) -> None:
    """``chats`` users watching one target, and one check that opens one slot there: ``chats`` pending alerts."""
    upgrade(database_url)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        target_id = crud.ensure_target(session, service_id=SERVICE, office_id=OFFICE).id
        for chat_id in range(FIRST_CHAT, FIRST_CHAT + chats):
            crud.create_subscription(session, user_id=chat_id, service_id=SERVICE, office_ids=[OFFICE])
    day = dt.date.today() + dt.timedelta(days=7)
    slot = SeenSlot(dt.datetime.combine(day, dt.time(9, 0), MUNICH).astimezone(dt.UTC), OFFICE)
    observation = Observation(frozenset({slot}), frozenset({slot.office_day}), frozenset({slot.office_day}))
    with transaction(sessions) as session:
        record_observation(
            session,
            target_id=target_id,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            observation=observation,
            request_url=None,
            evidence=(_screenshot(folder),),
        )
    engine.dispose()


async def deliver_one_slot(database_url: str, *, base_url: str) -> tuple[int, float]:
    """The bot's alert delivery, once, with the bot the application builds: messages delivered, seconds taken."""
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        telegram_token=TOKEN,
        telegram_base_url=base_url,
        portal_api_url="http://127.0.0.1:9/unreachable",  # names fall back to ids; no catalogue needed
    )
    application = build_application(settings)  # the bot as it runs: its request settings and rate limiter
    engine = make_engine(database_url)
    deps = BotDeps(
        settings=settings,
        sessions=make_sessionmaker(engine),
        catalogue=CachedCatalogue(settings.portal_api_url, ttl=settings.catalogue_ttl_s),  # no Redis needed
        redis=aioredis.Redis.from_url("redis://127.0.0.1:9/0"),  # never used by the delivery
    )
    try:
        async with application.bot as bot:
            started = time.monotonic()
            delivered = 0
            for _ in range(ROUNDS):  # as the alert loop would: what failed stays pending for the next round
                if not (sent := await deliver_pending(bot, deps)):
                    break
                delivered += sent
            return delivered, time.monotonic() - started
    finally:
        await deps.redis.aclose()
        engine.dispose()


def run(chats: int = 1000) -> dict[str, float]:
    """The figures for bench/results.json; the Bot API server runs as its own process, as Telegram would."""
    with tempfile.TemporaryDirectory(prefix="mta-fanout-") as folder, ProcessGroup(Path(folder) / "logs") as group:
        telegram = start_telegram(group, token=TOKEN, options=("--global-rate", str(SERVER_RATE)))
        database_url = f"sqlite:///{Path(folder) / 'fanout.db'}"
        prepare(database_url, chats=chats, folder=Path(folder))
        with telegram:
            run_once = deliver_one_slot(database_url, base_url=telegram.base_url)
            delivered, seconds = asyncio.run(asyncio.wait_for(run_once, timeout=300))
            stats = telegram.stats()
    if delivered != chats or sorted(stats["deliveries"].values()) != [1] * chats:
        raise RuntimeError(
            f"fan-out delivered {delivered} of {chats}, per chat {Counter(stats['deliveries'].values())}"
        )
    return {
        "fanout_rate_ratio": round(delivered / seconds / SERVER_RATE, 3),
        "fanout_429s": float(stats["rate_limited_total"]),
    }


if __name__ == "__main__":
    print(run())

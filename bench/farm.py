"""The whole farm as processes for benchmarks: replica, Bot API server, Redis, SQLite, API, worker, beat, bot.

The replica serves the city's catalogue when ``MTA_BENCH_DLDB`` (default ``../shared/portal/dldb``) exists,
else its built-in sample.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy.orm import Session, sessionmaker

from core import subscriptions as crud
from core.db import make_engine, make_sessionmaker, transaction
from core.heartbeats import read_heartbeats
from core.migrate import upgrade
from core.queue import CHECKS_QUEUE, PROOF_QUEUE
from launch.farm import (
    farm_env,
    start_api,
    start_beat,
    start_bot,
    start_redis,
    start_replica,
    start_telegram,
    start_worker,
)
from launch.processes import ProcessGroup
from telegram_replica.client import TelegramReplicaClient

BOT_TOKEN = "777:BENCH"
DLDB = Path(os.environ.get("MTA_BENCH_DLDB", Path(__file__).resolve().parents[1] / ".." / "shared/portal/dldb"))


@dataclass
class BenchFarm:
    group: ProcessGroup
    replica: str
    api: str
    telegram: TelegramReplicaClient
    sessions: sessionmaker[Session]
    # One client for the replica's control routes, shared by the lanes: a client per call builds a TLS context,
    # CPU the lanes would spend at the moments they open and close slots, beside the farm.
    http: httpx.Client

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.replica}/__replica__/{path}"
        response = self.http.post(url, json=body, timeout=10) if body is not None else self.http.get(url, timeout=30)
        response.raise_for_status()
        return response.json()

    def subscribe(self, *, chat: int, service: int, offices: list[int]) -> None:
        with transaction(self.sessions) as session:
            crud.create_subscription(session, user_id=chat, service_id=service, office_ids=offices)


@contextmanager
def bench_farm(folder: Path, *, replica_env: dict[str, str], settings: dict[str, str]) -> Iterator[BenchFarm]:
    """A farm whose replica limiter and farm settings are given; the bot sends to a local Bot API server."""
    with ProcessGroup(folder / "logs") as group:
        dldb = DLDB if (DLDB / "locations_de.json").is_file() else None
        replica = start_replica(group, dldb=dldb, extra={"REPLICA_RATE_LIMIT_ENABLED": "false", **replica_env})
        telegram = start_telegram(group, token=BOT_TOKEN)
        database_url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(database_url)
        group.env = {
            **farm_env(
                urls_replica=replica,
                database_url=database_url,
                redis_url=start_redis(group),
                evidence_dir=folder / "evidence",
            ),
            "MTA_TELEGRAM_TOKEN": BOT_TOKEN,
            "MTA_TELEGRAM_BASE_URL": telegram.base_url,
            "MTA_TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
            "MTA_API_TOKEN": secrets.token_urlsafe(32),
            **{f"MTA_{k.upper()}": v for k, v in settings.items()},
        }
        api = start_api(group)
        engine = make_engine(database_url)
        with httpx.Client() as http:
            farm = BenchFarm(group, replica, api, telegram, make_sessionmaker(engine), http)
            try:
                yield farm
            finally:
                engine.dispose()


def start_checking(farm: BenchFarm, folder: Path, *, processes: int = 5) -> None:
    """Workers, beat and bot, once the subscriptions are in place, as compose runs them: ``processes`` for checks
    (enough that a burst of checks does not queue) and one for the findings' renders. Checking starts once every
    worker process has its Chromium, as on a farm that has run a while."""
    start_worker(farm.group, concurrency=processes, queue=CHECKS_QUEUE)
    start_worker(farm.group, name="proof", concurrency=1, queue=PROOF_QUEUE)
    _wait_for_browsers(farm, processes + 1)
    start_bot(farm.group)
    start_beat(farm.group, schedule_dir=folder)


def _wait_for_browsers(farm: BenchFarm, processes: int, timeout_s: float = 120.0) -> None:
    client = redis.Redis.from_url(farm.group.env["MTA_REDIS_URL"])
    deadline = time.monotonic() + timeout_s
    try:
        while sum(b.browsers_open for b in read_heartbeats(client)) < processes:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker's {processes} processes did not open their browsers")
            time.sleep(0.2)
    finally:
        client.close()

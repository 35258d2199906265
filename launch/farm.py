"""The whole farm as local processes: portal replica, API, Celery worker and beat, and the bot."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import redis

from launch.processes import PYTHON, ProcessGroup, free_port
from telegram_replica.client import TelegramReplicaClient


def start_redis(group: ProcessGroup) -> str:
    """A private redis-server for this group; returns its URL."""
    port = free_port()
    group.start(
        "redis",
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            return url
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"redis-server did not come up:\n{group.tail('redis')}")


def start_telegram(group: ProcessGroup, *, token: str, options: tuple[str, ...] = ()) -> TelegramReplicaClient:
    """The local Bot API server (``telegram_replica``) on a free port, accepting only ``token``."""
    port = free_port()
    argv = [PYTHON, "-m", "telegram_replica", "--port", str(port), "--token", token, *options]
    group.start("telegram", argv, ready_url=f"http://127.0.0.1:{port}/__control__/health")
    return TelegramReplicaClient(f"http://127.0.0.1:{port}")


def start_replica(group: ProcessGroup, *, dldb: Path | None = None, extra: Mapping[str, str] | None = None) -> str:
    port = free_port()
    argv = [PYTHON, "-m", "portal_replica", "--host", "127.0.0.1", "--port", str(port)]
    if dldb is not None:
        argv += ["--dldb", str(dldb)]
    url = f"http://127.0.0.1:{port}"
    group.start("replica", argv, env=extra, ready_url=f"{url}/buergeransicht/api/citizen/offices-and-services/")
    return url


def farm_env(*, urls_replica: str, database_url: str, redis_url: str, evidence_dir: Path) -> dict[str, str]:
    """Settings for every farm process; metrics of prefork workers are shared through a folder."""
    metrics_dir = evidence_dir.parent / "metrics"
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()
    return {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "MTA_DATABASE_URL": database_url,
        "MTA_REDIS_URL": redis_url,
        "MTA_PORTAL_API_URL": f"{urls_replica}/buergeransicht/api/citizen",
        "MTA_PORTAL_PAGE_URL": f"{urls_replica}/buergerservice/terminvereinbarung.html",
        "MTA_EVIDENCE_DIR": str(evidence_dir),
    }


def start_api(group: ProcessGroup) -> str:
    """The control API on a free port; the processes started after it link to it there (``MTA_API_URL``)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    group.env = {**group.env, "MTA_API_URL": url}
    group.start("api", [PYTHON, "-m", "api", "--port", str(port)], ready_url=f"{url}/healthz")
    return url


def start_worker(group: ProcessGroup, *, name: str = "worker", concurrency: int = 2, queue: str | None = None) -> None:
    """A Celery worker node; ``queue`` limits it to one of the farm's queues (``core.queue``), else it takes all."""
    group.start(
        name,
        [
            PYTHON,
            "-m",
            "celery",
            "--quiet",  # no banner on stdout: every line the worker writes is a JSON log line
            "-A",
            "workers.celery_app",
            "worker",
            *(["-Q", queue] if queue else []),
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
    )


def start_beat(group: ProcessGroup, *, schedule_dir: Path) -> None:
    schedule_dir.mkdir(parents=True, exist_ok=True)
    group.start(
        "beat",
        [
            PYTHON,
            "-m",
            "celery",
            "--quiet",
            "-A",
            "workers.celery_app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(schedule_dir / "celerybeat-schedule"),
        ],
    )


def start_bot(group: ProcessGroup) -> None:
    group.start("bot", [PYTHON, "-m", "bot"])

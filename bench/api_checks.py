"""The checks list of the control API as operators use it: 4 concurrent clients on loopback, against 100,000
checks in PostgreSQL and again against 1,000,000.

A fresh PostgreSQL database is migrated and filled by COPY: the checks over 20 targets, one in fifty a finding
with its screenshot and raw answer as evidence. The API runs as its own processes (``python -m api --workers
2``, one per core) with the operator token; 4 clients (aiohttp, in this process), each on one keep-alive
connection, alternate between the first page of ``GET /checks`` and a deep page (a cursor near the oldest
checks) for a fixed number of requests, after a warm-up; both sizes are served at once and loaded in turn,
five rounds each.

``run()`` gives ``api_checks_list_p95_ms`` at 100,000 checks (goal < 50), the p95 of each kind of page,
``api_checks_list_p95_ratio_1m_vs_100k`` (goal <= 1.3: a page costs the same whatever the table's size), and
for scale ``api_healthz_p95_ms``: the same clients on ``/healthz``, the floor that server, client and machine set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import psycopg

from core.migrate import upgrade
from launch.farm import start_redis
from launch.processes import PYTHON, ProcessGroup, free_port

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"
TARGETS, FINDING_EVERY = 20, 50
CLIENTS, REQUESTS_PER_CLIENT, WARMUP_PER_CLIENT, ROUNDS = 4, 100, 20, 5
# Not measured: each client's first requests. They open the API processes' database connections (one per client
# in flight), and psycopg prepares a statement on a connection at its fifth use: a connection per client, 2 page
# statements, 5 uses each before the steady state.
PAGE = 50
DEEP_CURSOR = 1000  # the page of checks 950..999: near the oldest of any size


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"mta_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(database_url: str, evidence_dir: Path, checks: int) -> None:
    """TARGETS targets and ``checks`` checks, newest last; every FINDING_EVERY-th found slots and has evidence."""
    evidence_dir.mkdir(parents=True, exist_ok=True)
    shot, raw = evidence_dir / "shot.png", evidence_dir / "raw.json"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2048))
    raw.write_text('{"availableDays": []}')
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor() as cur, cur.copy("COPY targets (id, service_id, office_id, created_at) FROM STDIN") as copy:
            for target in range(1, TARGETS + 1):
                copy.write_row((target, 1063475, 10000 + target, start))
        columns = "id, target_id, worker, started_at, finished_at, outcome, slot_count, request_url"
        with conn.cursor() as cur, cur.copy(f"COPY checks ({columns}) FROM STDIN") as copy:
            for i in range(1, checks + 1):
                at = start + dt.timedelta(seconds=3 * i)
                finding = i % FINDING_EVERY == 0
                outcome, slots = ("slots", 2) if finding else ("no_slots", 0)
                url = "http://portal/available-calendar/"
                copy.write_row(
                    (i, i % TARGETS + 1, "worker@bench:1", at, at + dt.timedelta(seconds=2), outcome, slots, url)
                )
        columns = "check_id, kind, path, content_type, sha256, size, created_at"
        with conn.cursor() as cur, cur.copy(f"COPY evidence ({columns}) FROM STDIN") as copy:
            for i in range(FINDING_EVERY, checks + 1, FINDING_EVERY):
                for kind, path, content_type in (
                    ("screenshot", shot, "image/png"),
                    ("raw_json", raw, "application/json"),
                ):
                    data = path.read_bytes()
                    copy.write_row(
                        (i, kind, str(path), content_type, hashlib.sha256(data).hexdigest(), len(data), start)
                    )
        conn.execute("SELECT setval('checks_id_seq', (SELECT max(id) FROM checks))")
        conn.execute("SELECT setval('targets_id_seq', (SELECT max(id) FROM targets))")
    with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


async def _client(url: str, token: str, latencies: dict[str, list[float]], paths: dict[str, str]) -> None:
    # aiohttp, not httpx: at ~0.1 ms of CPU a request it leaves the machine's two cores to the server (httpx
    # spends ~1.3 ms, and alone capped 20 clients near 750 requests/s against an empty ASGI app).
    connector = aiohttp.TCPConnector(limit=1)  # one keep-alive connection per client
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(url, connector=connector, headers=headers, timeout=timeout) as client:
        kinds = list(paths)
        for n in range(WARMUP_PER_CLIENT + REQUESTS_PER_CLIENT):
            kind = kinds[n % len(kinds)]
            started = time.perf_counter()
            async with client.get(paths[kind]) as response:
                body = await response.read()
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if kind != "healthz" and len(json.loads(body)["items"]) != PAGE:
                raise RuntimeError(f"{paths[kind]} gave a short page")
            if n >= WARMUP_PER_CLIENT:
                latencies[kind].append(elapsed)


async def _load(url: str, token: str, paths: dict[str, str]) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {kind: [] for kind in paths}
    await asyncio.gather(*(_client(url, token, latencies, paths) for _ in range(CLIENTS)))
    return latencies


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


@contextmanager
def served(checks: int) -> Iterator[tuple[str, str]]:
    """The API (its URL and token) on a fresh database of ``checks`` checks, until the block ends."""
    token = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory(prefix="mta-bench-api-") as tmp, fresh_database() as database_url:
        folder = Path(tmp)
        upgrade(database_url)
        seed(database_url, folder / "evidence", checks)
        with ProcessGroup(folder / "logs") as group:
            redis_url = start_redis(group)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            env = {
                "MTA_DATABASE_URL": database_url,
                "MTA_REDIS_URL": redis_url,
                "MTA_EVIDENCE_DIR": str(folder / "evidence"),
                "MTA_API_TOKEN": token,
                "MTA_DEMO": "0",
            }
            argv = [PYTHON, "-m", "api", "--port", str(port), "--workers", str(min(2, os.cpu_count() or 1))]
            group.start("api", argv, env=env, ready_url=f"{url}/healthz")
            yield url, token


def run() -> dict[str, float]:
    """Both sizes served at once and measured in alternating rounds, so that the machine's drift (another
    process, the page cache) falls on both alike; each figure is the median of the rounds' p95s."""
    pages = {"first": f"/checks?limit={PAGE}", "deep": f"/checks?limit={PAGE}&cursor={DEEP_CURSOR}"}
    rounds: dict[int, list[dict[str, list[float]]]] = {100_000: [], 1_000_000: []}
    with served(100_000) as small, served(1_000_000) as large:
        for _ in range(ROUNDS):
            for size, (url, token) in ((100_000, small), (1_000_000, large)):
                rounds[size].append(asyncio.run(_load(url, token, pages)))
        floor = asyncio.run(_load(*small, {"healthz": "/healthz"}))

    def median_p95(size: int, *kinds: str) -> float:
        return statistics.median(p95([ms for kind in kinds for ms in one[kind]]) for one in rounds[size])

    p95_100k = median_p95(100_000, "first", "deep")
    return {
        "api_checks_list_p95_ms": round(p95_100k, 2),
        "api_checks_list_first_page_p95_ms": round(median_p95(100_000, "first"), 2),
        "api_checks_list_deep_page_p95_ms": round(median_p95(100_000, "deep"), 2),
        "api_checks_list_p95_ratio_1m_vs_100k": round(median_p95(1_000_000, "first", "deep") / p95_100k, 3),
        "api_healthz_p95_ms": round(p95(floor["healthz"]), 2),
    }


if __name__ == "__main__":
    print(run())

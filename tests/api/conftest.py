"""Control API fixtures: seeded checks with real evidence files, the app in-process, and the API as a process."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from api.main import create_app
from core import subscriptions as crud
from core.checks import EvidenceFile, record_failure, record_observation
from core.db import transaction
from core.settings import Settings
from core.slots import Observation, SeenSlot
from launch.farm import start_redis
from launch.processes import PYTHON, ProcessGroup, free_port

TOKEN = "op-" + secrets.token_urlsafe(24)
SERVICE, OFFICE, OTHER_OFFICE = 1063475, 10489, 10492


def png(colour: tuple[int, int, int], *, size: tuple[int, int] = (1280, 1600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def evidence_file(root: Path, name: str, kind: str, data: bytes, content_type: str) -> EvidenceFile:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return EvidenceFile(kind, str(path), content_type, hashlib.sha256(data).hexdigest(), len(data))


def subscribe(sessions: sessionmaker[Session], *, user_id: int, office_id: int = OFFICE) -> int:
    """A user's subscription to SERVICE at ``office_id``; returns the target id."""
    with transaction(sessions) as session:
        subscription = crud.create_subscription(session, user_id=user_id, service_id=SERVICE, office_ids=[office_id])
        return subscription.targets[0].id


def record_finding(
    sessions: sessionmaker[Session],
    evidence_dir: Path,
    *,
    target_id: int,
    hour: int = 9,
    colour: tuple[int, int, int] = (30, 120, 200),
    started_at: dt.datetime | None = None,
    screenshot: bool = True,
) -> int:
    """A check that found one slot, with a screenshot and the raw answer; alerts go to the target's subscribers."""
    day = dt.date(2030, 3, 4)
    slot = SeenSlot(dt.datetime.combine(day, dt.time(hour), dt.UTC), OFFICE)
    raw = json.dumps({"availableDays": [{"time": day.isoformat(), "providerIDs": str(OFFICE)}]}).encode()
    stem = secrets.token_hex(6)
    files = [evidence_file(evidence_dir, f"{stem}-raw.json", "raw_json", raw, "application/json")]
    if screenshot:
        files.append(evidence_file(evidence_dir, f"{stem}-shot.png", "screenshot", png(colour), "image/png"))
    with transaction(sessions) as session:
        check, _, _ = record_observation(
            session,
            target_id=target_id,
            task_id=None,
            started_at=started_at or dt.datetime.now(dt.UTC),
            observation=Observation(frozenset({slot}), frozenset({slot.office_day}), frozenset({slot.office_day})),
            request_url="http://portal.test/available-calendar/",
            worker="worker@test:1",
            evidence=tuple(files),
        )
        return check.id


def record_error(sessions: sessionmaker[Session], evidence_dir: Path, *, target_id: int) -> int:
    shot = evidence_file(evidence_dir, f"{secrets.token_hex(6)}-err.png", "screenshot", png((220, 140, 0)), "image/png")
    with transaction(sessions) as session:
        return record_failure(
            session,
            target_id=target_id,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            error="portal answered 503",
            worker="worker@test:2",
            evidence=(shot,),
        ).id


def api_settings(database_url: str, redis_url: str, evidence_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": redis_url,
        "evidence_dir": evidence_dir,
        "api_token": SecretStr(TOKEN),
        "portal_api_url": "http://127.0.0.1:9/buergeransicht/api/citizen",
        "api_url": "http://testserver",  # where the in-process clients reach the app: links are made on it
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]  # pydantic-settings init arg


@pytest.fixture
def evidence_dir(tmp_path: Path) -> Path:
    return tmp_path / "evidence"


@pytest.fixture
def make_client(database_url: str, redis_url: str, evidence_dir: Path) -> Callable[..., httpx.AsyncClient]:
    """The app in-process behind an httpx client (use it in ``async with``); settings overridable per call."""

    def make(**overrides: Any) -> httpx.AsyncClient:
        app = create_app(api_settings(database_url, overrides.pop("redis_url", redis_url), evidence_dir, **overrides))
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    return make


@pytest.fixture
async def client(make_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as client:
        yield client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class LiveApi:
    url: str
    group: ProcessGroup

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", headers=AUTH, timeout=10, **kwargs)


def start_api(group: ProcessGroup, env: dict[str, str], *, name: str = "api") -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"MTA_API_URL": url, **env}
    group.start(name, [PYTHON, "-m", "api", "--port", str(port)], env=env, ready_url=f"{url}/healthz")
    return url


def api_env(database_url: str, redis_url: str, evidence_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "MTA_DATABASE_URL": database_url,
        "MTA_REDIS_URL": redis_url,
        "MTA_EVIDENCE_DIR": str(evidence_dir),
        "MTA_API_TOKEN": TOKEN,
        "MTA_DEMO": "0",
        **extra,
    }


@pytest.fixture
def process_group(tmp_path: Path) -> Iterator[ProcessGroup]:
    group = ProcessGroup(tmp_path / "logs")
    yield group
    group.stop_all()


@pytest.fixture
def private_redis_url(process_group: ProcessGroup) -> str:
    """A redis-server of this test's own: no other test run can flush it underneath."""
    return start_redis(process_group)

"""Shared fixtures: real Redis and PostgreSQL on this machine, a migrated database per test."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_sessionmaker
from core.migrate import upgrade
from tests.city import DLDB, city_dldb

REPO = Path(__file__).resolve().parents[1]
REDIS_SERVER = os.environ.get("MTA_TEST_REDIS", "redis://127.0.0.1:6379")
POSTGRES_SERVER = os.environ.get("MTA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
_redis_dbs = itertools.cycle(range(1, 16))


@pytest.fixture
def city_catalogue() -> Path:
    """For tests that need the breadth of the city's catalogue (searches that match many services, …): skipped
    with the reason where the city's DLDB export is absent."""
    return city_dldb()


@pytest.fixture
def dldb() -> Path | None:
    """The catalogue the replica serves: the city's DLDB export where present, else its built-in sample."""
    return DLDB


@pytest.fixture
def redis_url() -> str:
    """A Redis database of its own for this test, emptied first."""
    url = f"{REDIS_SERVER}/{next(_redis_dbs)}"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'mta.db'}"
    upgrade(url)
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, dropped afterwards."""
    name = f"mta_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    upgrade(url)
    yield url
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)

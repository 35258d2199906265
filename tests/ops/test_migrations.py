"""Migrations: empty database to head and back on SQLite and PostgreSQL; models and migrations agree."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from core.db import make_engine
from core.migrate import alembic_config
from core.models import Base
from tests.conftest import POSTGRES_SERVER


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    name = f"mta_ops_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://{POSTGRES_SERVER.split('://', 1)[1]}/{name}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"empty_{request.param}")
    return url


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_one_line_of_revisions() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migrations branch: heads {heads}; merge them (alembic merge heads)"


def test_upgrade_from_empty_to_head_and_back(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    assert tables(empty_database) == set(Base.metadata.tables)
    command.downgrade(config, "base")
    assert tables(empty_database) == set()
    command.upgrade(config, "head")  # and the downgrades left nothing behind that blocks a second run
    assert tables(empty_database) == set(Base.metadata.tables)


def test_models_and_migrations_agree(empty_database: str) -> None:
    """What ``alembic revision --autogenerate`` would write after ``upgrade head``: nothing."""
    command.upgrade(alembic_config(empty_database), "head")
    engine = make_engine(empty_database)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], "the models changed without a migration: run `alembic revision --autogenerate -m ...`"

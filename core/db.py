"""Engine and sessions. SQLite is the embedded default, PostgreSQL by URL; both behave alike here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

# Connections an API process keeps for reads: as many as requests it serves at once under load, so none is
# opened and closed per request (SQLAlchemy's default keeps 5 and discards the overflow after each use).
READER_POOL_SIZE = 20


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL and a busy timeout so several processes can share it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    _sqlite_folder(parsed)
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_reader(url: str) -> AsyncEngine:
    """An asyncio engine for reads on the same database: psycopg's async side for PostgreSQL, aiosqlite for SQLite.

    The control API reads its hottest pages through it, with no worker thread per request; the synchronous
    functions of ``core`` run on it unchanged through ``AsyncConnection.run_sync``. It runs in autocommit: a
    read needs no BEGIN and ROLLBACK round trips, and each statement of a page stands on its own.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_folder(parsed)
        engine = create_async_engine(
            parsed.set(drivername="sqlite+aiosqlite"), connect_args={"timeout": 30}, isolation_level="AUTOCOMMIT"
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"MTA_DATABASE_URL: SQLite or PostgreSQL, not {parsed.get_backend_name()}")
    return create_async_engine(
        parsed.set(drivername="postgresql+psycopg"),
        pool_pre_ping=True,
        pool_size=READER_POOL_SIZE,
        isolation_level="AUTOCOMMIT",
    )


def _sqlite_folder(parsed: URL) -> None:
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back on error."""
    with factory.begin() as session:
        yield session

"""The bot under test: the real PTB application built by ``bot.main``, polling a local Bot API server.

The portal's catalogue comes from the portal replica (the city's DLDB files), served in a thread for the
whole session; the database is a migrated SQLite file per test; Redis a database of its own per test.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application

from bot.main import ALLOWED_UPDATES, build_application, running
from core.db import make_engine, make_sessionmaker
from core.settings import Settings
from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig as PortalConfig
from telegram_replica.config import ReplicaConfig
from telegram_replica.server import ReplicaServer, run_server
from tests.bot.helpers import TOKEN, Chat
from tests.city import DLDB


@contextlib.contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """Serve an ASGI app on a free loopback port until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "the portal replica did not start"
        assert time.monotonic() < deadline, "the portal replica did not start in time"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def portal_api() -> Iterator[str]:
    """The citizen API of a portal replica (the city's catalogue where present, else the built-in sample)."""
    app = create_app(PortalConfig(dldb_path=DLDB, rate_limit_enabled=False))
    with serve_in_thread(app) as url:
        yield f"{url}/buergeransicht/api/citizen"


@pytest.fixture
def telegram() -> Iterator[ReplicaServer]:
    with run_server(ReplicaConfig(token=TOKEN)) as server:
        yield server


@pytest.fixture
def settings(sqlite_url: str, redis_url: str, portal_api: str, telegram: ReplicaServer) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=sqlite_url,
        redis_url=redis_url,
        portal_api_url=portal_api,
        telegram_token=TOKEN,  # type: ignore[arg-type]
        telegram_base_url=telegram.base_url,
        telegram_base_file_url=telegram.base_file_url,
        telegram_send_rate=200.0,
        command_rate_limit=1000,
    )


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@contextlib.asynccontextmanager
async def polling(application: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """What ``run_polling`` does, without taking over the event loop."""
    async with running(application):
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        try:
            yield application
        finally:
            await application.updater.stop()


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with polling(build_application(settings)) as application:
        yield application


@pytest.fixture
async def anna(telegram: ReplicaServer, bot: Application) -> Chat:  # type: ignore[type-arg]
    """A user whose Telegram speaks English."""
    return Chat(telegram, 4711, language_code="en")


@pytest.fixture
async def bernd(telegram: ReplicaServer, bot: Application) -> Chat:  # type: ignore[type-arg]
    """A user whose Telegram speaks German."""
    return Chat(telegram, 4812, language_code="de")

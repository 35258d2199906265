"""The control service's ASGI app: ``uvicorn --factory api.main:app`` or ``python -m api``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import require_safe_token
from api.errors import unprocessable
from api.farm_metrics import FarmState
from api.guesses import Guesses
from api.limits import BodyLimit
from api.pages import HERE
from api.routes import checks, evidence, farm, health, me, review, subscriptions, targets
from api.routes.health import Exposition
from core import metrics
from core.catalogue import catalogue_for
from core.db import make_engine, make_reader, make_sessionmaker
from core.links import signing_key
from core.logs import configure_logging
from core.migrate import require_current
from core.settings import Settings, get_settings

DESCRIPTION = """\
The control service of MTA (Munich Termin Automator): what the browsers saw, and whether the farm is healthy.

Operator endpoints take `Authorization: Bearer <MTA_API_TOKEN>` (401 without, 403 with a wrong one).
Evidence URLs in responses are signed and expire; they work without credentials. A Telegram user reaches only
their own data under `/me/<token>`, a link the bot signs. The review pages live under `/review`.
"""


class LatencyMetrics:
    """Observes every request's latency by method, route template and status (pure ASGI, no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"referrer-policy", b"no-referrer"))
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            metrics.HTTP_SECONDS.labels(scope["method"], route, str(status)).observe(time.perf_counter() - started)


def create_app(settings: Settings) -> FastAPI:
    require_safe_token(settings)
    engine = make_engine(settings.database_url)
    require_current(engine)
    reads = make_reader(settings.database_url)
    client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        client.close()
        engine.dispose()
        await reads.dispose()

    # The docs' Swagger UI and ReDoc come from a package, not a CDN: no third-party script on the operator's origin.
    app = FastAPIOffline(title="MTA control API", version="0.2.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.reads = reads
    app.state.redis = client
    app.state.link_key = signing_key(settings.api_token)
    app.state.guesses = Guesses(client)
    app.state.catalogue = catalogue_for(settings, client)
    app.state.farm_state = FarmState(client=client, sessions=app.state.sessions, settings=settings)
    app.state.exposition = Exposition(lambda: metrics.render(app.state.farm_state))
    for router in (health, targets, checks, evidence, subscriptions, farm, me, review):
        app.include_router(router.router)
    app.add_exception_handler(RequestValidationError, unprocessable)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if settings.api_cors_origins:  # closed unless the operator names the origins
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api_cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit)
    app.add_middleware(LatencyMetrics)
    return app


def app() -> FastAPI:
    """Factory for ``uvicorn --factory api.main:app`` (also in each server process ``--workers`` starts)."""
    settings = get_settings()
    configure_logging(settings, process="api", level=settings.log_level)
    return create_app(settings)

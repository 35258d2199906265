"""The control service's ASGI app: ``uvicorn api.main:app`` or ``python -m api``."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from api.routes import checks, health, subscriptions
from core import metrics
from core.catalogue import CachedCatalogue
from core.db import make_engine, make_sessionmaker
from core.migrate import require_current
from core.settings import Settings, get_settings


def create_app(settings: Settings) -> FastAPI:
    engine = make_engine(settings.database_url)
    require_current(engine)
    app = FastAPI(title="MTA control API", version="0.1.0")
    app.state.settings = settings
    app.state.sessions = make_sessionmaker(engine)
    app.state.catalogue = CachedCatalogue(
        settings.portal_api_url,
        ttl=settings.catalogue_ttl_s,
        user_agent=f"MTA/0.1 (+{settings.operator_contact})",
    )
    app.include_router(health.router)
    app.include_router(subscriptions.router)
    app.include_router(checks.router)

    @app.middleware("http")
    async def observe_latency(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        metrics.HTTP_SECONDS.labels(
            request.method, getattr(route, "path", "unmatched"), str(response.status_code)
        ).observe(time.perf_counter() - started)
        return response

    return app


def app() -> FastAPI:
    """Factory for ``uvicorn --factory api.main:app``."""
    return create_app(get_settings())

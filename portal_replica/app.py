"""``create_app``: the replica as one FastAPI application (citizen API, booking page, admin routes)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import admin, page
from .config import ReplicaConfig
from .errors import error_response
from .gate import API_PREFIX, handle_api
from .replica import Replica

ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]


def create_app(config: ReplicaConfig | None = None, replica: Replica | None = None) -> FastAPI:
    """Build the app; the scenario state is ``app.state.replica`` (pass one in to share it).

    CORS preflights are answered by the middleware before the API (they are neither logged nor counted).
    """
    app = FastAPI(title="MTA portal replica", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.replica = replica or Replica(config)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=app.state.replica.config.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Accept"],
        expose_headers=["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    )
    app.include_router(admin.router)
    app.include_router(page.router)
    app.mount(page.STATIC_URL, StaticFiles(directory=page.STATIC_DIR), name="static")
    app.add_api_route(API_PREFIX + "{rest:path}", handle_api, methods=ALL_METHODS, include_in_schema=False)

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        """Unknown paths and methods get the city's catch-all ``notFound`` body."""
        if exc.status_code in (404, 405):
            return error_response("notFound")
        return error_response("invalidRequest") if exc.status_code < 500 else error_response("unknownError")

    return app

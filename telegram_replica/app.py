"""The ASGI app: Bot API routes plus control routes, serving one ``Replica``."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from telegram_replica import control, routes
from telegram_replica.replica import Replica
from telegram_replica.webhook import push_updates


def create_app(replica: Replica) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pusher = asyncio.create_task(push_updates(replica))
        try:
            yield
        finally:
            replica.updates.close()  # long polls return now instead of holding up the shutdown
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher

    app = FastAPI(title="Telegram Bot API replica", lifespan=lifespan, openapi_url=None)
    app.state.replica = replica
    app.include_router(control.router)
    app.include_router(routes.router)
    return app

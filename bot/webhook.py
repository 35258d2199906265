"""Webhook mode: Telegram posts each update to our URL with the secret token, checked on every post.

PTB's own webhook server needs tornado; this is PTB's custom-webhook pattern on what MTA already runs
(Starlette + uvicorn): a route that verifies ``X-Telegram-Bot-Api-Secret-Token`` and puts the update on the
application's queue, so handlers see exactly what long polling would give them.
"""

from __future__ import annotations

import hmac
import re
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from core.settings import Settings

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 -- the header's name, not a secret
GOOD_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")  # what Telegram accepts, and long enough not to be guessed


def webhook_app(application: Application, *, path: str, secret: str) -> Starlette:  # type: ignore[type-arg]
    """One route at ``path``: 403 without the right secret, 400 for a body that is no update, else queued."""

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, KeyError, TypeError):  # not JSON, or not an update
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    return Starlette(routes=[Route(path, receive, methods=["POST"])])


def webhook_server(application: Application, settings: Settings) -> uvicorn.Server:  # type: ignore[type-arg]
    """The server for ``MTA_TELEGRAM_WEBHOOK_URL``'s path on the listen address and port; refuses to run unguarded."""
    if not settings.telegram_webhook_url or settings.telegram_webhook_secret is None:
        raise SystemExit("webhook mode needs MTA_TELEGRAM_WEBHOOK_URL and MTA_TELEGRAM_WEBHOOK_SECRET")
    secret = settings.telegram_webhook_secret.get_secret_value()
    if not GOOD_SECRET.fullmatch(secret):  # an empty secret would let anyone post updates
        raise SystemExit("MTA_TELEGRAM_WEBHOOK_SECRET must be 16 to 256 of the characters A-Z a-z 0-9 _ -")
    path = urlsplit(settings.telegram_webhook_url).path or "/"
    app = webhook_app(application, path=path, secret=secret)
    config = uvicorn.Config(
        app,
        host=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        log_level="warning",
        log_config=None,  # uvicorn's loggers write through core.logs (JSON)
    )
    return uvicorn.Server(config)


async def set_webhook(application: Application, settings: Settings, *, allowed_updates: list[str]) -> None:  # type: ignore[type-arg]
    """Tell Telegram where to post and which secret to send along."""
    assert settings.telegram_webhook_url is not None
    assert settings.telegram_webhook_secret is not None
    await application.bot.set_webhook(
        settings.telegram_webhook_url,
        secret_token=settings.telegram_webhook_secret.get_secret_value(),
        allowed_updates=allowed_updates,
    )

"""Webhook mode: Telegram's posts carry the secret token; a post without it is refused and changes nothing."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pydantic import SecretStr

from bot.main import build_application, serve_webhook
from bot.webhook import SECRET_HEADER, webhook_server
from core.settings import Settings
from launch.processes import free_port
from telegram_replica.replica import wait_for
from telegram_replica.server import ReplicaServer
from tests.bot.helpers import Chat, text_of

SECRET = "s3cret-Token_for-tests"
MALLORY = {"id": 666, "is_bot": False, "first_name": "M"}
FORGED = {
    "update_id": 999,
    "message": {"message_id": 1, "date": 0, "chat": {"id": 666, "type": "private"}, "from": MALLORY, "text": "/help"},
}


async def test_updates_arrive_by_webhook_and_forged_posts_are_refused(
    telegram: ReplicaServer, settings: Settings
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = settings.model_copy(
        update={
            "telegram_webhook_url": url,
            "telegram_webhook_secret": SecretStr(SECRET),
            "telegram_webhook_port": port,
        }
    )
    application = build_application(settings)
    server = webhook_server(application, settings)
    serving = asyncio.create_task(serve_webhook(application, server, settings))
    try:
        await wait_for(lambda: server.started and bool(telegram.calls("setWebhook", ok=True)), timeout=10)
        [hook] = telegram.calls("setWebhook")
        assert (hook.params["url"], hook.params["secret_token"]) == (url, SECRET)

        anna = Chat(telegram, 4711, language_code="en")
        [reply] = await anna.send("/help")
        assert text_of(anna.screen(reply)).startswith("/watch:")

        async with httpx.AsyncClient() as client:
            without = await client.post(url, json=FORGED)
            wrong = await client.post(url, json=FORGED, headers={SECRET_HEADER: "guess"})
            garbage = await client.post(url, content=b"{", headers={SECRET_HEADER: SECRET})
        assert (without.status_code, wrong.status_code, garbage.status_code) == (403, 403, 400)
        await anna.send("/help")  # handled after anything that came before it
        assert telegram.calls("sendMessage", 666) == []
    finally:
        server.should_exit = True
        await serving


def test_webhook_mode_refuses_to_run_without_a_secret(settings: Settings) -> None:
    settings = settings.model_copy(update={"telegram_webhook_url": "https://bot.example/hook"})
    with pytest.raises(SystemExit, match="MTA_TELEGRAM_WEBHOOK_SECRET"):
        webhook_server(build_application(settings), settings)


@pytest.mark.parametrize("secret", ["", "short", "sixteen chars!!!"])
def test_webhook_mode_refuses_an_empty_or_weak_secret(settings: Settings, secret: str) -> None:
    update = {"telegram_webhook_url": "https://bot.example/hook", "telegram_webhook_secret": SecretStr(secret)}
    settings = settings.model_copy(update=update)
    with pytest.raises(SystemExit, match="16 to 256"):
        webhook_server(build_application(settings), settings)

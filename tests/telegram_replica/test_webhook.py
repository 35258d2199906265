"""Webhook mode: the replica pushes updates to the bot's URL with the secret-token header, retrying failures."""

import json
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from telegram import Bot, Update

from telegram_replica.replica import wait_for
from telegram_replica.server import ReplicaServer


class Receiver(ThreadingHTTPServer):
    """The bot's webhook endpoint: fails the first ``failures`` posts, records the rest."""

    def __init__(self, failures: int) -> None:
        super().__init__(("127.0.0.1", 0), Hook)
        self.failures = failures
        self.received: list[tuple[str | None, dict[str, object]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Hook(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.failures > 0:
            self.server.failures -= 1
            self.send_response(500)
        else:
            self.server.received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), body))
            self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_updates_are_pushed_with_the_secret_and_failures_retried(
    server: ReplicaServer, receiver: Receiver, token: str
) -> None:
    secret = secrets.token_urlsafe(8)
    async with Bot(token, base_url=server.base_url) as bot:
        await bot.set_webhook(receiver.url, secret_token=secret)
        server.send_text(42, "/start")
        server.send_text(42, "/help")

        await wait_for(lambda: len(receiver.received) == 2, timeout=5)
        info = await bot.get_webhook_info()
        updates = [Update.de_json(body, bot) for _, body in receiver.received]

    assert [secret for secret, _ in receiver.received] == [secret, secret]
    assert [u.message.text for u in updates] == ["/start", "/help"]  # in order, the failed one first
    assert info.pending_update_count == 0
    assert "500" in (info.last_error_message or "")

"""The replica as a separate process, driven through its control routes with TelegramReplicaClient."""

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from telegram_replica.client import TelegramReplicaClient

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def client(token: str) -> Iterator[TelegramReplicaClient]:
    port = free_port()
    argv = [sys.executable, "-m", "telegram_replica", "--port", str(port), "--token", token]
    process = subprocess.Popen(argv, cwd=REPO)
    try:
        with TelegramReplicaClient(f"http://127.0.0.1:{port}") as replica:
            replica.wait_until_ready(timeout=20)
            yield replica
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_test_can_drive_the_replica_process(client: TelegramReplicaClient, token: str) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Stop", callback_data="stop")]])
    async with Bot(token, base_url=client.base_url, base_file_url=client.base_file_url) as bot:
        client.send_text(42, "/start", first_name="Anna")
        [update] = await bot.get_updates(timeout=2)
        sent = await bot.send_message(42, "Watching", reply_markup=keyboard)
        await bot.send_photo(42, b"\x89PNG fake", caption="slot")
        client.press_button(42, sent.message_id, "stop")
        [press] = await bot.get_updates(offset=update.update_id + 1, timeout=2)
        client.configure(blocked_chats=[43])
        with pytest.raises(Forbidden):
            await bot.send_message(43, "hi")

    assert update.message.text == "/start"
    assert update.message.entities[0].type == "bot_command"
    assert press.callback_query.data == "stop"
    [reply] = client.wait_for_calls("sendMessage", chat_id=42)
    assert reply.reply_markup == {"inline_keyboard": [[{"text": "Stop", "callback_data": "stop"}]]}
    assert client.calls("sendPhoto")[0].files[0].data == b"\x89PNG fake"
    assert client.message(42, sent.message_id)["text"] == "Watching"
    assert client.stats()["deliveries"] == {"42": 2}
    assert [c.status for c in client.calls(chat_id=43)] == [403]

    client.reset()
    assert client.calls() == []
    with pytest.raises(TimeoutError):
        client.wait_for_calls("sendMessage", timeout=0.2)

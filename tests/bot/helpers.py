"""Talking to the bot as a user would, through the local Bot API server, and reading what it answered."""

from __future__ import annotations

from typing import Any

from telegram_replica.records import Call
from telegram_replica.server import ReplicaServer

TOKEN = "123456:BOT-TEST-TOKEN"
WOHNSITZ, RUPPERT, PASING = 1063475, 10489, 54261
FAMILY = "Wohnsitzanmeldung \N{EN DASH} Familie"  # the one service whose name holds this text


class Chat:
    """One private chat with the bot; every action waits for the bot's answers to it."""

    def __init__(self, server: ReplicaServer, chat_id: int, *, language_code: str) -> None:
        self.server = server
        self.id = chat_id
        self.language_code = language_code
        self._seen = 0
        self._answers_seen = 0

    async def send(self, text: str, *, answers: int = 1) -> list[Call]:
        """Write ``text``; returns the bot's next ``answers`` calls to this chat (messages, edits, photos)."""
        self.server.send_text(self.id, text, user_id=self.id, language_code=self.language_code)
        return await self.answers(answers)

    async def press(self, message_id: int, data: str, *, answers: int = 1) -> list[Call]:
        """Press the button with callback ``data`` under a message; the query must be answered too."""
        self.server.press_button(self.id, message_id, data, user_id=self.id, language_code=self.language_code)
        self._answers_seen += 1
        await self.server.wait_for_calls_async("answerCallbackQuery", count=self._answers_seen, timeout=10)
        return await self.answers(answers)

    async def answers(self, count: int) -> list[Call]:
        calls = await self.server.wait_for_calls_async(None, self.id, count=self._seen + count, timeout=10)
        new, self._seen = calls[self._seen :], len(calls)
        return new

    def callback_answers(self) -> list[Call]:
        return self.server.calls("answerCallbackQuery", ok=True)

    def screen(self, call: Call) -> dict[str, Any]:
        """The message a call sent or edited, as the user sees it now."""
        message = self.server.message(self.id, message_id(call))
        assert message is not None, f"message of {call.method} is gone"
        return message


def message_id(call: Call) -> int:
    if call.method in ("sendMessage", "sendPhoto"):
        return int(call.result["message_id"])
    return int(call.params["message_id"])


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Label → callback data (or URL) of every inline button under a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data") or b.get("url") for row in rows for b in row}

"""A typed client for the control routes, for tests that run the replica as a separate process.

client = TelegramReplicaClient("http://127.0.0.1:8801")
client.wait_until_ready()
client.send_text(42, "/start")
[reply] = client.wait_for_calls("sendMessage", chat_id=42)
"""

import json
import time
from types import TracebackType
from typing import Any, Self

import httpx
from pydantic import TypeAdapter

from telegram_replica.config import ReplicaConfig
from telegram_replica.records import Call

_CALLS = TypeAdapter(list[Call])
ChatId = int | str


class TelegramReplicaClient:
    def __init__(self, base: str, *, timeout: float = 10.0) -> None:
        self.base = base.rstrip("/")
        self._http = httpx.Client(base_url=f"{self.base}/__control__", timeout=timeout)

    @property
    def base_url(self) -> str:
        return f"{self.base}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.base}/file/bot"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def wait_until_ready(self, timeout: float = 10.0) -> None:
        """Poll ``/health`` until the process answers (it was just started)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._http.get("/health").is_success:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"telegram replica at {self.base} not ready after {timeout} s")
            time.sleep(0.05)

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str = "en",
        first_name: str = "Test",
    ) -> int:
        body = {
            "chat_id": chat_id,
            "text": text,
            "user_id": user_id,
            "language_code": language_code,
            "first_name": first_name,
        }
        return int(self._post("/updates/message", body)["update_id"])

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        callback_data: str,
        *,
        user_id: int | None = None,
        language_code: str = "en",
        first_name: str = "Test",
    ) -> int:
        body = {
            "chat_id": chat_id,
            "message_id": message_id,
            "callback_data": callback_data,
            "user_id": user_id,
            "language_code": language_code,
            "first_name": first_name,
        }
        return int(self._post("/updates/callback", body)["update_id"])

    def fail_next(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer 502 Bad Gateway."""
        self._post("/fail", {"method": method, "times": times})

    def block_chat(self, chat_id: int, *, notify: bool = True) -> int | None:
        update_id = self._post("/updates/block", {"chat_id": chat_id, "notify": notify})["update_id"]
        return None if update_id is None else int(update_id)

    def unblock_chat(self, chat_id: int) -> None:
        self._post("/updates/unblock", {"chat_id": chat_id})

    def inject_update(self, payload: dict[str, Any]) -> int:
        return int(self._post("/updates/raw", payload)["update_id"])

    def user_updates(self, chat_id: ChatId | None = None) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._get("/updates", chat_id=chat_id)
        return result

    def calls(self, method: str | None = None, chat_id: ChatId | None = None, *, ok: bool | None = None) -> list[Call]:
        return _CALLS.validate_python(self._get("/calls", method=method, chat_id=chat_id, ok=ok))

    def wait_for_calls(
        self, method: str | None = None, chat_id: ChatId | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[Call]:
        """The successful matching calls once there are ``count``; ``TimeoutError`` otherwise."""
        params = {"method": method, "chat_id": chat_id, "count": count, "timeout": timeout}
        response = self._http.get("/calls/wait", params=_query(params), timeout=timeout + 5)
        if response.status_code == 408:
            raise TimeoutError(response.json()["detail"])
        response.raise_for_status()
        return _CALLS.validate_python(response.json())

    def said(self, chat_id: ChatId, prefix: str) -> list[Call]:
        """The successful messages and photos to the chat whose text or caption starts with ``prefix``."""
        sent = self.calls("sendMessage", chat_id, ok=True) + self.calls("sendPhoto", chat_id, ok=True)
        return sorted((c for c in sent if _said(c).startswith(prefix)), key=lambda c: c.time)

    def wait_for_said(self, chat_id: ChatId, prefix: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """``said`` once it holds ``count`` calls; ``TimeoutError`` otherwise."""
        deadline = time.monotonic() + timeout
        while len(found := self.said(chat_id, prefix)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} x {prefix!r} to {chat_id}: got {len(found)}")
            time.sleep(0.1)
        return found

    def replies_to(self, chat_id: ChatId, message_id: int) -> list[Call]:
        """The successful calls that answered the chat's message ``message_id``."""
        return [c for c in self.calls(None, chat_id, ok=True) if _reply_to(c) == message_id]

    def message(self, chat_id: ChatId, message_id: int) -> dict[str, Any] | None:
        response = self._http.get(f"/messages/{chat_id}/{message_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        message: dict[str, Any] = response.json()
        return message

    def stats(self) -> dict[str, Any]:
        """``deliveries`` and ``rate_limited`` per chat (keys are strings), ``rate_limited_total``, …"""
        result: dict[str, Any] = self._get("/stats")
        return result

    def reset(self) -> None:
        self._post("/reset", None)

    def config(self) -> ReplicaConfig:
        return ReplicaConfig.model_validate(self._get("/config"))

    def configure(self, **changes: Any) -> ReplicaConfig:
        """Change some settings, e.g. ``configure(global_limit={"count": 30, "period": 1})``."""
        response = self._http.patch("/config", json=changes)
        response.raise_for_status()
        return ReplicaConfig.model_validate(response.json())

    def _get(self, path: str, **params: Any) -> Any:
        response = self._http.get(path, params=_query(params))
        response.raise_for_status()
        return response.json()

    def _post(self, path: str, body: Any) -> Any:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()


def _reply_to(call: Call) -> int | None:
    """The message a call answers: ``reply_parameters`` (a JSON object, or its text in a form) or the older
    ``reply_to_message_id``."""
    given = call.params.get("reply_parameters")
    if isinstance(given, str):
        given = json.loads(given)
    found = given.get("message_id") if isinstance(given, dict) else call.params.get("reply_to_message_id")
    return int(found) if found is not None else None


def _said(call: Call) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


def _query(params: dict[str, Any]) -> dict[str, str]:
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items() if v is not None}

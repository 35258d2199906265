"""The simulated Telegram: chats, the bot's messages, stored files, recorded calls and the users' side.

One ``Replica`` is shared by the HTTP routes (server thread) and the test (its own thread or event loop),
so every piece of state is guarded by one lock; ``wait_for_calls`` waits on a condition of that lock, and
``wait_for_calls_async`` on an event each new call sets (no polling: a waiting test costs nothing beside the bot).
"""

import asyncio
import itertools
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram_replica import objects
from telegram_replica.config import ReplicaConfig
from telegram_replica.errors import bad_request
from telegram_replica.ratelimit import FloodControl
from telegram_replica.records import Call
from telegram_replica.updates import UpdateQueue
from telegram_replica.wakeups import Wakeups

JSON = dict[str, Any]
ChatId = int | str


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    content_type: str | None


@dataclass(frozen=True)
class Webhook:
    url: str
    secret_token: str | None


class Replica:
    """Everything the fake Telegram knows; the test-facing API simulates users and reads the records."""

    def __init__(self, config: ReplicaConfig | None = None) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self._calls_made = Wakeups(self.lock)
        self.updates = UpdateQueue()
        self._config = config or ReplicaConfig()
        self.reset()

    # -- configuration -----------------------------------------------------------------------------------

    @property
    def config(self) -> ReplicaConfig:
        return self._config

    def configure(self, config: ReplicaConfig | None = None, **changes: Any) -> ReplicaConfig:
        """Replace the configuration (or change some fields); restarts the flood-control windows."""
        with self.lock:
            base = config or self._config
            self._config = ReplicaConfig.model_validate({**base.model_dump(), **changes})
            self.flood = FloodControl(
                global_limit=self._config.global_limit, per_chat_limit=self._config.per_chat_limit
            )
            return self._config

    def reset(self) -> None:
        """Forget calls, messages, files, updates and counters; the configuration stays."""
        with self.lock:
            self._calls: list[Call] = []
            self._user_updates: list[JSON] = []
            self._users: dict[ChatId, JSON] = {}
            self._messages: dict[tuple[ChatId, int], JSON] = {}
            self._next_message_id: dict[ChatId, itertools.count[int]] = {}
            self.files: dict[str, StoredFile] = {}
            self.webhook: Webhook | None = None
            self.webhook_error: tuple[int, str] | None = None
            self.commands: dict[str, list[JSON]] = {}
            self.menu_buttons: dict[ChatId | None, JSON] = {}
            self.deliveries: Counter[ChatId] = Counter()
            self.rate_limited: Counter[ChatId] = Counter()
            self.failing: Counter[str] = Counter()  # method -> how many of its next calls answer 502
            self.updates.clear()
            self.configure()
            self._changed.notify_all()

    @property
    def bot(self) -> JSON:
        """The bot's own User; its id is the token's prefix as with real tokens."""
        token = self._config.token or ""
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 1_000_001
        return objects.bot_user(
            bot_id=bot_id, first_name=self._config.bot_first_name, username=self._config.bot_username
        )

    # -- simulating users --------------------------------------------------------------------------------

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        language_code: str = "en",
        first_name: str = "Test",
    ) -> int:
        """A user writes ``text`` to the bot (commands get their ``bot_command`` entity); the update_id."""
        with self.lock:
            user = self._remember_user(chat_id, user_id, first_name, language_code)
            message: JSON = {
                "message_id": self._take_message_id(chat_id),
                "from": user,
                "chat": self.chat(chat_id),
                "date": int(time.time()),
                "text": text,
            }
            if entities := objects.command_entities(text):
                message["entities"] = entities
            return self._push_user_update({"message": message})

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
        """A user presses the inline button with ``callback_data`` under a bot message; the update_id.

        Raises ``LookupError`` if the bot never sent that message or it has no such button, which is
        what a test usually wants to hear about.
        """
        with self.lock:
            message = self.message(chat_id, message_id)
            if message is None:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            if callback_data not in _callback_data(message):
                raise LookupError(f"message {message_id} has no button with callback_data {callback_data!r}")
            query = {
                "id": str(secrets.randbits(62)),
                "from": self._remember_user(chat_id, user_id, first_name, language_code),
                "message": message,
                "chat_instance": str(abs(hash(chat_id))),
                "data": callback_data,
            }
            return self._push_user_update({"callback_query": query})

    def fail_next(self, method: str, times: int) -> None:
        """The next ``times`` calls of ``method`` answer 502 Bad Gateway, as Telegram does in a hiccup."""
        with self.lock:
            self.failing[method] = times

    def block_chat(self, chat_id: int, *, notify: bool = True) -> int | None:
        """The user blocks the bot: sends answer 403 from now on; ``notify`` queues the my_chat_member."""
        with self.lock:
            self.configure(blocked_chats=self._config.blocked_chats | {chat_id})
            if not notify:
                return None
            user = self._users.get(chat_id) or objects.human_user(
                user_id=chat_id, first_name="Test", language_code="en"
            )
            change = {
                "chat": self.chat(chat_id),
                "from": user,
                "date": int(time.time()),
                "old_chat_member": {"user": self.bot, "status": "member"},
                "new_chat_member": {"user": self.bot, "status": "kicked", "until_date": 0},
            }
            return self._push_user_update({"my_chat_member": change})

    def unblock_chat(self, chat_id: int) -> None:
        with self.lock:
            self.configure(blocked_chats=self._config.blocked_chats - {chat_id})

    # -- reading the records -----------------------------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: ChatId | None = None, *, ok: bool | None = None) -> list[Call]:
        """Recorded calls in order, filtered by method (any case), chat and success."""
        with self.lock:
            return [c for c in self._calls if _matches(c, method, chat_id, ok)]

    def user_updates(self, chat_id: ChatId | None = None) -> list[JSON]:
        """Every update the simulated users caused (messages, button presses, blocks), in order."""
        with self.lock:
            return [u for u in self._user_updates if chat_id is None or _update_chat(u) == chat_id]

    def message(self, chat_id: ChatId, message_id: int) -> JSON | None:
        """The bot's message as it looks now (after edits), ``None`` if never sent or deleted."""
        with self.lock:
            return self._messages.get((chat_id, message_id))

    def wait_for_calls(
        self, method: str | None = None, chat_id: ChatId | None = None, count: int = 1, timeout: float = 5.0
    ) -> list[Call]:
        """Block until at least ``count`` successful matching calls were made; returns them all.

        For threads only: inside the event loop that runs the bot, use ``await wait_for_calls_async``.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.calls(method, chat_id, ok=True)) >= count, timeout):
                raise TimeoutError(self._missing(method, chat_id, count))
            return self.calls(method, chat_id, ok=True)

    async def wait_for_calls_async(
        self,
        method: str | None = None,
        chat_id: ChatId | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 -- same signature as the sync wait_for_calls
    ) -> list[Call]:
        """Like ``wait_for_calls`` without blocking the event loop the bot runs in; woken by each new call."""

        def ready() -> list[Call] | None:
            found = self.calls(method, chat_id, ok=True)
            return found if len(found) >= count else None

        if (found := await self._calls_made.until(ready, timeout)) is None:
            raise TimeoutError(self._missing(method, chat_id, count))
        return found

    def _missing(self, method: str | None, chat_id: ChatId | None, count: int) -> str:
        return f"{count} x {method or 'any'} to {chat_id}: got {self.calls(method, chat_id)}"

    # -- used by the Bot API methods ---------------------------------------------------------------------

    def record(self, call: Call) -> None:
        with self.lock:
            self._calls.append(call)
            self._changed.notify_all()
        self._calls_made.wake()

    def chat(self, chat_id: ChatId) -> JSON:
        user = self._users.get(chat_id)
        return objects.chat(chat_id, first_name=user["first_name"] if user else None)

    def post_message(self, chat_id: ChatId, content: JSON) -> JSON:
        """Store a message the bot sends (text/photo/... in ``content``) and return it as Telegram would."""
        with self.lock:
            message = {
                "message_id": self._take_message_id(chat_id),
                "from": self.bot,
                "chat": self.chat(chat_id),
                "date": int(time.time()),
                **content,
            }
            self._messages[(chat_id, message["message_id"])] = message
            self.deliveries[chat_id] += 1
            return message

    def edit_message(self, chat_id: ChatId, message_id: int, change: Callable[[JSON], JSON]) -> JSON:
        """Apply ``change`` to a copy of the stored message; Telegram refuses edits that change nothing."""
        with self.lock:
            old = self._messages.get((chat_id, message_id))
            if old is None:
                raise bad_request("message to edit not found")
            new = change(dict(old))
            if new == old:
                raise bad_request(
                    "message is not modified: specified new message content and reply markup are exactly "
                    "the same as a current content and reply markup of the message"
                )
            new["edit_date"] = int(time.time())
            self._messages[(chat_id, message_id)] = new
            return new

    def delete_message(self, chat_id: ChatId, message_id: int) -> None:
        with self.lock:
            if self._messages.pop((chat_id, message_id), None) is None:
                raise bad_request("message to delete not found")

    def store_file(self, data: bytes, *, content_type: str | None, folder: str, suffix: str) -> StoredFile:
        file_id, unique_id = objects.new_file_ids()
        stored = StoredFile(file_id, unique_id, f"{folder}/file_{len(self.files)}{suffix}", data, content_type)
        with self.lock:
            self.files[file_id] = stored
        return stored

    def _take_message_id(self, chat_id: ChatId) -> int:
        return next(self._next_message_id.setdefault(chat_id, itertools.count(1)))

    def _remember_user(self, chat_id: int, user_id: int | None, first_name: str, language_code: str) -> JSON:
        user = objects.human_user(user_id=user_id or chat_id, first_name=first_name, language_code=language_code)
        self._users.setdefault(chat_id, user)
        return user

    def _push_user_update(self, payload: JSON) -> int:
        update_id = self.updates.push(payload)
        self._user_updates.append({"update_id": update_id, **payload})
        return update_id


async def wait_for(
    predicate: Callable[[], bool],
    timeout: float = 5.0,  # noqa: ASYNC109 -- a deadline for a polled predicate, not one awaitable
    interval: float = 0.01,
) -> None:
    """Poll ``predicate`` without blocking the loop; ``TimeoutError`` if still false after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


def _matches(call: Call, method: str | None, chat_id: ChatId | None, ok: bool | None) -> bool:
    return (
        (method is None or call.method.lower() == method.lower())
        and (chat_id is None or call.chat_id == chat_id)
        and (ok is None or call.ok == ok)
    )


def _callback_data(message: JSON) -> set[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["callback_data"] for row in rows for button in row if "callback_data" in button}


def _update_chat(update: JSON) -> Any:
    if "message" in update:
        return update["message"]["chat"]["id"]
    if "callback_query" in update:
        return update["callback_query"]["message"]["chat"]["id"]
    if "my_chat_member" in update:
        return update["my_chat_member"]["chat"]["id"]
    return None

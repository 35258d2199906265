"""A Bot API call's parameters, read from a query string, JSON, form-urlencoded or multipart body.

python-telegram-bot sends form fields whose non-string values are JSON-encoded (``reply_markup``,
``chat_id`` …), so those are decoded back; free-text fields are kept exactly as sent.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from telegram_replica.errors import bad_request
from telegram_replica.records import UploadedFile

# Fields whose value is text even when it looks like JSON ("123", "true").
_TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "photo",
        "document",
        "file_id",
        "inline_message_id",
        "action",
        "language_code",
        "query",
        "description",
        "short_description",
        "name",
        "message_effect_id",
        "business_connection_id",
        "ip_address",
    }
)


@dataclass(frozen=True)
class Params:
    values: dict[str, Any]
    files: dict[str, UploadedFile] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def string(self, key: str) -> str | None:
        value = self.values.get(key)
        return None if value is None else str(value)

    def chat_id(self) -> int | str:
        """The target chat as Telegram resolves it: an int id, or an ``@username`` string."""
        value = self.values.get("chat_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lstrip("-").isdigit():
            return int(value)
        if isinstance(value, str) and value.startswith("@"):
            return value
        raise bad_request("chat not found")

    def text(self, key: str, label: str, *, limit: int) -> str:
        value = self.string(key) or ""
        if not value.strip():
            raise bad_request(f"{label} is empty")
        if len(value) > limit:
            raise bad_request(f"{label} is too long")
        return value

    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.values.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup


def decode(key: str, value: str) -> Any:
    if key in _TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: Request) -> Params:
    values: dict[str, Any] = {key: decode(key, value) for key, value in request.query_params.items()}
    files: dict[str, UploadedFile] = {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict):
                raise bad_request("JSON object expected")
            # JSON bodies may also carry objects as JSON strings ("reply_markup": "{…}").
            values.update({k: decode(k, v) if isinstance(v, str) else v for k, v in parsed.items()})
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        async with request.form(max_part_size=16 * 1024 * 1024) as form:
            for key, item in form.multi_items():
                if isinstance(item, UploadFile):
                    data = await item.read()
                    files[key] = UploadedFile(
                        field=key, filename=item.filename, content_type=item.content_type, data=data
                    )
                else:
                    values[key] = decode(key, item)
    return Params(values=values, files=files)

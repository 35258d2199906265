"""Builders for the JSON objects the Bot API returns and sends (User, Chat, Message, PhotoSize, Update)."""

import re
import secrets
from typing import Any

JSON = dict[str, Any]

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?")


def bot_user(*, bot_id: int, first_name: str, username: str) -> JSON:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": first_name,
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
    }


def human_user(*, user_id: int, first_name: str, language_code: str) -> JSON:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}


def chat(chat_id: int | str, *, first_name: str | None = None) -> JSON:
    """Positive ids are private chats with a user, negative ones supergroups, like Telegram's."""
    if isinstance(chat_id, int) and chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name or f"User {chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}


def full_chat(basic: JSON) -> JSON:
    """``getChat`` answers a ChatFullInfo, which has a few required fields beyond Chat."""
    gifts = (
        "unlimited_gifts",
        "limited_gifts",
        "unique_gifts",
        "premium_subscription",
        "gifts_from_channels",
    )
    return {
        **basic,
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": dict.fromkeys(gifts, False),
    }


def command_entities(text: str) -> list[JSON]:
    """A leading ``/command`` is marked as a ``bot_command`` entity, which is what CommandHandler reads."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def utf16_len(text: str) -> int:
    """Telegram counts entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def new_file_ids() -> tuple[str, str]:
    """A ``file_id`` and ``file_unique_id`` that look like Telegram's (opaque, url-safe)."""
    return "AgAC" + secrets.token_urlsafe(36), "AQAD" + secrets.token_urlsafe(9)


def photo_sizes(*, file_id: str, unique_id: str, width: int, height: int, file_size: int) -> list[JSON]:
    """Telegram stores a thumbnail plus the (at most 1280 px) original; both share the upload."""
    sizes: list[JSON] = []
    for index, longest in enumerate((90, 320, 800, 1280)):
        scale = min(1.0, longest / max(width, height, 1))
        w, h = max(1, round(width * scale)), max(1, round(height * scale))
        if sizes and (w, h) == (sizes[-1]["width"], sizes[-1]["height"]):
            continue
        size = max(1, round(file_size * scale * scale))
        sizes.append(
            {
                "file_id": f"{file_id}-{index}",
                "file_unique_id": f"{unique_id}{index}",
                "width": w,
                "height": h,
                "file_size": size,
            }
        )
    sizes[-1]["file_id"], sizes[-1]["file_unique_id"] = file_id, unique_id
    return sizes

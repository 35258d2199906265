"""The Bot API methods the replica implements, each a plain function of the replica and the call's params.

``getUpdates`` is not here: it waits, so the route handles it on the event loop (see ``dispatch.py``).
"""

from collections.abc import Callable
from typing import Any

from telegram_replica import objects
from telegram_replica.errors import bad_request
from telegram_replica.params import Params
from telegram_replica.replica import JSON, Replica, Webhook
from telegram_replica.sending import inline_markup, send_document, send_message, send_photo

Method = Callable[[Replica, Params], Any]


def get_me(replica: Replica, params: Params) -> JSON:
    return replica.bot


def ok(replica: Replica, params: Params) -> bool:
    """Methods whose only effect a test cares about is that they were called (recorded)."""
    return True


def set_webhook(replica: Replica, params: Params) -> bool:
    url = params.string("url")
    if not url:
        return delete_webhook(replica, params)
    if not url.startswith("https://") and not url.startswith("http://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    with replica.lock:
        replica.webhook = Webhook(url=url, secret_token=params.string("secret_token"))
        replica.webhook_error = None
        if params.get("drop_pending_updates"):
            replica.updates.clear()
    return True


def delete_webhook(replica: Replica, params: Params) -> bool:
    with replica.lock:
        replica.webhook = None
        if params.get("drop_pending_updates"):
            replica.updates.clear()
    return True


def get_webhook_info(replica: Replica, params: Params) -> JSON:
    webhook, error = replica.webhook, replica.webhook_error
    info: JSON = {
        "url": webhook.url if webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(replica.updates.pending()),
    }
    if webhook and error:
        info["last_error_date"], info["last_error_message"] = error
    return info


def _commands_key(params: Params) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type')}:{scope.get('chat_id', '')}:{params.string('language_code') or ''}"


def set_my_commands(replica: Replica, params: Params) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    with replica.lock:
        replica.commands[_commands_key(params)] = commands
    return True


def get_my_commands(replica: Replica, params: Params) -> list[JSON]:
    with replica.lock:
        return replica.commands.get(_commands_key(params), [])


def delete_my_commands(replica: Replica, params: Params) -> bool:
    with replica.lock:
        replica.commands.pop(_commands_key(params), None)
    return True


def _target(params: Params) -> tuple[Any, int]:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not simulated by the replica")
    message_id = params.get("message_id")
    if not isinstance(message_id, int):
        raise bad_request("message identifier is not specified")
    return params.chat_id(), message_id


def edit_message_text(replica: Replica, params: Params) -> JSON:
    chat_id, message_id = _target(params)
    text = params.text("text", "message text", limit=4096)

    def change(message: JSON) -> JSON:
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        message.pop("entities", None)
        return {**message, "text": text, **inline_markup(params)}

    return replica.edit_message(chat_id, message_id, lambda m: _without_markup(change(m), params))


def edit_message_caption(replica: Replica, params: Params) -> JSON:
    chat_id, message_id = _target(params)
    caption = params.string("caption") or ""
    if len(caption) > 1024:
        raise bad_request("message caption is too long")

    def change(message: JSON) -> JSON:
        message.pop("caption", None)
        return {**message, **({"caption": caption} if caption else {}), **inline_markup(params)}

    return replica.edit_message(chat_id, message_id, lambda m: _without_markup(change(m), params))


def edit_message_reply_markup(replica: Replica, params: Params) -> JSON:
    chat_id, message_id = _target(params)
    return replica.edit_message(chat_id, message_id, lambda m: _without_markup({**m, **inline_markup(params)}, params))


def _without_markup(message: JSON, params: Params) -> JSON:
    """An edit without ``reply_markup`` removes the inline keyboard, as on Telegram."""
    if not inline_markup(params):
        message.pop("reply_markup", None)
    return message


def delete_message(replica: Replica, params: Params) -> bool:
    chat_id, message_id = _target(params)
    replica.delete_message(chat_id, message_id)
    return True


def answer_callback_query(replica: Replica, params: Params) -> bool:
    if not params.string("callback_query_id"):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    return True


def get_chat(replica: Replica, params: Params) -> JSON:
    with replica.lock:
        return objects.full_chat(replica.chat(params.chat_id()))


def get_file(replica: Replica, params: Params) -> JSON:
    file_id = params.string("file_id") or ""
    stored = replica.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


def set_chat_menu_button(replica: Replica, params: Params) -> bool:
    with replica.lock:
        replica.menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
    return True


def get_chat_menu_button(replica: Replica, params: Params) -> JSON:
    with replica.lock:
        button: JSON = replica.menu_buttons.get(params.get("chat_id"), {"type": "default"})
        return button


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "logOut": ok,
    "close": ok,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": ok,
    "setMyShortDescription": ok,
    "setMyName": ok,
    "sendMessage": send_message,
    "sendPhoto": send_photo,
    "sendDocument": send_document,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": ok,
    "getChat": get_chat,
    "getFile": get_file,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
}

# Methods that put a message in front of a user: blocked chats refuse them and flood control counts them.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)

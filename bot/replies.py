"""Speaking to one user in their language: the stored choice, else Telegram's ``language_code``."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.context import deps_of
from bot.texts import language_of, text
from core import subscriptions as crud

LANGUAGE = "language"  # user_data key: the language once looked up


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The user's language, looked up in the database once per process and then kept in ``user_data``."""
    data = context.user_data if context.user_data is not None else {}
    if LANGUAGE not in data:
        user = update.effective_user
        stored = await deps_of(context).db(lambda s: crud.user_language(s, user_id=user.id)) if user else None
        data[LANGUAGE] = stored or language_of(user.language_code if user else None)
    chosen: str = data[LANGUAGE]
    return chosen


def remember_language(context: ContextTypes.DEFAULT_TYPE, chosen: str) -> None:
    if context.user_data is not None:
        context.user_data[LANGUAGE] = chosen


async def say(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    key: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    **values: object,
) -> Message:
    """Send the text ``key`` to the chat the update came from."""
    assert update.effective_chat is not None
    body = text(await language(update, context), key, **values)
    return await context.bot.send_message(update.effective_chat.id, body, reply_markup=keyboard)


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    body: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the message whose button was pressed by ``body``; a new message if there is none to edit."""
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_text(body, reply_markup=keyboard)
    else:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, body, reply_markup=keyboard)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str | None = None, **values: object) -> None:
    """Answer the pressed button (stops the client's spinner), with a short toast when ``key`` is given."""
    query = update.callback_query
    if query is None:
        return
    toast = text(await language(update, context), key, **values) if key else None
    await query.answer(toast)

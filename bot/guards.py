"""Checks every update passes before any handler sees it: private chats only, the allowlist, a rate limit."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.context import deps_of
from bot.replies import LANGUAGE
from bot.texts import language_of, text


def rate_key(user_id: int) -> str:
    return f"mta:bot:rate:{user_id}"


async def admit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run first (group -1); stops the update with ``ApplicationHandlerStop`` unless it may pass."""
    if update.my_chat_member is not None:
        return  # Telegram's note that the user blocked or restarted the bot: always heard
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != chat.PRIVATE:
        raise ApplicationHandlerStop
    settings = deps_of(context).settings
    count = await _count(context, user.id, window_s=settings.command_rate_window_s)
    if count > settings.command_rate_limit:
        if count == settings.command_rate_limit + 1 or update.callback_query is not None:
            await _refuse(update, context, "slow_down")
        raise ApplicationHandlerStop
    if settings.telegram_allowed_users and user.id not in settings.telegram_allowed_users:
        await _refuse(update, context, "not_allowed")
        raise ApplicationHandlerStop


async def _count(context: ContextTypes.DEFAULT_TYPE, user_id: int, *, window_s: int) -> int:
    """Updates from ``user_id`` in the current window, this one included (a fixed window kept in Redis)."""
    async with deps_of(context).redis.pipeline(transaction=True) as pipe:
        pipe.set(rate_key(user_id), 0, ex=window_s, nx=True)
        pipe.incr(rate_key(user_id))
        _, count = await pipe.execute()
    return int(count)


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """Say no in the user's language, without touching the database for someone who may not pass."""
    cached = context.user_data.get(LANGUAGE) if context.user_data is not None else None
    lang = cached or language_of(update.effective_user.language_code if update.effective_user else None)
    if update.callback_query is not None:
        await update.callback_query.answer(text(lang, key))
    elif update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, text(lang, key))

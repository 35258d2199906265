"""What answers when nothing else does: unknown commands, stray text, old buttons, and errors."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.replies import answer, say

log = logging.getLogger(__name__)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, "unknown_command")


async def unexpected_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, "unexpected_text")


async def nothing_to_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, "nothing_to_cancel")


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of a finished conversation, or of a message from before a restart."""
    await answer(update, context, "stale_button")


async def error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every handler error; tell the user something went wrong (their data is as it was)."""
    if isinstance(context.error, BadRequest) and "not modified" in context.error.message:
        return  # the same button pressed twice: the message already shows it
    log.error("update %s failed", getattr(update, "update_id", None), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await say(update, context, "error")

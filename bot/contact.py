"""/contact: the user's own name, e-mail and optional phone for bookings, asked once in a short conversation.

Each answer is checked as the portal checks it (``core.contacts``), so a typo is caught here and not when a
slot is being booked. A tap on "Book" without contact data starts the same questions; once the data are
saved, that booking goes ahead. The steps join the /watch conversation (``subscribe.conversation``).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import booking, keyboards
from bot.context import deps_of
from bot.replies import answer, language, say
from bot.texts import text
from core.bookings import slot_gone
from core.contacts import ContactData, InvalidContact, get_contact, save_contact, valid_email, valid_name, valid_phone

NAME, EMAIL, PHONE = "contact:name", "contact:email", "contact:phone"
END = ConversationHandler.END
DRAFT, PENDING = "contact", "pending_slot"  # user_data keys: the answers so far, the slot to book afterwards
Handlers = list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, Any]]


def describe(language: str, contact: ContactData | None) -> str:
    if contact is None:
        return text(language, "contact_none")
    phone = text(language, "contact_phone", phone=contact.phone) if contact.phone else ""
    return text(language, "contact_line", name=contact.name, email=contact.email, phone=phone)


def _data(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    assert context.user_data is not None
    return context.user_data


def _typed(update: Update) -> str:
    return (update.message.text or "").strip() if update.message else ""


async def _stored(update: Update, context: ContextTypes.DEFAULT_TYPE) -> ContactData | None:
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    return await deps_of(context).db(lambda s: get_contact(s, user_id=chat_id))


async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """/contact: what is stored, then the questions anew."""
    _data(context).pop(PENDING, None)
    lang, stored = await language(update, context), await _stored(update, context)
    intro = text(lang, "contact_intro")
    if stored is not None:
        intro += "\n\n" + text(lang, "contact_current", contact=describe(lang, stored))
    return await _ask_name(update, context, intro)


async def book_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """A Book button under an alert: book at once, or ask for the contact data first."""
    await answer(update, context)
    data = update.callback_query.data if update.callback_query else None
    slot_id = int((data or "book:0").rsplit(":", 1)[-1])
    if await _stored(update, context) is not None or await deps_of(context).db(lambda s: slot_gone(s, slot_id=slot_id)):
        await booking.book(update, context, slot_id)  # books, or says at once that the time is gone
        return None  # a conversation in progress (a /watch) goes on
    _data(context)[PENDING] = slot_id
    return await _ask_name(update, context, text(await language(update, context), "contact_first"))


async def _ask_name(update: Update, context: ContextTypes.DEFAULT_TYPE, intro: str) -> str:
    _data(context)[DRAFT] = {}
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, intro + "\n\n" + text(await language(update, context), "ask_name")
    )
    return NAME


async def type_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    try:
        _data(context).setdefault(DRAFT, {})["name"] = valid_name(_typed(update))
    except InvalidContact:
        await say(update, context, "invalid_name")
        return NAME
    await say(update, context, "ask_email")
    return EMAIL


async def type_email(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    typed = _typed(update)
    try:
        _data(context).setdefault(DRAFT, {})["email"] = valid_email(typed)
    except InvalidContact:
        await say(update, context, "invalid_email", text=typed)
        return EMAIL
    await say(update, context, "ask_phone", keyboard=keyboards.skip_phone(await language(update, context)))
    return PHONE


async def type_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    typed = _typed(update)
    try:
        phone = valid_phone(typed)
    except InvalidContact:
        await say(update, context, "invalid_phone", text=typed)
        return PHONE
    return await _save(update, context, phone)


async def skip_phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    return await _save(update, context, None)


async def _save(update: Update, context: ContextTypes.DEFAULT_TYPE, phone: str | None) -> int:
    """Store the answers; then book the slot whose Book button started the questions, if one did."""
    draft = _data(context).pop(DRAFT, {})
    if "name" not in draft or "email" not in draft:
        await say(update, context, "stale_button")
        return END
    assert update.effective_chat is not None
    chat_id, lang = update.effective_chat.id, await language(update, context)
    data = ContactData(draft["name"], draft["email"], phone)
    saved = await deps_of(context).db(lambda s: save_contact(s, user_id=chat_id, data=data, language=lang))
    await say(update, context, "contact_saved", contact=describe(lang, saved))
    if (slot_id := _data(context).pop(PENDING, None)) is not None:
        await booking.book(update, context, slot_id)
    return END


def entry_points() -> Handlers:
    return [CommandHandler("contact", contact), CallbackQueryHandler(book_tap, pattern=r"^book:\d+$")]


def states() -> dict[object, Handlers]:
    typed = filters.TEXT & ~filters.COMMAND
    return {
        NAME: [MessageHandler(typed, type_name)],
        EMAIL: [MessageHandler(typed, type_email)],
        PHONE: [MessageHandler(typed, type_phone), CallbackQueryHandler(skip_phone, pattern="^contact:skip$")],
    }

"""The user's own matters: welcome and help, language, what is stored about them, forgetting it, blocking."""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.ext import ContextTypes

from bot import booking, contact, formats, keyboards
from bot.context import deps_of
from bot.replies import answer, language, remember_language, say, show
from bot.texts import LANGUAGES, text
from core import subscriptions as crud
from core.catalogue import CatalogueError
from core.links import user_link
from core.personal_data import PersonalData, forget_user, personal_data


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await language(update, context)
    await show(update, context, text(lang, "start") + "\n\n" + text(lang, "help"))


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(update, context, "help")


async def set_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language de|en; without an argument, buttons to choose."""
    args = context.args or []
    if not args:
        await say(update, context, "language_usage", keyboard=keyboards.languages())
        return
    if len(args) != 1 or args[0].lower() not in LANGUAGES:
        await say(update, context, "language_usage")
        return
    await _switch(update, context, args[0].lower())


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A Deutsch / English button."""
    assert update.callback_query is not None
    await answer(update, context)
    await _switch(update, context, (update.callback_query.data or "").removeprefix("lang:"))


async def _switch(update: Update, context: ContextTypes.DEFAULT_TYPE, chosen: str) -> None:
    assert update.effective_chat is not None
    assert chosen in LANGUAGES
    chat_id = update.effective_chat.id
    await deps_of(context).db(lambda s: crud.set_language(s, user_id=chat_id, language=chosen))
    remember_language(context, chosen)
    await show(update, context, text(chosen, "language_set"))


async def my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mydata: everything stored about the user, as stored."""
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    data = await deps_of(context).db(lambda s: personal_data(s, user_id=chat_id))
    if data is None:
        await say(update, context, "mydata_none")
        return
    lang, settings = await language(update, context), deps_of(context).settings
    link = text(lang, "mydata_link", minutes=settings.user_link_ttl_s // 60, link=user_link(settings, user_id=chat_id))
    await show(update, context, text(lang, "mydata", **await _personal_values(update, context, data)) + "\n\n" + link)


async def _personal_values(update: Update, context: ContextTypes.DEFAULT_TYPE, data: PersonalData) -> dict[str, object]:
    lang, today = await language(update, context), formats.today_in_munich()
    try:
        catalogue = await deps_of(context).portal_catalogue()
    except CatalogueError:
        catalogue = None
    subscriptions = [formats.subscription(lang, view, catalogue, today=today) for view in data.subscriptions]
    return {
        "id": data.user_id,
        "language": data.language,
        "active": text(lang, "alerts_on" if data.active else "alerts_off"),
        "created": formats.moment(lang, data.created_at),
        "alerts": data.alerts_sent,
        "last": formats.moment(lang, data.last_alert_at) if data.last_alert_at else text(lang, "never"),
        "subscriptions": "\n\n".join(subscriptions) or text(lang, "mydata_no_subscriptions"),
        "contact": contact.describe(lang, data.contact),
        "bookings": "\n\n".join(booking.describe(lang, b, catalogue) for b in data.bookings)
        or text(lang, "mydata_no_subscriptions"),
    }


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: asks first; the buttons decide."""
    await say(update, context, "forget_confirm", keyboard=keyboards.forget(await language(update, context)))


async def confirm_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Yes deletes the user and everything hanging off them, and what this process remembers of them."""
    assert update.callback_query is not None
    assert update.effective_chat is not None
    await answer(update, context)
    lang = await language(update, context)
    if update.callback_query.data != "forget:yes":
        await show(update, context, text(lang, "forget_kept"))
        return
    chat_id = update.effective_chat.id
    await deps_of(context).db(lambda s: forget_user(s, user_id=chat_id))
    if update.effective_user is not None:
        context.application.drop_user_data(update.effective_user.id)
    await show(update, context, text(lang, "forgotten"))


async def blocked_or_unblocked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Telegram tells us when a user blocks the bot (no more alerts) or starts it again (alerts resume)."""
    change = update.my_chat_member
    if change is None:
        return
    active = change.new_chat_member.status not in (ChatMember.BANNED, ChatMember.LEFT)
    chat_id = change.chat.id
    await deps_of(context).db(lambda s: crud.set_user_active(s, user_id=chat_id, active=active))

"""/list with a message per subscription and its Pause / Resume / Delete / Book automatically buttons; /unwatch."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import formats, keyboards
from bot.context import deps_of
from bot.replies import answer, language, say, show
from bot.texts import text
from core import subscriptions as crud
from core.catalogue import Catalogue, CatalogueError
from core.contacts import get_contact
from core.models import Subscription


async def _catalogue(context: ContextTypes.DEFAULT_TYPE) -> Catalogue | None:
    """Names are nice to have here: ids stand in while the catalogue cannot be read."""
    try:
        return await deps_of(context).portal_catalogue()
    except CatalogueError:
        return None


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    views = await deps.db(lambda s: crud.subscription_views(s, user_id=chat_id))
    if not views:
        await say(update, context, "list_empty")
        return
    lang, catalogue, today = await language(update, context), await _catalogue(context), formats.today_in_munich()
    await say(update, context, "list_header", count=len(views), limit=deps.settings.max_subscriptions_per_user)
    for view in views:
        body = formats.subscription(lang, view, catalogue, today=today)
        await context.bot.send_message(
            chat_id,
            body,
            reply_markup=keyboards.subscription(lang, view.id, active=view.active, auto_book=view.auto_book),
        )


async def pause_or_resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The Pause or Resume button under a subscription: flip it and redraw that message."""
    assert update.callback_query is not None
    assert update.effective_chat is not None
    _, action, number = (update.callback_query.data or "").split(":")
    chat_id, subscription_id, active = update.effective_chat.id, int(number), action == "resume"
    view = await deps_of(context).db(
        lambda s: _view(
            crud.set_subscription_active(s, subscription_id=subscription_id, user_id=chat_id, active=active)
        )
    )
    if view is None:
        await answer(update, context, "no_such_subscription", id=subscription_id)
        return
    await answer(update, context, "resumed" if active else "paused")
    lang = await language(update, context)
    body = formats.subscription(lang, view, await _catalogue(context), today=formats.today_in_munich())
    await show(update, context, body, keyboard=_keyboard(lang, view))


def _keyboard(language: str, view: crud.SubscriptionView) -> InlineKeyboardMarkup:
    return keyboards.subscription(language, view.id, active=view.active, auto_book=view.auto_book)


async def auto_book(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "Book automatically" button under a subscription: on (with contact data only) or off."""
    assert update.callback_query is not None
    assert update.effective_chat is not None
    _, _, choice, number = (update.callback_query.data or "").split(":")
    chat_id, subscription_id, on = update.effective_chat.id, int(number), choice == "on"
    deps = deps_of(context)
    if on and await deps.db(lambda s: get_contact(s, user_id=chat_id)) is None:
        await answer(update, context)
        await say(update, context, "auto_needs_contact")
        return
    view = await deps.db(
        lambda s: _view(crud.set_auto_book(s, subscription_id=subscription_id, user_id=chat_id, auto_book=on))
    )
    if view is None:
        await answer(update, context, "no_such_subscription", id=subscription_id)
        return
    await answer(update, context, "auto_on" if on else "auto_off")
    lang = await language(update, context)
    body = formats.subscription(lang, view, await _catalogue(context), today=formats.today_in_munich())
    await show(update, context, body, keyboard=_keyboard(lang, view))


def _view(subscription: Subscription | None) -> crud.SubscriptionView | None:
    return crud.view_of(subscription) if subscription is not None else None


async def delete(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The Delete button under a subscription."""
    assert update.callback_query is not None
    assert update.effective_chat is not None
    subscription_id = int((update.callback_query.data or "").rsplit(":", 1)[-1])
    chat_id = update.effective_chat.id
    if not await deps_of(context).db(
        lambda s: crud.delete_subscription(s, subscription_id=subscription_id, user_id=chat_id)
    ):
        await answer(update, context, "no_such_subscription", id=subscription_id)
        return
    await answer(update, context)
    await show(update, context, text(await language(update, context), "deleted", id=subscription_id))


async def unwatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unwatch <number>: delete without the buttons."""
    args = context.args or []
    number = args[0].lstrip("#") if len(args) == 1 else ""
    if not (number.isascii() and number.isdigit()):  # "²" is a digit to isdigit, not to int
        await say(update, context, "unwatch_usage")
        return
    subscription_id = int(number)
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    deleted = await deps_of(context).db(
        lambda s: crud.delete_subscription(s, subscription_id=subscription_id, user_id=chat_id)
    )
    await say(update, context, "unwatched" if deleted else "no_such_subscription", id=subscription_id)

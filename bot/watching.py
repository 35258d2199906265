"""Subscribing, shared by the conversation and the ``/watch <service> <office>`` shortcut."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import formats
from bot.context import deps_of
from bot.replies import language, say, show
from bot.texts import text
from core import subscriptions as crud
from core.catalogue import Catalogue, CatalogueError, Office, Service


async def at_limit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the user holds as many subscriptions as allowed; if so, they are told."""
    deps = deps_of(context)
    assert update.effective_chat is not None
    chat_id, limit = update.effective_chat.id, deps.settings.max_subscriptions_per_user
    if await deps.db(lambda s: crud.count_subscriptions(s, user_id=chat_id)) < limit:
        return False
    await say(update, context, "too_many_subscriptions", limit=limit)
    return True


async def catalogue_or_apology(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Catalogue | None:
    """The portal's catalogue, or ``None`` after telling the user it cannot be read."""
    try:
        return await deps_of(context).portal_catalogue()
    except CatalogueError:
        await say(update, context, "catalogue_down")
        return None


def watching_text(language: str, catalogue: Catalogue | None, view: crud.SubscriptionView) -> str:
    return text(
        language,
        "watching",
        service=formats.service_name(catalogue, view.service_id),
        offices=formats.office_names(catalogue, view.office_ids),
        id=view.id,
        filters=formats.filters(language, view.filters),
    )


def find_service(catalogue: Catalogue, query: str) -> Service | str:
    """The one service ``query`` names (an id, a unique part or an exact name), or the text key saying why not."""
    found = catalogue.find_services(query)
    if len(found) == 1:
        return found[0]
    exact = [s for s in found if s.name.casefold() == query.casefold()]
    return exact[0] if len(exact) == 1 else ("ambiguous_service" if found else "unknown_service")


def find_office(catalogue: Catalogue, service: Service, query: str) -> Office | None:
    offices = catalogue.offices_for(service.id)
    if query.isascii() and query.isdigit():  # "²" is a digit to isdigit, not to int
        return next((o for o in offices if o.id == int(query)), None)
    matches = [o for o in offices if query.casefold() in o.name.casefold()]
    return matches[0] if len(matches) == 1 else None


async def watch_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/watch <service> <office>``: subscribe at once, without filters."""
    args = context.args or []
    if len(args) < 2:
        await say(update, context, "watch_usage")
        return
    if await at_limit(update, context) or (catalogue := await catalogue_or_apology(update, context)) is None:
        return
    service_query, office_query = " ".join(args[:-1]), args[-1]
    service = find_service(catalogue, service_query)
    if isinstance(service, str):
        names = ", ".join(s.name for s in catalogue.find_services(service_query)[:5])
        await say(update, context, service, query=service_query, names=names)
        return
    office = find_office(catalogue, service, office_query)
    if office is None:
        await say(update, context, "unknown_office", query=office_query, service=service.name)
        return
    body = await subscribe(
        update, context, catalogue, service_id=service.id, office_ids=[office.id], filters=crud.Filters()
    )
    await show(update, context, body)


async def subscribe(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    catalogue: Catalogue,
    *,
    service_id: int,
    office_ids: list[int],
    filters: crud.Filters,
) -> str:
    """Store the subscription; returns the confirmation to show."""
    assert update.effective_chat is not None
    chat_id, lang = update.effective_chat.id, await language(update, context)
    view = await deps_of(context).db(
        lambda s: crud.view_of(
            crud.create_subscription(
                s, user_id=chat_id, service_id=service_id, office_ids=office_ids, filters=filters, language=lang
            )
        )
    )
    return watching_text(lang, catalogue, view)

"""Command handlers, named for what the user wants."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from telegram import Update
from telegram.ext import ContextTypes

from bot.context import deps_of
from bot.texts import language_of, text
from core import subscriptions as crud
from core.catalogue import Catalogue, CatalogueError, Office, Service
from core.db import transaction
from core.models import Check, User, subscription_targets
from core.portal_state import breaker_state_key, decode_state, portal_name


def _language(update: Update) -> str:
    user = update.effective_user
    return language_of(user.language_code if user else None)


async def _reply(update: Update, key: str, **values: object) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(text(_language(update), key, **values))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, "start")


def _find_service(catalogue: Catalogue, query: str) -> Service | str:
    found = catalogue.find_services(query)
    if len(found) == 1:
        return found[0]
    exact = [s for s in found if s.name.casefold() == query.casefold()]
    return exact[0] if len(exact) == 1 else ("ambiguous_service" if found else "unknown_service")


def _find_office(catalogue: Catalogue, service: Service, query: str) -> Office | None:
    offices = catalogue.offices_for(service.id)
    if query.isdigit():
        return next((o for o in offices if o.id == int(query)), None)
    matches = [o for o in offices if query.casefold() in o.name.casefold()]
    return matches[0] if len(matches) == 1 else None


async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    args = context.args or []
    if len(args) < 2:
        await _reply(update, "watch_usage")
        return
    try:
        catalogue = await asyncio.to_thread(deps.catalogue.get)
    except CatalogueError:
        await _reply(update, "catalogue_down")
        return
    service_query, office_query = " ".join(args[:-1]), args[-1]
    service = _find_service(catalogue, service_query)
    if isinstance(service, str):
        names = ", ".join(s.name for s in catalogue.find_services(service_query)[:5])
        await _reply(update, service, query=service_query, names=names)
        return
    office = _find_office(catalogue, service, office_query)
    if office is None:
        await _reply(update, "unknown_office", query=office_query, service=service.name)
        return
    assert update.effective_chat is not None
    chat_id, language = update.effective_chat.id, _language(update)

    def subscribe() -> int:
        with transaction(deps.sessions) as session:
            return crud.create_subscription(
                session, user_id=chat_id, service_id=service.id, office_ids=[office.id], language=language
            ).id

    subscription_id = await asyncio.to_thread(subscribe)
    await _reply(update, "watching", service=service.name, office=office.name, id=subscription_id)


async def list_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id

    def load() -> list[tuple[int, int, list[int], bool]]:
        with transaction(deps.sessions) as session:
            return [
                (s.id, s.service_id, [t.office_id for t in s.targets], s.active)
                for s in crud.list_subscriptions(session, user_id=chat_id)
            ]

    rows = await asyncio.to_thread(load)
    if not rows:
        await _reply(update, "list_empty")
        return
    catalogue = await asyncio.to_thread(deps.catalogue.get)
    language = _language(update)
    lines = [
        text(
            language,
            "list_item",
            id=sid,
            service=catalogue.services[service_id].name if service_id in catalogue.services else service_id,
            offices=", ".join(catalogue.offices[o].name if o in catalogue.offices else str(o) for o in offices),
            paused="" if active else text(language, "paused"),
        )
        for sid, service_id, offices, active in rows
    ]
    assert update.effective_message is not None
    await update.effective_message.reply_text("\n".join(lines))


async def unwatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    args = context.args or []
    if len(args) != 1 or not args[0].lstrip("#").isdigit():
        await _reply(update, "unwatch_usage")
        return
    subscription_id = int(args[0].lstrip("#"))
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id

    def delete() -> bool:
        with transaction(deps.sessions) as session:
            return crud.delete_subscription(session, subscription_id=subscription_id, user_id=chat_id)

    key = "unwatched" if await asyncio.to_thread(delete) else "no_such_subscription"
    await _reply(update, key, id=subscription_id)


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    deps = deps_of(context)
    assert update.effective_chat is not None
    chat_id = update.effective_chat.id
    language = _language(update)

    def last_check() -> str:
        with transaction(deps.sessions) as session:
            user = session.get(User, chat_id)
            target_ids = select(subscription_targets.c.target_id).where(
                subscription_targets.c.subscription_id.in_([s.id for s in user.subscriptions] if user else [])
            )
            when = session.scalar(select(func.max(Check.finished_at)).where(Check.target_id.in_(target_ids)))
        return when.strftime("%Y-%m-%d %H:%M:%S UTC") if when else text(language, "never")

    portal = portal_name(deps.settings.portal_api_url)
    state = decode_state(await deps.redis.get(breaker_state_key(portal)))
    await _reply(
        update,
        "status",
        breaker=text(language, f"breaker_{state}"),
        last=await asyncio.to_thread(last_check),
        interval=deps.settings.check_interval_s,
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _reply(update, "unknown_command")

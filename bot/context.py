"""What the bot's handlers share: settings, database sessions, Redis and the portal catalogue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis.asyncio as aioredis
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application, ContextTypes

from core.catalogue import CachedCatalogue, Catalogue
from core.db import transaction
from core.settings import Settings

T = TypeVar("T")


@dataclass
class BotDeps:
    settings: Settings
    sessions: sessionmaker[Session]
    catalogue: CachedCatalogue
    redis: aioredis.Redis

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in one transaction, in a thread so the event loop keeps serving other chats."""
        return await asyncio.to_thread(self._in_transaction, work)

    def _in_transaction(self, work: Callable[[Session], T]) -> T:
        with transaction(self.sessions) as session:
            return work(session)

    async def portal_catalogue(self) -> Catalogue:
        """The portal's catalogue, cached; raises ``CatalogueError`` if it was never readable."""
        return await asyncio.to_thread(self.catalogue.get)


def deps_of(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    deps: BotDeps = context.application.bot_data["deps"]
    return deps


def app_deps(application: Application) -> BotDeps:  # type: ignore[type-arg]
    deps: BotDeps = application.bot_data["deps"]
    return deps

"""What the bot's handlers share: settings, database sessions, Redis, the task queue and the portal catalogue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import redis.asyncio as aioredis
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application, ContextTypes

from core.catalogue import CachedCatalogue, Catalogue
from core.db import transaction
from core.queue import TaskQueue
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

    @cached_property
    def queue(self) -> TaskQueue:
        return TaskQueue(self.settings.redis_url)

    async def send_task(self, name: str, *args: object) -> None:
        """Hand a task to the farm by name (the bot imports no worker code)."""
        await asyncio.to_thread(self.queue.send, name, *args)

    async def portal_catalogue(self) -> Catalogue:
        """The portal's catalogue, cached; raises ``CatalogueError`` if it was never readable."""
        return await asyncio.to_thread(self.catalogue.get)


def deps_of(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    deps: BotDeps = context.application.bot_data["deps"]
    return deps


def app_deps(application: Application) -> BotDeps:  # type: ignore[type-arg]
    deps: BotDeps = application.bot_data["deps"]
    return deps

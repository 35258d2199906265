"""What the bot's handlers share: settings, database sessions, Redis and the portal catalogue."""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application, ContextTypes

from core.catalogue import CachedCatalogue
from core.settings import Settings


@dataclass
class BotDeps:
    settings: Settings
    sessions: sessionmaker[Session]
    catalogue: CachedCatalogue
    redis: aioredis.Redis


def deps_of(context: ContextTypes.DEFAULT_TYPE) -> BotDeps:
    deps: BotDeps = context.application.bot_data["deps"]
    return deps


def app_deps(application: Application) -> BotDeps:  # type: ignore[type-arg]
    deps: BotDeps = application.bot_data["deps"]
    return deps

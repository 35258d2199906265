"""The bot process: ``python -m bot``. ``main()`` wires every handler in order."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import handlers
from bot.alerts import alert_loop
from bot.context import BotDeps, app_deps
from core.catalogue import CachedCatalogue
from core.db import make_engine, make_sessionmaker
from core.migrate import require_current
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    deps = app_deps(application)
    deps.redis = aioredis.Redis.from_url(deps.settings.redis_url)
    application.bot_data["alert_task"] = asyncio.create_task(alert_loop(application.bot, deps))


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    task: asyncio.Task[None] | None = application.bot_data.get("alert_task")
    if task is not None:
        task.cancel()
    await app_deps(application).redis.aclose()


def build_application(settings: Settings) -> Application:  # type: ignore[type-arg]
    if settings.telegram_token is None:
        raise SystemExit("MTA_TELEGRAM_TOKEN is not set: the bot needs its token")
    engine = make_engine(settings.database_url)
    require_current(engine)
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.telegram_base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=5))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["deps"] = BotDeps(
        settings=settings,
        sessions=make_sessionmaker(engine),
        catalogue=CachedCatalogue(settings.portal_api_url, ttl=settings.catalogue_ttl_s),
        redis=None,  # type: ignore[arg-type]  # opened in post_init, on the application's loop
    )
    application.add_handler(CommandHandler(["start", "help"], handlers.start))
    application.add_handler(CommandHandler("watch", handlers.watch))
    application.add_handler(CommandHandler("list", handlers.list_subscriptions))
    application.add_handler(CommandHandler("unwatch", handlers.unwatch))
    application.add_handler(CommandHandler("status", handlers.status))
    # Last: any other command gets a clear answer instead of silence.
    application.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    return application


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    build_application(get_settings()).run_polling(poll_interval=0.0, timeout=10)


if __name__ == "__main__":
    main()

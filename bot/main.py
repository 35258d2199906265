"""The bot process: ``python -m bot``. ``main()`` wires every handler in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator

import redis
import redis.asyncio as aioredis
import uvicorn
from telegram import BotCommand, Update
from telegram.error import NetworkError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import account, booking, contact, fallbacks, guards, manage, status, subscribe
from bot.alerts import alert_loop
from bot.context import BotDeps, app_deps
from bot.fanout import rate_limiter
from bot.texts import LANGUAGES, text
from bot.webhook import set_webhook, webhook_server
from core import metrics
from core.catalogue import catalogue_for
from core.db import make_engine, make_sessionmaker
from core.logs import configure_logging
from core.migrate import SchemaOutOfDate, require_current
from core.settings import Settings, get_settings

log = logging.getLogger(__name__)
STARTUP_RETRIES = 8  # about a minute of growing pauses

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
MENU = ("watch", "list", "bookings", "contact", "status", "language", "mydata", "forget", "help", "cancel")


async def post_init(application: Application) -> None:  # type: ignore[type-arg]
    deps = app_deps(application)
    # The alert loop blocks on Redis for seconds: the socket must wait longer than that (redis-py's default is 5 s).
    deps.redis = aioredis.Redis.from_url(deps.settings.redis_url, socket_timeout=60)
    for language in LANGUAGES:
        commands = [BotCommand(name, text(language, f"cmd_{name}")) for name in MENU]
        await application.bot.set_my_commands(commands, language_code=language)
    application.bot_data["alert_task"] = asyncio.create_task(alert_loop(application.bot, deps))


async def post_stop(application: Application) -> None:  # type: ignore[type-arg]
    task: asyncio.Task[None] | None = application.bot_data.pop("alert_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
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
        .rate_limiter(rate_limiter(settings.telegram_send_rate))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data["deps"] = BotDeps(
        settings=settings,
        sessions=make_sessionmaker(engine),
        catalogue=catalogue_for(settings, redis.Redis.from_url(settings.redis_url)),
        redis=None,  # type: ignore[arg-type]  # opened in post_init, on the application's loop
    )
    # First, for every update: private chats only, then the per-user rate limit, then the allowlist.
    application.add_handler(TypeHandler(Update, guards.admit), group=-1)
    application.add_handler(ChatMemberHandler(account.blocked_or_unblocked, ChatMemberHandler.MY_CHAT_MEMBER))
    # The /watch conversation before the rest, so its steps get the text and buttons they wait for;
    # other commands still work in the middle of it. /contact (and a Book tap without contact data) joins it:
    # one conversation per chat at a time.
    application.add_handler(subscribe.conversation(entry_points=contact.entry_points(), states=contact.states()))
    application.add_handler(CommandHandler("start", account.start))
    application.add_handler(CommandHandler("help", account.help_))
    application.add_handler(CommandHandler("list", manage.list_subscriptions))
    application.add_handler(CallbackQueryHandler(manage.pause_or_resume, pattern=r"^sub:(pause|resume):\d+$"))
    application.add_handler(CallbackQueryHandler(manage.delete, pattern=r"^sub:delete:\d+$"))
    application.add_handler(CallbackQueryHandler(manage.auto_book, pattern=r"^sub:auto:(on|off):\d+$"))
    application.add_handler(CommandHandler("unwatch", manage.unwatch))
    application.add_handler(CommandHandler("bookings", booking.list_bookings))
    application.add_handler(CallbackQueryHandler(booking.cancel, pattern=r"^bkc:\d+$"))
    application.add_handler(CommandHandler("status", status.status))
    application.add_handler(CommandHandler("language", account.set_language))
    application.add_handler(CallbackQueryHandler(account.choose_language, pattern="^lang:(de|en)$"))
    application.add_handler(CommandHandler("mydata", account.my_data))
    application.add_handler(CommandHandler("forget", account.forget))
    application.add_handler(CallbackQueryHandler(account.confirm_forget, pattern="^forget:(yes|no)$"))
    application.add_handler(CommandHandler("cancel", fallbacks.nothing_to_cancel))  # no conversation running
    # Last: whatever nothing above took gets a clear answer instead of silence.
    application.add_handler(MessageHandler(filters.COMMAND, fallbacks.unknown_command))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, fallbacks.unexpected_text))
    application.add_handler(CallbackQueryHandler(fallbacks.stale_button))
    application.add_error_handler(fallbacks.error)
    return application


@contextlib.asynccontextmanager
async def running(application: Application) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """What ``run_polling`` does around its updater: start with ``post_init``, stop with ``post_stop`` and so on."""
    await _initialize(application)
    await post_init(application)
    await application.start()
    try:
        yield
    finally:
        await application.stop()
        await post_stop(application)
        await application.shutdown()
        await post_shutdown(application)


async def _initialize(application: Application) -> None:  # type: ignore[type-arg]
    """``initialize`` (its getMe), asked again with growing pauses while the Bot API fails, as polling does."""
    for attempt in range(STARTUP_RETRIES + 1):
        try:
            await application.initialize()
            return
        except NetworkError as exc:
            if attempt == STARTUP_RETRIES:
                raise
            log.warning("the Bot API failed at start-up (%s); asking again", exc)
            await asyncio.sleep(min(1.5**attempt, 30.0))


async def serve_webhook(application: Application, server: uvicorn.Server, settings: Settings) -> None:  # type: ignore[type-arg]
    """Webhook mode until the server stops (Ctrl-C, or a test setting ``should_exit``)."""
    async with running(application):
        await set_webhook(application, settings, allowed_updates=ALLOWED_UPDATES)
        await server.serve()


def main() -> None:
    settings = get_settings()
    configure_logging(settings, process="bot", level=settings.log_level)
    try:
        application = build_application(settings)
    except SchemaOutOfDate as exc:
        sys.exit(f"mta bot refuses to start: {exc}")
    if settings.metrics_port:
        metrics.serve(settings.metrics_port)
    if settings.telegram_webhook_url:
        asyncio.run(serve_webhook(application, webhook_server(application, settings), settings))
    else:
        poll(application)


def poll(application: Application) -> None:  # type: ignore[type-arg]
    """Long polling. A Bot API that fails a start-up call (a 5xx, a timeout: Telegram's hiccup) is asked again
    with growing pauses (PTB's bootstrap retries) instead of stopping the bot."""
    application.run_polling(
        poll_interval=0.0, timeout=10, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=STARTUP_RETRIES
    )

"""A real PTB Application polling the replica: commands, inline buttons, photos, blocked users."""

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
)

from telegram_replica.server import ReplicaServer

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Watch Pasing", callback_data="watch:pasing")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"Hello {update.message.from_user.first_name}", reply_markup=KEYBOARD)


async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Saved")
    await query.edit_message_text(f"Watching {query.data}")


async def blocked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("blocked", []).append(update.effective_chat.id)


@pytest.fixture
async def application(server: ReplicaServer, token: str) -> AsyncIterator[Application]:
    app = ApplicationBuilder().token(token).base_url(server.base_url).base_file_url(server.base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(watch, pattern="^watch:"))
    app.add_handler(ChatMemberHandler(blocked, ChatMemberHandler.MY_CHAT_MEMBER))
    async with app:
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        yield app
        await app.updater.stop()
        await app.stop()


async def test_start_command_is_answered_with_its_keyboard(server: ReplicaServer, application: Application) -> None:
    server.send_text(42, "/start", first_name="Anna", language_code="de")

    [reply] = await server.wait_for_calls_async("sendMessage", chat_id=42)

    assert reply.params["text"] == "Hello Anna"
    assert reply.reply_markup == {"inline_keyboard": [[{"text": "Watch Pasing", "callback_data": "watch:pasing"}]]}
    assert server.user_updates(42)[0]["message"]["from"]["language_code"] == "de"


async def test_pressing_the_button_answers_the_query_and_edits_the_message(
    server: ReplicaServer, application: Application
) -> None:
    server.send_text(42, "/start")
    [reply] = await server.wait_for_calls_async("sendMessage", chat_id=42)
    message_id = reply.result["message_id"]

    server.press_button(42, message_id, "watch:pasing")

    [answer] = await server.wait_for_calls_async("answerCallbackQuery")
    [edit] = await server.wait_for_calls_async("editMessageText", chat_id=42)
    assert answer.params["text"] == "Saved"
    assert edit.params["message_id"] == message_id
    edited = server.message(42, message_id)
    assert edited is not None
    assert edited["text"] == "Watching watch:pasing"
    assert "reply_markup" not in edited  # an edit without a keyboard removes it, as on Telegram


async def test_pressing_a_button_the_message_lacks_is_refused(server: ReplicaServer, application: Application) -> None:
    server.send_text(42, "/start")
    [reply] = await server.wait_for_calls_async("sendMessage", chat_id=42)

    with pytest.raises(LookupError):
        server.press_button(42, reply.result["message_id"], "cancel")


async def test_blocking_user_gets_forbidden_and_the_bot_hears_of_it(
    server: ReplicaServer, application: Application
) -> None:
    server.block_chat(77)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await application.bot.send_message(77, "A slot is free")

    await server.wait_for_calls_async("getUpdates")
    assert server.calls("sendMessage", chat_id=77, ok=False)[0].status == 403
    assert server.deliveries[77] == 0


async def test_my_chat_member_update_reaches_the_handler(server: ReplicaServer, application: Application) -> None:
    from telegram_replica.replica import wait_for

    server.block_chat(77)

    await wait_for(lambda: application.bot_data.get("blocked") == [77], timeout=5)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_send_photo_upload_keeps_the_bytes_and_can_be_downloaded(server: ReplicaServer, token: str) -> None:
    screenshot = png(640, 480)
    async with Bot(token, base_url=server.base_url, base_file_url=server.base_file_url) as bot:
        message = await bot.send_photo(42, screenshot, caption="Free slot", filename="slot.png")
        file = await bot.get_file(message.photo[-1].file_id)
        downloaded = await file.download_as_bytearray()
        again = await bot.send_photo(42, message.photo[-1].file_id)

    [call, reuse] = server.calls("sendPhoto")
    [upload] = call.files
    assert (upload.field, upload.filename, upload.content_type, upload.data) == (
        "photo",
        "slot.png",
        "image/png",
        screenshot,
    )
    assert call.params["caption"] == "Free slot"
    assert (message.photo[-1].width, message.photo[-1].height) == (640, 480)
    assert message.photo[0].width == 90
    assert bytes(downloaded) == screenshot
    assert not reuse.files
    assert again.photo[-1].file_id == message.photo[-1].file_id

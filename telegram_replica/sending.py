"""sendMessage, sendPhoto and sendDocument: validate like Telegram, store the message, return it."""

import mimetypes

from telegram_replica import images, objects
from telegram_replica.errors import bad_request
from telegram_replica.params import Params
from telegram_replica.records import UploadedFile
from telegram_replica.replica import JSON, Replica, StoredFile


def send_message(replica: Replica, params: Params) -> JSON:
    text = params.text("text", "message text", limit=4096)
    content: JSON = {"text": text, **_entities("entities", params), **inline_markup(params)}
    return replica.post_message(params.chat_id(), content)


def send_photo(replica: Replica, params: Params) -> JSON:
    chat_id = params.chat_id()
    upload = params.files.get("photo")
    if upload is not None:
        stored = _store(replica, upload, folder="photos", default_suffix=".jpg")
        sizes = _sizes(stored)
    else:
        sizes = _reused_photo(replica, params.string("photo") or "")
    content: JSON = {"photo": sizes, **_caption(params), **inline_markup(params)}
    return replica.post_message(chat_id, content)


def send_document(replica: Replica, params: Params) -> JSON:
    chat_id = params.chat_id()
    upload = params.files.get("document")
    if upload is None:
        reference = params.string("document") or ""
        known = replica.files.get(reference)
        if known is None and not reference.startswith(("http://", "https://")):
            raise bad_request("wrong file identifier/HTTP URL specified")
        upload = UploadedFile(field="document", filename=None, content_type=None, data=known.data if known else b"")
    stored = _store(replica, upload, folder="documents", default_suffix="")
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": upload.filename or stored.file_path.rsplit("/", 1)[-1],
        "mime_type": upload.content_type or "application/octet-stream",
        "file_size": len(stored.data),
    }
    content: JSON = {"document": document, **_caption(params), **inline_markup(params)}
    return replica.post_message(chat_id, content)


def _store(replica: Replica, upload: UploadedFile, *, folder: str, default_suffix: str) -> StoredFile:
    if not upload.data and upload.field == "photo":
        raise bad_request("IMAGE_PROCESS_FAILED")
    suffix = mimetypes.guess_extension(upload.content_type or "") or default_suffix
    return replica.store_file(upload.data, content_type=upload.content_type, folder=folder, suffix=suffix)


def _sizes(stored: StoredFile) -> list[JSON]:
    width, height = images.dimensions(stored.data) or (1280, 720)
    return objects.photo_sizes(
        file_id=stored.file_id,
        unique_id=stored.file_unique_id,
        width=width,
        height=height,
        file_size=len(stored.data),
    )


def _reused_photo(replica: Replica, reference: str) -> list[JSON]:
    """A ``file_id`` of an earlier upload, or a URL Telegram would fetch (the replica cannot: no network)."""
    known = replica.files.get(reference)
    if known is not None:
        return _sizes(known)
    if reference.startswith(("http://", "https://")):
        file_id, unique_id = objects.new_file_ids()
        return objects.photo_sizes(file_id=file_id, unique_id=unique_id, width=1280, height=720, file_size=102400)
    raise bad_request("wrong file identifier/HTTP URL specified")


def _caption(params: Params) -> JSON:
    caption = params.string("caption")
    if not caption:
        return {}
    if len(caption) > 1024:
        raise bad_request("message caption is too long")
    return {"caption": caption, **_entities("caption_entities", params)}


def _entities(key: str, params: Params) -> JSON:
    entities = params.get(key)
    return {key: entities} if isinstance(entities, list) and entities else {}


def inline_markup(params: Params) -> JSON:
    """Telegram echoes inline keyboards in the message; reply keyboards only change the user's client."""
    markup = params.reply_markup()
    if not markup or "inline_keyboard" not in markup:
        return {}
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return {"reply_markup": markup}

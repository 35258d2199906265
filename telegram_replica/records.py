"""What the replica remembers about each Bot API call; pydantic so the control routes can ship it as JSON."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class UploadedFile(BaseModel):
    """One multipart part the bot uploaded (``sendPhoto`` with bytes, ``sendDocument`` …)."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


class Call(BaseModel):
    """One request the bot made, with the answer it got (``status`` 200 or the error code)."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    method: str
    chat_id: int | str | None
    params: dict[str, Any]
    files: list[UploadedFile]
    time: float
    status: int
    description: str | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.params.get("reply_markup")
        return markup if isinstance(markup, dict) else None

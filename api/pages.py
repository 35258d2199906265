"""Server-rendered pages: one Jinja2 environment, strict security headers, small formatting filters."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
RAW_JSON_LIMIT = 512 * 1024


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["when"] = _when


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=PAGE_HEADERS)


def pretty_json(path: Path) -> str:
    """The file pretty-printed when it is JSON, as text otherwise; cut at RAW_JSON_LIMIT bytes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(RAW_JSON_LIMIT + 1)
    except OSError as exc:
        return f"(cannot read {path.name}: {exc.strerror})"
    if len(data) > RAW_JSON_LIMIT:
        return data[:RAW_JSON_LIMIT].decode(errors="replace") + "\n… (cut)"
    try:
        return json.dumps(json.loads(data), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        return data.decode(errors="replace")

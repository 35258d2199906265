"""The booking page ``/buergerservice/terminvereinbarung.html`` and its static files.

The page embeds ``<zms-appointment base-url="<API base>">``, a web component written after the city's
(``static/zms-appointment.js`` and the modules it imports). See docs/portal.md, "Booking page".
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from .replica import Replica

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/buergerservice/replica-static"

router = APIRouter()


@router.get("/buergerservice/terminvereinbarung.html", response_class=HTMLResponse)
def booking_page(request: Request) -> HTMLResponse:
    replica: Replica = request.app.state.replica
    template = (STATIC_DIR / "terminvereinbarung.html").read_text(encoding="utf-8")
    page = template.replace("{{API_BASE}}", html.escape(replica.config.page_api_base, quote=True)).replace(
        "{{STATIC}}", STATIC_URL
    )
    return HTMLResponse(page)

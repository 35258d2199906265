"""The portal's own view of a booked appointment (``#/appointment/<hash>``), screenshotted.

The hash routes are in docs/portal.md, "Conventions".

The page asks the API for the appointment; the farm answers from the process the portal has just returned,
and the catalogue from its cache, so the screenshot costs the portal no request and shows what it said.
"""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeout

JSON = "application/json; charset=utf-8"


def appointment_hash(process_id: int, auth_key: str) -> str:
    """The hash of the portal's appointment links: base64 of ``{"id","authKey"}`` (docs/portal.md, "Booking")."""
    raw = json.dumps({"id": str(process_id), "authKey": auth_key}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode("ascii")


def render_appointment(page: Page, *, page_url: str, api_url: str, catalogue: Any, process: dict[str, Any]) -> bytes:
    """Open the appointment view of ``process`` (a ThinnedProcess answer) and screenshot it."""
    api_prefix = api_url.rstrip("/") + "/"
    bodies: dict[str, Any] = {
        "appointment": process,
        "offices-and-services": catalogue,
        "captcha-details": {"captchaEnabled": False},
    }

    page_origin = "{0.scheme}://{0.netloc}/".format(urlsplit(page_url))

    def handler(route: Route) -> None:
        url = route.request.url
        if not url.startswith(api_prefix):
            if url.startswith(page_origin) or not url.startswith("http"):
                route.continue_()
            else:  # the link carries the appointment's authKey: no other origin sees the page
                route.abort("blockedbyclient")
            return
        endpoint = url[len(api_prefix) :].split("?", 1)[0].strip("/")
        if endpoint in bodies:
            route.fulfill(status=200, content_type=JSON, body=json.dumps(bodies[endpoint]))
        else:
            route.abort()  # nothing reaches the portal outside the request budget

    page.route("**/*", handler)
    try:
        page.goto("about:blank")
        with page.expect_response(lambda r: r.url.startswith(api_prefix + "appointment/")):
            page.goto(f"{page_url}#/appointment/{appointment_hash(process['processId'], process['authKey'])}")
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=2000)
        return page.screenshot(full_page=True, type="png")
    finally:
        with contextlib.suppress(PlaywrightError):
            page.unroute("**/*", handler)

"""Evidence: the city's booking page rendering exactly the answer the farm received, screenshotted.

The page is driven as a person would (PORTAL.md §2.7: open the target's link, press "Weiter"), but every
API call it makes is answered by the farm from what it already holds — the catalogue, the calendar answer,
the captcha token — so rendering evidence costs the portal no request and shows what the portal said.
Only the API's calls are intercepted: the page itself and its scripts load as they would for a person.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route

JSON = "application/json; charset=utf-8"
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(null))))"


@dataclass(frozen=True)
class Answers:
    """What the farm answers the page with."""

    catalogue: Any
    calendar: Any  # available-calendar/ shape, already cut down to the target's offices
    captcha_token: str | None


def booking_url(page_url: str, *, service_id: int, office_id: int) -> str:
    return f"{page_url}#/services/{service_id}/locations/{office_id}"


def _answer(route: Route, api_prefix: str, answers: Answers) -> None:
    endpoint = route.request.url[len(api_prefix) :].split("?", 1)[0].strip("/")
    token = answers.captcha_token
    bodies: dict[str, Any] = {
        "offices-and-services": answers.catalogue,
        "available-calendar": answers.calendar,
        "captcha-details": {"captchaEnabled": token is not None},
        # The page's captcha widget gets a trivial challenge; its verify call gets the farm's real token.
        "captcha-challenge": {
            "parameters": {
                "algorithm": "SHA-256",
                "nonce": "00",
                "salt": "00",
                "cost": 1,
                "keyLength": 32,
                "keyPrefix": "",
                "expiresAt": None,
            },
            "signature": "",
        },
        "captcha-verify": {"meta": {"success": True}, "data": {"valid": True}, "token": token},
    }
    if endpoint in bodies:
        route.fulfill(status=200, content_type=JSON, body=json.dumps(bodies[endpoint]))
    else:
        route.abort()  # nothing else may reach the portal outside the request budget


def render(page: Page, *, page_url: str, api_url: str, service_id: int, office_id: int, answers: Answers) -> bytes:
    """Open the target's booking page, press "Weiter", and screenshot the rendered calendar."""
    api_prefix = api_url.rstrip("/") + "/"
    api_calls = re.compile("^" + re.escape(api_prefix))  # matched in the driver: nothing else is held up

    def handler(route: Route) -> None:
        _answer(route, api_prefix, answers)

    page.route(api_calls, handler)
    try:
        page.goto("about:blank")
        page.goto(booking_url(page_url, service_id=service_id, office_id=office_id), wait_until="domcontentloaded")
        with page.expect_response(lambda r: "available-calendar" in r.url):
            page.get_by_role("button", name="Weiter").click()
        page.evaluate(NEXT_FRAMES)  # the answer is on screen once the page has painted twice more
        return page.screenshot(type="png")  # the viewport: the booking form and its calendar
    finally:
        with contextlib.suppress(PlaywrightError):
            page.unroute(api_calls, handler)

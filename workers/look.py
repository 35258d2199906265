"""Driving the booking page as a person would (PORTAL.md §2.7) and keeping what it answered."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Response, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from workers.portal import CALENDAR_PATHS, PortalChanged, PortalUnavailable

CATALOGUE_ROUTE = re.compile(r".*/offices-and-services/(\?.*)?$")


@dataclass(frozen=True)
class Look:
    """The calendar answer the page received, and the page as it looked."""

    url: str
    status: int
    raw: bytes
    body: Any
    screenshot: bytes | None


def booking_url(page_url: str, *, service_id: int, office_id: int) -> str:
    return f"{page_url}#/services/{service_id}/locations/{office_id}"


def look_at_calendar(
    page: Page, *, page_url: str, api_url: str, service_id: int, office_id: int, catalogue: Any
) -> Look:
    """Open the target's booking page, press "Weiter" and capture the calendar answer.

    The page's own catalogue request is answered from the farm's cache, so a check costs the
    portal one calendar request.
    """
    url = booking_url(page_url, service_id=service_id, office_id=office_id)
    api_prefix = api_url.rstrip("/") + "/"

    def is_calendar(response: Response) -> bool:
        return response.url.startswith(api_prefix) and any(p in response.url for p in CALENDAR_PATHS)

    def serve_catalogue(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json; charset=utf-8", body=json.dumps(catalogue))

    page.route(CATALOGUE_ROUTE, serve_catalogue)
    try:
        page.goto("about:blank")
        page.goto(url, wait_until="domcontentloaded")
        with page.expect_response(is_calendar) as answer:
            page.get_by_role("button", name="Weiter").click()
        response = answer.value
        raw = response.body()
    except PlaywrightTimeout as exc:
        first_line = exc.message.splitlines()[0]
        raise PortalUnavailable(f"no calendar answer in time: {first_line}", url, screenshot=_shot(page)) from exc
    except PlaywrightError as exc:
        first_line = exc.message.splitlines()[0]
        raise PortalUnavailable(f"browser could not load the page: {first_line}", url, screenshot=_shot(page)) from exc
    finally:
        page.unroute(CATALOGUE_ROUTE, serve_catalogue)
    return Look(response.url, response.status, raw, _json(raw, response.url, response.status), _snap(page))


def _json(raw: bytes, url: str, status: int) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        if status == 200:
            raise PortalChanged("calendar answer is not JSON", url, status, body=raw) from exc
        return None


def _snap(page: Page) -> bytes | None:
    """A screenshot once the page has rendered the answer; none if the page cannot give one."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=3000)
    return _shot(page)


def _shot(page: Page) -> bytes | None:
    try:
        return page.screenshot(full_page=True, type="png", timeout=5000)
    except PlaywrightError:
        return None

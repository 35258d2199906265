"""Evidence: the city's booking page rendering exactly the answer the farm received, screenshotted.

The page is driven as a person would (docs/portal.md, "Booking page": open the target's link, press "Weiter"), but every
API call it makes is answered by the farm from what it already holds — the catalogue, the calendar answer,
the captcha token — so rendering evidence costs the portal no request and shows what the portal said.
Only the API's calls are intercepted: the page itself and its scripts load as they would for a person.

The page stays loaded between findings: the next target is opened by the page's own hash route, as a person
following another link would, which costs about half the CPU of loading the page again (for the target shown
last, by way of the service's first step, since the same route would not change). The calendar request
the page then sends must name the target's service and office; when it does not (a page that does not follow
its route), the page is loaded afresh, and that page is not switched again. A worker loads the page ahead of
its first finding (``open``, after a check), so that finding follows the route too: findings come in bursts,
when a run's first checks see what opened during the silence, and a burst is no time for loading pages.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import CDPSession, Locator, Page, Response, Route
from playwright.sync_api import Error as PlaywrightError

log = logging.getLogger(__name__)

JSON = "application/json; charset=utf-8"
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(null))))"
# Resolves once the page's own hashchange listeners have run (ours is added after theirs) and their tasks began,
# or after a second when no hashchange reached us.
FOLLOW_HASH = """hash => new Promise(done => {
  addEventListener("hashchange", () => setTimeout(() => done(null)), {once: true});
  setTimeout(() => done(null), 1000);
  location.hash = hash;
})"""
SWITCH_TIMEOUT_MS = 5000  # a switched page that shows no calendar by then is loaded afresh
SCREENSHOT_TIMEOUT_MS = 5000  # a DevTools screenshot not taken by then is left to Playwright's
# A render waits on at most this many steps bounded by the browser timeout (a load, step 1, the calendar): the
# bound of the whole, which also covers the calls that take no timeout (route, evaluate).
TIMED_STEPS = 3


@dataclass(frozen=True)
class Answers:
    """What the farm answers the page with."""

    catalogue: Any
    calendar: Any  # available-calendar/ shape, already cut down to the target's offices
    captcha_token: str | None


class WrongCalendar(RuntimeError):
    """The page asked for another service or office than the target's: its screenshot would prove nothing."""


def booking_url(page_url: str, *, service_id: int, office_id: int) -> str:
    return f"{page_url}#{_service_route(service_id)}/locations/{office_id}"


def _service_route(service_id: int) -> str:
    """The booking page's route to a service's first step, with no office chosen (docs/portal.md, "Booking page")."""
    return f"/services/{service_id}"


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


def _next_button(page: Page) -> Locator:
    """Step 1's "Weiter" (docs/portal.md, "Booking page"): it shows, enabled, once the step has rendered, and
    pressing it asks for the calendar."""
    return page.get_by_role("button", name="Weiter", disabled=False)


def asks_for(url: str, *, service_id: int, office_id: int) -> bool:
    """Whether a calendar request (docs/portal.md, "Calendar": ``serviceIds``, ``officeIds`` comma-separated) is the
    target's: its one service, and its office among the offices asked for."""
    query = parse_qs(urlsplit(url).query)
    services = query.get("serviceIds", [""])[0].split(",")
    offices = query.get("officeIds", [""])[0].split(",")
    return services == [str(service_id)] and str(office_id) in offices


class EvidencePage:
    """Renders findings on a worker's warm page; one per worker process."""

    def __init__(self, *, page_url: str, api_url: str) -> None:
        self._page_url = page_url
        self._api_prefix = api_url.rstrip("/") + "/"
        self._api_calls = re.compile("^" + re.escape(self._api_prefix))  # matched in the driver
        self._not_following: Page | None = None  # a page that did not follow its hash route
        self._not_opening: Page | None = None  # a page on which the booking page could not be opened ahead
        self._devtools: tuple[Page, CDPSession] | None = None  # the page screenshotted last, and its session
        self._routed: Page | None = None  # the page whose API calls ``_handle`` answers
        self._answers: Answers | None = None  # what they are answered with, while a page is opened or rendered

    def wants_opening(self, page: Page | None) -> bool:
        """Whether ``page`` (a worker's warm page, if it has one) should be given the booking page ahead."""
        return (
            page is not None
            and page is not self._not_opening
            and page is not self._not_following
            and not page.url.startswith(self._page_url + "#")
        )

    def open(self, page: Page, *, service_id: int, catalogue: Any) -> None:
        """Load the booking page at the service's first step (its route names no office, so every target's
        route differs from it), answering its API calls from ``catalogue``. Best effort: a page that fails is
        not tried again, and its first finding loads the page as it would have."""

        self._answering(page, Answers(catalogue, None, None))
        try:
            page.goto(f"{self._page_url}#{_service_route(service_id)}", wait_until="domcontentloaded")
            _next_button(page).wait_for(timeout=SWITCH_TIMEOUT_MS)
        except PlaywrightError as exc:
            log.info("the booking page could not be opened ahead of findings: %s", exc.message.splitlines()[0])
            self._not_opening = page
        finally:
            self._answers = None

    def render(self, page: Page, *, service_id: int, office_id: int, answers: Answers) -> bytes:
        """Show the target's calendar with ``answers`` and screenshot it (the viewport: form and calendar)."""

        self._answering(page, answers)
        try:
            target = booking_url(self._page_url, service_id=service_id, office_id=office_id)
            if not self._switched(page, target, service_id=service_id, office_id=office_id):
                page.goto("about:blank")
                page.goto(target, wait_until="domcontentloaded")
                calendar = self._continue(page, timeout_ms=None)
                if not asks_for(calendar.url, service_id=service_id, office_id=office_id):
                    raise WrongCalendar(f"the booking page of {target} asked for {calendar.url}")
            page.evaluate(NEXT_FRAMES)  # the answer is on screen once the page has painted twice more
            return self._screenshot(page)
        finally:
            self._answers = None

    def _answering(self, page: Page, answers: Answers) -> None:
        """Answer ``page``'s API calls with ``answers`` until they are taken back. The page's route stays in
        place between renders, refusing every call: a loaded page that calls the API on its own (a late call
        of the last render, a timer of the city's page) never spends the portal's limiter outside the budget,
        and a render saves the two browser round trips of setting a route up and taking it down."""
        if self._routed is not page:
            page.route(self._api_calls, self._handle)
            self._routed = page
        self._answers = answers

    def _handle(self, route: Route) -> None:
        if self._answers is None:
            route.abort()
        else:
            _answer(route, self._api_prefix, self._answers)

    def _switched(self, page: Page, target: str, *, service_id: int, office_id: int) -> bool:
        """Open ``target`` by the loaded page's hash route; False when a fresh load must do it."""
        if page is self._not_following or not page.url.startswith(self._page_url + "#"):
            return False  # no page of ours yet
        try:
            if page.url == target:  # the route would not change: step back to the service's first step
                self._first_step(page, service_id)
            page.evaluate(FOLLOW_HASH, urlsplit(target).fragment)
            calendar = self._continue(page, timeout_ms=SWITCH_TIMEOUT_MS)
            if asks_for(calendar.url, service_id=service_id, office_id=office_id):
                return True
            reason = f"it asked for {calendar.url}"
        except PlaywrightError as exc:
            reason = exc.message.splitlines()[0]
        log.info("the booking page did not follow its hash route to %s (%s); it is loaded afresh", target, reason)
        self._not_following = page
        return False

    def _screenshot(self, page: Page) -> bytes:
        """The viewport as PNG, encoded for speed (DevTools' ``optimizeForSpeed``: a larger file for less of the
        browser's CPU than Playwright's screenshot, which matters in a burst of findings). A page whose
        DevTools session fails is screenshotted by Playwright."""
        try:
            if self._devtools is None or self._devtools[0] is not page:
                self._devtools = (page, page.context.new_cdp_session(page))
            shot = self._devtools[1].send(
                "Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True}, timeout=SCREENSHOT_TIMEOUT_MS
            )
            return base64.b64decode(shot["data"])
        except (PlaywrightError, KeyError, ValueError) as exc:
            log.info("screenshot by DevTools failed (%s); taken by Playwright", exc)
            self._devtools = None
            return page.screenshot(type="png")

    @staticmethod
    def _first_step(page: Page, service_id: int) -> None:
        """Follow the hash route to the service's first step and wait until it shows."""
        page.evaluate(FOLLOW_HASH, _service_route(service_id))
        _next_button(page).wait_for(timeout=SWITCH_TIMEOUT_MS)

    @staticmethod
    def _continue(page: Page, *, timeout_ms: float | None) -> Response:
        """Press "Weiter" on step 1 (a click event on the button, which runs the page's own handler, without
        the mouse's checks for a still, unobscured target over several frames); returns the calendar answer the
        page got."""
        with page.expect_response(lambda r: "available-calendar" in r.url, timeout=timeout_ms) as calendar:
            _next_button(page).dispatch_event("click", timeout=timeout_ms)
        return calendar.value

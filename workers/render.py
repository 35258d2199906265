"""Evidence: the city's booking page showing a finding, screenshotted around the finding's times.

The page is driven as a person drives the city's page (docs/portal.md, "Booking page"): load the target's deep
link, pass the captcha widget where the office needs one, press "Weiter", wait for the day's times, pick the
finding's day if another one is shown. Every API call the page makes is answered by the farm from what it
already holds (the catalogue, the calendar answer, the captcha token), so a render costs the portal no request
and shows what the portal said; the page itself and its scripts load as they would for a person.

The city's page reads its deep link once, when it mounts: a changed hash shows nothing new, so each render
loads the page afresh. ``exclusiveLocation`` makes it show the target's office alone, every part of the day at
once, and the screenshot is cut to the office's title, the day's heading and the office's time rows, legible on
a phone.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urldefrag, urlsplit

from PIL import Image
from playwright.sync_api import FloatRect, Locator, Page, Response, Route

log = logging.getLogger(__name__)

JSON = "application/json; charset=utf-8"
# A render waits on at most this many steps bounded by the browser timeout (load, captcha, "Weiter", the times,
# another day): the bound of the whole, which also covers the calls that take no timeout (route, evaluate).
TIMED_STEPS = 5
NOTHING_FREE = "Aktuell ist kein Termin verfügbar."
MARGIN_PX = 12  # around the cut-out, so no button touches the edge
MIN_WIDTH_PX = 420  # room for the office's name and the day beside few buttons


@dataclass(frozen=True)
class Answers:
    """What the farm answers the page with."""

    catalogue: Any
    # The available-calendar/ answer, cut down to the target's offices, for the day a request's slots window
    # starts on (None when it names none): the page asks again when a person picks another day.
    calendar: Callable[[dt.date | None], Any]
    captcha_token: str | None


@dataclass(frozen=True)
class Shown:
    """A finding as the page must show it: the target's office, the day, and the times that opened (booking
    office, Unix seconds)."""

    service_id: int
    office_id: int
    day: dt.date
    times: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Shot:
    png: bytes
    strips: list[FloatRect]  # the parts of the page cut out, top to bottom, in page coordinates (CSS pixels)


class RenderFailed(RuntimeError):
    """The page did not show the finding; the reason says what it showed instead."""


def booking_url(page_url: str, *, service_id: int, office_id: int, exclusive: bool = False) -> str:
    """The target's deep link; ``exclusive`` shows its office alone (docs/portal.md, "Booking page")."""
    query = ("&" if "?" in page_url else "?") + "exclusiveLocation=1" if exclusive else ""
    return f"{page_url}{query}#/services/{service_id}/locations/{office_id}"


def time_button_id(office_id: int, unix: int) -> str:
    """The id of a time's button on the city's page."""
    return f"provider-{office_id}-timeslot-{unix}"


def asks_for(url: str, *, service_id: int, office_id: int) -> bool:
    """Whether a calendar request (docs/portal.md, "Calendar": ``serviceIds``, ``officeIds`` comma-separated) is the
    target's: its one service, and its office among the offices asked for."""
    query = parse_qs(urlsplit(url).query)
    services = query.get("serviceIds", [""])[0].split(",")
    offices = query.get("officeIds", [""])[0].split(",")
    return services == [str(service_id)] and str(office_id) in offices


def _answer(route: Route, api_prefix: str, answers: Answers) -> None:
    endpoint = route.request.url[len(api_prefix) :].split("?", 1)[0].strip("/")
    token = answers.captcha_token
    bodies: dict[str, Any] = {
        "offices-and-services": answers.catalogue,
        "available-calendar": answers.calendar(_slots_day(route.request.url)),
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


def _slots_day(url: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(parse_qs(urlsplit(url).query)["slotsStartDate"][0])
    except (KeyError, ValueError):
        return None


class EvidencePage:
    """Renders findings on a worker's warm page; one per worker process."""

    def __init__(self, *, page_url: str, api_url: str) -> None:
        self._page_url = page_url
        self._api_prefix = api_url.rstrip("/") + "/"
        self._api_calls = re.compile("^" + re.escape(self._api_prefix))  # matched in the driver
        # Every other origin than the page's and the API's: the page's browser reaches nothing else.
        page_origin = "{0.scheme}://{0.netloc}/".format(urlsplit(page_url))
        self._elsewhere = re.compile(f"^(?!{re.escape(page_origin)}|{re.escape(self._api_prefix)})https?://")
        self._routed: Page | None = None  # the page whose API calls ``_handle`` answers
        self._answers: Answers | None = None  # what they are answered with, while a page is rendered

    def render(self, page: Page, shown: Shown, answers: Answers) -> Shot:
        """Load the target's deep link with ``answers`` behind it, bring up the finding's day and screenshot the
        day's heading and the office's times."""
        self._answering(page, answers)
        try:
            target = booking_url(self._page_url, service_id=shown.service_id, office_id=shown.office_id, exclusive=True)
            _load(page, target)
            if answers.captcha_token is not None:
                _pass_captcha(page)
            calendar = _continue(page)
            if not asks_for(calendar.url, service_id=shown.service_id, office_id=shown.office_id):
                raise RenderFailed(f"the booking page of {target} asked for {calendar.url}")
            rows_office = _times_of_day(page, shown)
            return _cut_out(page, office_id=shown.office_id, rows_office=rows_office)
        finally:
            self._answers = None

    def _answering(self, page: Page, answers: Answers) -> None:
        """Answer ``page``'s API calls with ``answers`` until they are taken back. The page's route stays in
        place between renders, refusing every call: a loaded page that calls the API on its own (a late call
        of the last render, a timer of the city's page) never spends the portal's limiter outside the budget,
        and a render saves the two browser round trips of setting a route up and taking it down. Requests to
        any other origin are refused: the page runs with nothing of ours but needs nothing else either."""
        if self._routed is not page:
            page.route(self._elsewhere, _refuse)
            page.route(self._api_calls, self._handle)  # registered last, so asked first
            self._routed = page
        self._answers = answers

    def _handle(self, route: Route) -> None:
        if self._answers is None:
            route.abort()
        else:
            _answer(route, self._api_prefix, self._answers)


def _refuse(route: Route) -> None:
    route.abort("blockedbyclient")


def _load(page: Page, target: str) -> None:
    """Load ``target`` as a new document: the city's page reads its deep link only when it mounts, so an open
    page whose hash alone changes would go on showing its last target."""
    if urldefrag(page.url).url == urldefrag(target).url:
        page.goto("about:blank")
    page.goto(target, wait_until="domcontentloaded")


def _next_button(page: Page) -> Locator:
    """The step's "Weiter": shown, enabled, once step 1 has rendered (its shadow roots are open, so the role
    locator finds it)."""
    return page.get_by_role("button", name="Weiter", disabled=False)


def _pass_captcha(page: Page) -> None:
    """Tick the ALTCHA widget ("Ich bin kein Bot.") and wait until it says verified; the farm answers its
    challenge and hands over the token the farm already holds."""
    page.get_by_text("Ich bin kein Bot.").click()
    page.locator('.altcha[data-state="verified"]').wait_for()


def _continue(page: Page) -> Response:
    """Press step 1's "Weiter" (a click event on the button, which runs the page's own handler, without the
    mouse's checks for a still target over several frames); returns the calendar answer the page got."""
    with page.expect_response(lambda r: "available-calendar" in r.url) as calendar:
        _next_button(page).dispatch_event("click")
    return calendar.value


def _times_of_day(page: Page, shown: Shown) -> int:
    """Wait until the page shows the finding's times, on the finding's day (the page selects the day our calendar
    answer narrows to; a page that picked another day is moved to it as a person would); returns the office
    whose rows hold them."""
    first = page.locator(f"#{time_button_id(*shown.times[0])}")
    page.locator("button.timeslot").or_(page.get_by_text(NOTHING_FREE)).first.wait_for()  # a day is shown
    if not first.is_visible():
        day = page.locator(f'.muc-calendar-item[aria-disabled="false"][aria-label="{shown.day.day} auswählen"]')
        if not day.count():
            raise RenderFailed(f"the booking page shows neither {shown.day} nor its times")
        day.first.dispatch_event("click")
        first.wait_for()
    if page.locator(f"#timeslot-grid-provider-{shown.office_id}").count():
        return shown.office_id
    return shown.times[0][0]  # the times are shown under their booking office (a shared-booking peer)


def _cut_out(page: Page, *, office_id: int, rows_office: int) -> Shot:
    """The office's title over the day's heading and time rows, each cut from the page (in page coordinates,
    so rows taller than the viewport are whole) and stacked: the calendar between them is left out, so the
    picture stays legible on a phone. The strips are as wide as the rows' labels and buttons and the titles'
    text need. The page's geometry is read in one call."""
    seen = page.evaluate(GEOMETRY, [f"provider-{office_id}", f"timeslot-grid-provider-{rows_office}"])
    if not seen["buttons"]:
        raise RenderFailed("the booking page shows none of the finding's times")
    texts = [t for t in (seen["title"], seen["headingText"]) if t]
    left = max(0.0, min(b["x"] for b in [*seen["rows"], *texts]) - MARGIN_PX)
    right = max(left + MIN_WIDTH_PX, max(b["x"] + b["width"] for b in [*seen["buttons"], *texts]) + MARGIN_PX)
    day = [box for box in (seen["heading"], *seen["rows"]) if box]
    strips = [_strip(day, left, right, below=MARGIN_PX)]
    if seen["title"]:
        strips.insert(0, _strip([seen["title"]], left, right, below=2))  # not the half of a line below it
    return Shot(_stacked(_capture(page, strips), strips), strips)


def _capture(page: Page, strips: list[FloatRect]) -> Image.Image:
    """One capture of the page region spanning ``strips`` (beyond the viewport where needed), by DevTools with
    its fast PNG encoding: a render's largest cost after loading the page."""
    top = min(s["y"] for s in strips)
    bottom = max(s["y"] + s["height"] for s in strips)
    clip = {"x": strips[0]["x"], "y": top, "width": strips[0]["width"], "height": bottom - top, "scale": 1}
    devtools = page.context.new_cdp_session(page)
    try:
        shot = devtools.send(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True, "optimizeForSpeed": True},
        )
    finally:
        devtools.detach()
    return Image.open(io.BytesIO(base64.b64decode(shot["data"])))


def _strip(boxes: list[dict[str, float]], left: float, right: float, *, below: float) -> FloatRect:
    """The rows of the page that ``boxes`` cover, from ``left`` to ``right``."""
    top = max(0.0, min(b["y"] for b in boxes) - MARGIN_PX)
    bottom = max(b["y"] + b["height"] for b in boxes) + below
    return FloatRect(x=left, y=top, width=right - left, height=bottom - top)


def _stacked(region: Image.Image, strips: list[FloatRect]) -> bytes:
    """The strips cut from the captured region, one under the other, as PNG."""
    top = min(s["y"] for s in strips)
    scale = region.width / strips[0]["width"]
    parts = [
        region.crop((0, round((s["y"] - top) * scale), region.width, round((s["y"] - top + s["height"]) * scale)))
        for s in strips
    ]
    whole = Image.new("RGB", (region.width, sum(p.height for p in parts)), "white")
    at = 0
    for part in parts:
        whole.paste(part, (0, at))
        at += part.height
    out = io.BytesIO()
    whole.save(out, format="PNG")
    return out.getvalue()


# Boxes in page coordinates (CSS pixels) of what the screenshot must hold, found through the open shadow roots:
# the office's title (its text), the first day heading (the element and its text), the office's time rows and
# their shown time buttons.
GEOMETRY = """([titleId, rowsId]) => {
  const all = [];
  const walk = root => {
    for (const e of root.querySelectorAll("*")) { all.push(e); if (e.shadowRoot) walk(e.shadowRoot); }
  };
  walk(document);
  const box = r => ({x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height});
  const text = e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return box(range.getBoundingClientRect());
  };
  const title = all.find(e => e.id === titleId);
  const heading = all.find(e => e.tagName === "H4");
  const rows = all.filter(e => e.id === rowsId);
  const buttons = rows.flatMap(r => [...r.querySelectorAll("button.timeslot")]);
  return {
    title: title ? text(title) : null,
    heading: heading ? box(heading.getBoundingClientRect()) : null,
    headingText: heading ? text(heading) : null,
    rows: rows.map(r => box(r.getBoundingClientRect())),
    buttons: buttons.map(b => box(b.getBoundingClientRect())).filter(b => b.width > 0),
  };
}"""

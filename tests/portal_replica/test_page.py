"""The booking page in Debian's Chromium against a uvicorn-served replica (docs/portal.md, "Booking page").

One server, browser and page serve the whole module; each test resets the replica and loads its URL afresh.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect, sync_playwright

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from portal_replica.replica import Replica
from portal_replica.slots import BERLIN, berlin_timestamp
from tests.portal_replica.replica_helpers import API, DLDB
from tests.portal_replica.test_process import free_port

CHROMIUM = "/usr/lib/chromium/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE = "/buergerservice/terminvereinbarung.html"
WOHNSITZ, RUPPERT, AUSBILDUNG = 1063475, 10489, 10503
SZE, NOTFALL = 10461, 10339028  # an office with the captcha and its service
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


@dataclass
class Site:
    url: str
    replica: Replica
    page: Page
    sent: list[Request] = field(default_factory=list)

    def open(self, route: str, query: str = "") -> None:
        """Load the page afresh (a new document, not a hash change) and forget earlier requests."""
        self.page.goto("about:blank")
        self.sent.clear()
        self.page.goto(f"{self.url}{PAGE}{query}{route}")

    def calls(self) -> list[str]:
        """API endpoints in the order the page sent them."""
        return [urlsplit(r.url).path.removeprefix(API).strip("/") for r in self.sent]

    def queries(self, endpoint: str) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(r.url).query) for r in self.sent if urlsplit(r.url).path.endswith(f"/{endpoint}/")]

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def module_site(browser: Browser) -> Iterator[Site]:
    replica = Replica(ReplicaConfig(dldb_path=DLDB, rate_limit_enabled=False))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(replica=replica), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, timezone_id="Europe/Berlin", locale="de-DE")
    context.set_default_timeout(15000)
    site = Site(f"http://127.0.0.1:{port}", replica, context.new_page())
    site.page.on("request", lambda r: r.url.startswith(site.url + API) and site.sent.append(r))
    try:
        yield site
    finally:
        context.close()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def site(module_site: Site) -> Site:
    module_site.replica.reset()
    module_site.sent.clear()
    return module_site


def today() -> date:
    return datetime.now(BERLIN).date()


def next_month(days: int) -> date:
    """A day of next month: its calendar is painted by itself, whatever today is."""
    first = (today().replace(day=28) + timedelta(days=4)).replace(day=1)
    return first + timedelta(days=days)


def in_six_months(day: date) -> date:
    """The city's horizon end: the same day number six months on, overflowing into the month after."""
    years, month = divmod(day.month - 1 + 6, 12)
    return date(day.year + years, month + 1, 1) + timedelta(days=day.day - 1)


def heading(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d.%m.%Y}"


def at(day: date, clock: str) -> int:
    return berlin_timestamp(day, clock)


def tile(page: Page, day: date) -> Locator:
    """The day tile of ``day`` in the month shown."""
    return page.locator(f"div.muc-calendar-item[aria-label='{day.day} auswählen']")


def press_next(page: Page) -> None:
    page.get_by_role("button", name="Weiter").click()


def test_the_page_is_the_citys_web_component_and_asks_nothing_before_weiter(site: Site) -> None:
    page = site.page
    site.replica.open_slots(RUPPERT, WOHNSITZ, day=next_month(2), times=["09:00"])
    site.open(f"#/services/{WOHNSITZ}/locations/{RUPPERT}")
    expect(page.get_by_role("button", name="Weiter")).to_be_visible()
    structure = page.evaluate(
        """() => {
        const outer = document.querySelector('zms-appointment');
        const host = outer.shadowRoot.querySelector('zms-appointment-i18n-host');
        const wrapped = host.querySelector(':scope > zms-appointment-wrapped');
        const shadow = wrapped.shadowRoot;
        return {
          outer: outer.shadowRoot.mode, baseUrl: outer.getAttribute('base-url'),
          hostSlot: host.shadowRoot.mode + ':' + host.shadowRoot.querySelectorAll('slot').length,
          wrapped: shadow.mode, wrappedBase: wrapped.getAttribute('base-url'),
          link: shadow.querySelector('link[rel=stylesheet]').href.endsWith('/booking.css'),
          hidden: shadow.querySelector('main').classList.contains('styles-loading'),
          lightButtons: document.querySelectorAll('button').length,
        };
    }"""
    )
    assert structure == {
        "outer": "open",
        "baseUrl": API,
        "hostSlot": "open:1",
        "wrapped": "open",
        "wrappedBase": API,
        "link": True,
        "hidden": False,
        "lightButtons": 0,
    }
    assert page.evaluate("document.querySelector('button.m-button')") is None
    expect(page.locator("h2", has_text="Leistung")).to_be_visible()
    expect(page.locator(f"#service-{WOHNSITZ}")).to_contain_text("Wohnsitzanmeldung")
    expect(page.get_by_role("button", name="Leistung wechseln")).to_be_visible()
    expect(page.get_by_role("button", name="Weiter")).to_have_attribute("aria-disabled", "false")
    site.settle()
    # no office of the service needs the captcha, so the page does not ask captcha-details (as the city's)
    assert site.calls() == ["offices-and-services"]
    assert site.queries("offices-and-services") == [{"serviceId": [str(WOHNSITZ)], "locationId": [str(RUPPERT)]}]

    # the service route is read once on mount: another one in the hash changes nothing and asks nothing
    page.evaluate(f"location.hash = '#/services/{NOTFALL}/locations/{SZE}'")
    site.settle()
    assert page.evaluate("location.hash") == f"#/services/{NOTFALL}/locations/{SZE}"
    assert site.calls() == ["offices-and-services"]
    expect(page.locator(f"#service-{WOHNSITZ}")).to_be_visible()
    expect(page.locator("altcha-widget")).to_have_count(0)

    # the calendar is asked only after "Weiter", once, with the city's parameters; a spinner shows meanwhile
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/available-calendar/**", hold)
    press_next(page)
    spinner = page.locator("div.m-spinner-container")
    expect(spinner).to_contain_text("Wir suchen nach passenden Terminen...")
    for _ in range(1000):  # until the held request has reached its handler (events arrive during the wait)
        if held:
            break
        page.wait_for_timeout(10)
    held[0].continue_()
    page.unroute("**/available-calendar/**")
    expect(spinner).to_have_count(0)
    expect(page.locator("h4")).to_have_text(heading(next_month(2)))
    [query] = site.queries("available-calendar")
    day = today().isoformat()
    assert query == {
        "startDate": [day],
        "endDate": [in_six_months(today()).isoformat()],
        "officeIds": [f"{RUPPERT},{AUSBILDUNG}"],
        "serviceIds": [str(WOHNSITZ)],
        "serviceCounts": ["1"],
        "slotsStartDate": [day],
        "slotsEndDate": [day],
    }
    assert site.calls() == ["offices-and-services", "available-calendar"]

    for text in ["abc", "x" * 119]:  # the pure-JS SHA-256 the captcha uses outside secure contexts
        digest = page.evaluate(
            "async t => { const m = await import('/buergerservice/replica-static/altcha.js');"
            " return m.hex(m.sha256js(new TextEncoder().encode(t))); }",
            text,
        )
        assert digest == hashlib.sha256(text.encode()).hexdigest()


def test_shared_booking_peers_among_several_offices_page_by_day_part(site: Site, tmp_path: Path) -> None:
    page, replica = site.page, site.replica
    first, second = next_month(2), next_month(9)
    replica.open_slots(RUPPERT, WOHNSITZ, day=first, times=["09:00", "09:30", "14:00"])
    replica.open_slots(AUSBILDUNG, WOHNSITZ, day=first, times=["09:00", "10:00"])
    replica.open_slots(RUPPERT, WOHNSITZ, day=second, times=["11:00", "15:30"])
    site.open(f"#/services/{WOHNSITZ}/locations/{RUPPERT}")
    press_next(page)
    expect(page.locator("h4")).to_have_text(heading(first))
    assert len(site.queries("available-calendar")) == 1

    # the deep link's office is checked among the service's other offices; the peer shares its section
    expect(page.locator(f"#checkbox-provider-{RUPPERT}")).to_be_checked()
    expect(page.locator("#checkbox-provider-102522")).not_to_be_checked()
    expect(tile(page, first)).to_have_class("muc-calendar-item selected")
    expect(tile(page, first)).to_have_attribute("aria-disabled", "false")
    expect(tile(page, second)).to_have_attribute("aria-disabled", "false")
    other = first + timedelta(days=1)
    expect(tile(page, other)).to_have_attribute("aria-disabled", "true")
    expect(tile(page, other)).to_have_class("muc-calendar-item disabled-tile")

    grids = page.locator(f"div#timeslot-grid-provider-{RUPPERT}")
    expect(grids).to_have_count(1)
    expect(page.locator(f"h5#provider-{RUPPERT}")).to_have_text("Bürgerbüro Ruppertstraße")
    expect(grids.locator("p")).to_have_text("Vormittag")
    owners = [(RUPPERT, "09:00"), (RUPPERT, "09:30"), (AUSBILDUNG, "10:00")]
    items = grids.locator("div.grid-item")
    expect(items).to_have_count(3)
    for index, (office, clock) in enumerate(owners):
        item = items.nth(index)
        expect(item).to_have_attribute("data-provider-id", str(office))
        expect(item).to_have_attribute("data-timeslot", str(at(first, clock)))
        button = item.locator("button.timeslot")
        expect(button).to_have_id(f"provider-{office}-timeslot-{at(first, clock)}")
        expect(button).to_have_text(clock)
        expect(button).to_have_attribute("aria-label", f"{clock} Uhr, Bürgerbüro Ruppertstraße")
    earlier = page.get_by_role("button", name="Früher")
    later = page.get_by_role("button", name="Später")
    expect(earlier).to_have_attribute("aria-disabled", "true")
    expect(earlier).to_have_class("m-button m-button--ghost disabled")
    expect(earlier).not_to_have_attribute("disabled", "")
    later.click()
    expect(grids.locator("p")).to_have_text("Nachmittag")
    expect(grids.locator("button.timeslot")).to_have_text(["14:00"])
    expect(later).to_have_attribute("aria-disabled", "true")
    expect(earlier).to_have_attribute("aria-disabled", "false")
    page.set_viewport_size({"width": 390, "height": 844})
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.set_viewport_size({"width": 1100, "height": 900})

    # another bookable day: one one-day request, then its times
    tile(page, second).click()
    expect(page.locator("h4")).to_have_text(heading(second))
    expect(tile(page, second)).to_have_class("muc-calendar-item selected")
    calendar = site.queries("available-calendar")
    assert len(calendar) == 2
    assert (calendar[1]["slotsStartDate"], calendar[1]["slotsEndDate"]) == ([second.isoformat()], [second.isoformat()])
    assert calendar[1]["officeIds"] == [f"{RUPPERT},{AUSBILDUNG}"]
    expect(page.locator("button.timeslot")).to_have_text(["11:00"])


def test_exclusive_location_shows_all_day_parts_and_weiter_reserves(site: Site) -> None:
    page, replica = site.page, site.replica
    day = next_month(3)
    replica.open_slots(RUPPERT, WOHNSITZ, day=day, times=["09:00", "14:00"])
    replica.open_slots(AUSBILDUNG, WOHNSITZ, day=day, times=["10:00"])
    site.open(f"#/services/{WOHNSITZ}/locations/{RUPPERT}", query="?exclusiveLocation=1")
    press_next(page)
    expect(page.locator("h4")).to_have_text(heading(day))
    assert site.queries("available-calendar")[0]["officeIds"] == [f"{RUPPERT},{AUSBILDUNG}"]
    expect(page.locator(f"h3#provider-{RUPPERT}")).to_have_text("Bürgerbüro Ruppertstraße")
    expect(page.locator("input[type=checkbox]")).to_have_count(0)
    expect(page.locator(f"div#timeslot-grid-provider-{RUPPERT} p")).to_have_text(["Vormittag", "Nachmittag"])
    expect(page.locator("h5")).to_have_count(0)
    expect(page.get_by_role("button", name="Später")).to_have_count(0)
    expect(page.locator("button.timeslot")).to_have_text(["09:00", "10:00", "14:00"])
    weiter = page.get_by_role("button", name="Weiter")
    expect(weiter).to_have_attribute("aria-disabled", "true")

    site.settle()
    before = site.calls()
    page.locator(f"#provider-{AUSBILDUNG}-timeslot-{at(day, '10:00')}").click()
    expect(page.locator(f"#provider-{AUSBILDUNG}-timeslot-{at(day, '10:00')}")).to_have_class(
        "m-button m-button--primary timeslot"
    )
    expect(page.get_by_text("Ausgewählter Termin")).to_be_visible()
    site.settle()
    assert site.calls() == before  # choosing a time asks nothing
    expect(weiter).to_have_attribute("aria-disabled", "false")
    weiter.click()
    expect(page.get_by_role("heading", name="Kontaktdaten")).to_be_visible()
    assert site.calls() == [*before, "reserve-appointment"]
    [process] = replica.processes()
    assert (process["officeId"], process["status"], process["timestamp"]) == (AUSBILDUNG, "reserved", at(day, "10:00"))


def test_nothing_free_shows_the_citys_callout(site: Site) -> None:
    page = site.page
    site.open(f"#/services/{WOHNSITZ}/locations/{RUPPERT}")
    press_next(page)
    expect(page.get_by_text("Aktuell ist kein Termin verfügbar.")).to_be_visible()
    expect(page.locator("div.muc-calendar-item")).to_have_count(0)
    expect(page.get_by_role("button", name="Weiter")).to_have_attribute("aria-disabled", "true")
    assert site.calls() == ["offices-and-services", "available-calendar"]


def test_a_listed_day_without_times_leads_to_one_follow_up_request(site: Site) -> None:
    page, replica = site.page, site.replica
    empty, free = next_month(1), next_month(8)
    replica.list_days(RUPPERT, WOHNSITZ, [empty])  # bookable by opening hours, but nothing free
    replica.open_slots(RUPPERT, WOHNSITZ, day=free, times=["08:30"])
    site.open(f"#/services/{WOHNSITZ}/locations/{RUPPERT}", query="?exclusiveLocation=1")
    press_next(page)
    expect(page.locator("h4")).to_have_text(heading(free))
    expect(page.locator("button.timeslot")).to_have_text(["08:30"])
    first, follow_up = site.queries("available-calendar")
    assert first["slotsStartDate"] == [today().isoformat()]
    assert (follow_up["slotsStartDate"], follow_up["slotsEndDate"]) == ([free.isoformat()], [free.isoformat()])
    site.settle()
    assert len(site.queries("available-calendar")) == 2

    # the follow-up lists the empty day unverified, so it can be chosen; its own request finds nothing free
    expect(tile(page, empty)).to_have_attribute("aria-disabled", "false")
    tile(page, empty).click()
    expect(page.get_by_text("Aktuell ist kein Termin verfügbar.")).to_be_visible()
    expect(page.locator("button.timeslot")).to_have_count(0)
    expect(tile(page, empty)).to_have_attribute("aria-disabled", "true")
    assert site.queries("available-calendar")[2]["slotsStartDate"] == [empty.isoformat()]


def test_captcha_office_is_solved_by_a_click_and_its_expiry_locks_the_calendar(site: Site) -> None:
    page, replica = site.page, site.replica
    first, second = next_month(4), next_month(5)
    replica.open_slots(SZE, NOTFALL, day=first, times=["11:00"])
    replica.open_slots(SZE, NOTFALL, day=second, times=["12:00"])
    site.open(f"#/services/{NOTFALL}/locations/{SZE}")
    weiter = page.get_by_role("button", name="Weiter")
    box = page.locator("altcha-widget .altcha")
    expect(box).to_have_attribute("data-state", "unverified")
    expect(weiter).to_have_attribute("aria-disabled", "true")
    site.settle()
    assert site.calls() == ["offices-and-services", "captcha-details"]

    page.get_by_text("Ich bin kein Bot.").click()
    expect(box).to_have_attribute("data-state", "verified")
    expect(weiter).to_have_attribute("aria-disabled", "false")
    assert site.calls() == ["offices-and-services", "captcha-details", "captcha-challenge", "captcha-verify"]
    weiter.click()
    expect(page.locator("button.timeslot")).to_have_text(["11:00"])
    [query] = site.queries("available-calendar")
    assert query["officeIds"] == [str(SZE)]
    assert query["captchaToken"][0].count(".") == 2

    replica.advance_clock(400)  # the token (300 s) has expired
    tile(page, second).click()
    expect(page.get_by_text("Ihre Sitzung ist abgelaufen.")).to_be_visible()
    expect(page.locator("div.muc-calendar-item")).to_have_count(0)
    second_query = site.queries("available-calendar")[1]
    assert second_query["captchaToken"] == query["captchaToken"]
    assert second_query["slotsStartDate"] == [second.isoformat()]
    # back on step 1 (a fresh step: catalogue and captcha again), the captcha must be solved anew
    page.get_by_role("button", name="Zurück").click()
    expect(page.locator("altcha-widget .altcha")).to_have_attribute("data-state", "unverified")
    expect(page.get_by_role("button", name="Weiter")).to_have_attribute("aria-disabled", "true")
    site.settle()
    assert site.calls()[-2:] == ["offices-and-services", "captcha-details"]


def link_hash(process: dict[str, object]) -> str:
    raw = json.dumps({"id": str(process["processId"]), "authKey": process["authKey"]}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode("ascii")


def test_appointment_links_activate_and_show_the_appointment(site: Site) -> None:
    page, replica = site.page, site.replica
    day = next_month(6)
    replica.open_slots(RUPPERT, WOHNSITZ, day=day, times=["09:00"])
    with httpx.Client(base_url=site.url + API) as client:
        reserved = client.post(
            "/reserve-appointment/",
            json={"timestamp": at(day, "09:00"), "serviceCount": [1], "officeId": RUPPERT, "serviceId": [WOHNSITZ]},
        ).json()
        credentials = {"processId": reserved["processId"], "authKey": reserved["authKey"]}
        client.post(
            "/update-appointment/", json={**credentials, "familyName": "Anna Muster", "email": "anna@example.org"}
        )
        client.post("/preconfirm-appointment/", json=credentials)

    site.open(f"#/appointment/confirm/{link_hash(reserved)}")
    expect(page.get_by_text("Ihr Termin wurde gebucht.")).to_be_visible()
    assert site.calls() == ["confirm-appointment"]
    assert replica.processes()[0]["status"] == "confirmed"

    site.open(f"#/appointment/{link_hash(reserved)}")
    expect(page.get_by_role("heading", name="Ihr Termin")).to_be_visible()
    expect(page.get_by_text("Anna Muster")).to_be_visible()
    expect(page.get_by_text("Bürgerbüro Ruppertstraße").first).to_be_visible()
    expect(page.get_by_role("button", name="Termin absagen")).to_be_visible()
    assert site.calls() == ["offices-and-services", "appointment"]

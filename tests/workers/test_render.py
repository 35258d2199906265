"""Evidence renders on the worker's warm page (docs/portal.md, "Booking page"), against the in-process replica.

The page stays loaded between findings and follows its own hash route to the next target (to the same target
again by way of the service's first step); a page that does not follow it is loaded afresh. Either way the
screenshot is of the target's calendar, which the calendar request the page sends proves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Page

from core.checks import evidence_of
from core.db import transaction
from core.models import Check
from core.queue import ADD_THUMBNAIL
from core.settings import Settings
from core.subscriptions import create_subscription
from tests.workers.test_booking import API, DAY, farm_settings
from workers.check import check_service
from workers.farm import Farm
from workers.portal import calendar_from, calendar_url, horizon, page_catalogue, parse_calendar
from workers.proof import add_thumbnail
from workers.render import Answers, asks_for

WOHNSITZ = 1063475
RUPPERT, RUPPERT_PEER, ORLEANS, LEONROD = 10489, 10503, 102522, 102523
NAMES = {RUPPERT: "Ruppertstraße", ORLEANS: "Orleansplatz", LEONROD: "Leonrodstraße"}


@pytest.fixture
def farm(sqlite_url: str, redis_url: str, replica_url: str, tmp_path: Path) -> Iterator[Farm]:
    settings: Settings = farm_settings(sqlite_url, redis_url, replica_url, tmp_path / "evidence")
    httpx.post(f"{replica_url}/__replica__/reset", json={}).raise_for_status()
    for office in NAMES:
        body = {"officeId": office, "serviceId": WOHNSITZ, "date": DAY.isoformat(), "times": ["09:00"]}
        httpx.post(f"{replica_url}/__replica__/slots/open", json=body).raise_for_status()
    farm = Farm(settings)
    yield farm
    farm.browser.close()


def answers(farm: Farm, office: int) -> Answers:
    """What a check of ``office`` holds: the service's catalogue and the calendar cut down to the office."""
    today = dt.date.today()
    url = calendar_url(farm.settings.portal_api_url, office_ids=list(NAMES), service_id=WOHNSITZ, today=today)
    seen = parse_calendar(httpx.get(url).json(), url=url, office_ids=list(NAMES), window=horizon(today))
    offices = (office, RUPPERT_PEER) if office == RUPPERT else (office,)
    calendar = calendar_from(seen.only_offices(offices), today=today, day=DAY)
    return Answers(page_catalogue(farm.catalogue.raw(), WOHNSITZ), calendar, None)


class Watching:
    """The calendar requests the page sends, and whether it is still the document marked before."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.calendars: list[str] = []
        page.on("request", lambda r: self.calendars.append(r.url) if "available-calendar" in r.url else None)

    def mark(self) -> None:
        self.page.evaluate("() => { window.mtaMark = true }")

    def same_document(self) -> bool:
        return bool(self.page.evaluate("() => window.mtaMark === true"))


def render(farm: Farm, office: int) -> tuple[bytes, Any]:
    with farm.browser.page() as page:
        shot = farm.evidence_page.render(page, service_id=WOHNSITZ, office_id=office, answers=answers(farm, office))
        return shot, page


def shows(page: Page, office: int) -> bool:
    return page.get_by_text(NAMES[office], exact=False).first.is_visible() and page.get_by_text("09:00").is_visible()


def switched_to(farm: Farm, watching: Watching, office: int) -> None:
    """Render a finding of ``office``: the loaded page follows its hash route there and shows the calendar."""
    asked_before = len(watching.calendars)
    shot, page = render(farm, office)
    assert shot.startswith(b"\x89PNG")
    assert watching.same_document(), "the page was switched by its hash route, not loaded again"
    assert len(watching.calendars) == asked_before + 1, "the page asked for the calendar once, and got our answer"
    assert asks_for(watching.calendars[-1], service_id=WOHNSITZ, office_id=office)
    assert shows(page, office)


def test_the_next_target_follows_the_hash_route_of_the_loaded_page(farm: Farm) -> None:
    shot, page = render(farm, RUPPERT)
    assert shot.startswith(b"\x89PNG")
    assert shows(page, RUPPERT)
    watching = Watching(page)
    watching.mark()

    switched_to(farm, watching, ORLEANS)
    assert not page.get_by_text(NAMES[RUPPERT]).count(), "nothing of the last target is left on screen"

    switched_to(farm, watching, ORLEANS)  # the same route again: by way of the service's first step


def test_a_loaded_page_never_calls_the_portal_on_its_own(farm: Farm, replica_url: str) -> None:
    """Between renders the page's API calls are refused, so only the budget's requests reach the portal; the
    next render is answered as before."""
    _, page = render(farm, RUPPERT)
    log = f"{replica_url}/__replica__/requests"
    before = len(httpx.get(log).json())
    outcome = page.evaluate("url => fetch(url).then(r => r.status, () => 'refused')", f"{API}/offices-and-services/")
    assert outcome == "refused"
    assert len(httpx.get(log).json()) == before, "the page's own call never reached the portal"
    watching = Watching(page)
    watching.mark()
    switched_to(farm, watching, ORLEANS)


# A page without hash routing: hashchange listeners are never registered, its own nor ours.
IGNORES_HASH = """(() => {
  const add = window.addEventListener;
  window.addEventListener = function (type, ...rest) { if (type !== "hashchange") add.call(this, type, ...rest); };
})()"""


def test_a_page_that_does_not_follow_its_route_is_loaded_afresh(farm: Farm, caplog: pytest.LogCaptureFixture) -> None:
    with farm.browser.page() as page:
        page.add_init_script(IGNORES_HASH)
    _, page = render(farm, RUPPERT)
    watching = Watching(page)
    watching.mark()

    with caplog.at_level(logging.INFO, logger="workers.render"):
        shot, _ = render(farm, ORLEANS)
    assert shot.startswith(b"\x89PNG")
    assert caplog.text.count("did not follow its hash route") == 1
    assert not watching.same_document(), "loaded afresh"
    assert asks_for(watching.calendars[-1], service_id=WOHNSITZ, office_id=ORLEANS)
    assert shows(page, ORLEANS)

    watching.mark()
    with caplog.at_level(logging.INFO, logger="workers.render"):
        render(farm, LEONROD)  # that page is not switched again: no second wait for a route it does not follow
    assert caplog.text.count("did not follow its hash route") == 1
    assert not watching.same_document()
    assert shows(page, LEONROD)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{API}/available-calendar/?officeIds=10489%2C10503&serviceIds=1063475&serviceCounts=1", True),
        (f"{API}/available-calendar/?officeIds=10503,10489&serviceIds=1063475", True),
        (f"{API}/available-calendar/?officeIds=102522&serviceIds=1063475", False),
        (f"{API}/available-calendar/?officeIds=10489&serviceIds=1063475,1063486", False),
        (f"{API}/available-calendar/?officeIds=10489&serviceIds=1063486", False),
        (f"{API}/available-calendar/?serviceIds=1063475", False),
    ],
)
def test_a_calendar_request_is_the_targets_when_it_names_its_service_and_office(url: str, expected: bool) -> None:
    assert asks_for(url, service_id=WOHNSITZ, office_id=RUPPERT) is expected


def test_a_page_opened_ahead_follows_its_route_to_the_first_finding(farm: Farm) -> None:
    with farm.browser.page() as page:
        assert farm.evidence_page.wants_opening(page)
        farm.evidence_page.open(page, service_id=WOHNSITZ, catalogue=page_catalogue(farm.catalogue.raw(), WOHNSITZ))
    assert not farm.evidence_page.wants_opening(page), "opened once, not after every check"
    assert page.get_by_role("button", name="Weiter").is_visible()
    watching = Watching(page)
    watching.mark()

    switched_to(farm, watching, RUPPERT)  # the first finding follows the route of the page opened ahead


def test_a_page_that_cannot_be_opened_ahead_is_not_tried_again(farm: Farm, caplog: pytest.LogCaptureFixture) -> None:
    broken = Farm(farm.settings.model_copy(update={"portal_page_url": "http://127.0.0.1:9/terminvereinbarung.html"}))
    try:
        with broken.browser.page() as page, caplog.at_level(logging.INFO, logger="workers.render"):
            broken.evidence_page.open(page, service_id=WOHNSITZ, catalogue={})
        assert "could not be opened ahead" in caplog.text
        assert not page.url.startswith("http://127.0.0.1:9/"), "no booking page on it"
        assert not broken.evidence_page.wants_opening(page), "it failed once: a finding loads the page itself"
    finally:
        broken.browser.close()


def test_a_check_opens_the_booking_page_ahead_on_a_new_page(farm: Farm) -> None:
    quiet = 102524  # Bürgerbüro Scheidplatz offers the service; the fixture opened no slot there
    with transaction(farm.sessions) as session:
        create_subscription(session, user_id=41, service_id=WOHNSITZ, office_ids=[quiet])
    assert farm.browser.current_page is None, "no page before the first check"

    check_service(farm, service_id=WOHNSITZ, task_id=None, worker="test")
    page = farm.browser.current_page
    assert page is not None
    assert page.url == f"{farm.settings.portal_page_url}#/services/{WOHNSITZ}"
    assert page.get_by_role("button", name="Weiter").is_visible()
    watching = Watching(page)
    watching.mark()

    check_service(farm, service_id=WOHNSITZ, task_id=None, worker="test")
    assert watching.same_document(), "opened once per page, not after every check"


def test_the_screenshot_is_the_viewport_and_survives_a_lost_devtools_session(
    farm: Farm, caplog: pytest.LogCaptureFixture
) -> None:
    shot, page = render(farm, RUPPERT)
    viewport = page.viewport_size
    assert viewport is not None
    with Image.open(io.BytesIO(shot)) as image:
        assert image.format == "PNG"
        assert image.size == (viewport["width"], viewport["height"])

    devtools = farm.evidence_page._devtools  # the session the screenshot was taken by, kept for the next
    assert devtools is not None
    assert devtools[0] is page
    devtools[1].detach()
    with caplog.at_level(logging.INFO, logger="workers.render"):
        shot, _ = render(farm, ORLEANS)  # its DevTools session is gone: Playwright takes the screenshot
    assert "taken by Playwright" in caplog.text
    with Image.open(io.BytesIO(shot)) as image:
        assert image.size == (viewport["width"], viewport["height"])
    assert shows(page, ORLEANS)

    render(farm, RUPPERT)  # and the next finding has a session again
    devtools = farm.evidence_page._devtools
    assert devtools is not None
    assert devtools[0] is page


def test_a_findings_thumbnail_is_made_later_by_its_own_task_once(farm: Farm) -> None:
    with transaction(farm.sessions) as session:
        create_subscription(session, user_id=42, service_id=WOHNSITZ, office_ids=[ORLEANS])
    (check_id,) = check_service(farm, service_id=WOHNSITZ, task_id=None, worker="test")
    with transaction(farm.sessions) as session:
        assert set(evidence_of(session, check_id=check_id)) == {"raw_json", "screenshot"}, "no thumbnail in the burst"

    queued = [json.loads(m) for m in farm.redis.lrange("celery", 0, -1)]  # the farm's broker: Celery's own queue
    assert [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in queued] == [(ADD_THUMBNAIL, f"({check_id},)")]
    assert queued[0]["headers"]["eta"], "it waits until the burst is over"

    assert add_thumbnail(farm, check_id=check_id)
    assert not add_thumbnail(farm, check_id=check_id), "a task delivered twice makes it once"
    with transaction(farm.sessions) as session:
        files = evidence_of(session, check_id=check_id)
    thumb = files["thumbnail"]
    data = Path(thumb.path).read_bytes()
    assert hashlib.sha256(data).hexdigest() == thumb.sha256
    with Image.open(io.BytesIO(data)) as image:
        assert image.width <= 400
        assert image.height <= 300


def test_an_office_the_catalogue_no_longer_offers_is_an_error_not_no_slots(farm: Farm) -> None:
    kfz = 10308013  # offers only the Zulassung, never Wohnsitzanmeldung
    with transaction(farm.sessions) as session:
        create_subscription(session, user_id=43, service_id=WOHNSITZ, office_ids=[kfz])
    (check_id,) = check_service(farm, service_id=WOHNSITZ, task_id=None, worker="test")
    with transaction(farm.sessions) as session:
        check = session.get_one(Check, check_id)
        assert check.outcome == "error", "never 'no slots', which would close the target's slots"
        assert check.error is not None
        assert "no longer offers service" in check.error

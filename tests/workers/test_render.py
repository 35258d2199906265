"""Evidence renders (docs/portal.md, "Booking page") with real Chromium against the in-process replica, whose
page is built as the city's: a web component in open shadow roots that reads its deep link once.

Each render loads the target's deep link afresh, presses "Weiter" and screenshots the day's heading and the
office's time rows; the finding's time buttons, found by their ids, lie inside the image.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from playwright.sync_api import FloatRect, Page
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.checks import evidence_of
from core.db import transaction
from core.models import Check
from core.queue import ADD_PROOF, ADD_THUMBNAIL, CHECKS_QUEUE, PROOF_QUEUE
from core.settings import Settings
from core.slots import MUNICH, Observation, SeenSlot
from core.subscriptions import create_subscription
from tests.bot.conftest import serve_in_thread
from tests.workers.test_booking import API, DAY, farm_settings
from workers.check import check_service
from workers.farm import Farm
from workers.portal import calendar_from, calendar_url, horizon, page_catalogue, parse_calendar
from workers.proof import Finding, add_proof, add_thumbnail
from workers.render import Answers, RenderFailed, Shot, Shown, asks_for, time_button_id

WOHNSITZ = 1063475
RUPPERT, RUPPERT_PEER, ORLEANS, LEONROD = 10489, 10503, 102522, 102523
CAPTCHA_OFFICE, CAPTCHA_SERVICE = 10461, 10339028
OFFICES = (RUPPERT, ORLEANS, LEONROD)


@pytest.fixture
def farm(sqlite_url: str, redis_url: str, replica_url: str, tmp_path: Path) -> Iterator[Farm]:
    settings: Settings = farm_settings(sqlite_url, redis_url, replica_url, tmp_path / "evidence")
    httpx.post(f"{replica_url}/__replica__/reset", json={}).raise_for_status()
    farm = Farm(settings)
    yield farm
    farm.browser.close()


def open_slots(farm: Farm, office: int, day: dt.date, times: list[str], service: int = WOHNSITZ) -> None:
    replica = farm.settings.portal_api_url.split(API, 1)[0]
    body = {"officeId": office, "serviceId": service, "date": day.isoformat(), "times": times}
    httpx.post(f"{replica}/__replica__/slots/open", json=body).raise_for_status()


def seen(farm: Farm, office: int, service: int = WOHNSITZ) -> Observation:
    """What a check of ``office`` holds: the portal's answer over the horizon, cut down to the office."""
    today = dt.datetime.now(MUNICH).date()
    offices = (office, RUPPERT_PEER) if office == RUPPERT else (office,)
    url = calendar_url(farm.settings.portal_api_url, office_ids=offices, service_id=service, today=today)
    answer = parse_calendar(httpx.get(url).json(), url=url, office_ids=list(offices), window=horizon(today))
    verified = answer
    for day, _ in answer.unverified():  # the days after the first, as the farm verifies them
        one_day = calendar_url(
            farm.settings.portal_api_url, office_ids=offices, service_id=service, today=today, day=day
        )
        verified = verified.verified_by(
            parse_calendar(httpx.get(one_day).json(), url=one_day, office_ids=list(offices), window=(day, day))
        )
    return verified


def shown_on(observation: Observation, office: int, day: dt.date, service: int = WOHNSITZ) -> Shown:
    times = tuple(
        (s.office_id, int(s.starts_at.timestamp())) for s in sorted(observation.slots) if s.local.date() == day
    )
    return Shown(service, office, day, times)


def calendar_on(observation: Observation, first: dt.date) -> Callable[[dt.date | None], Any]:
    """The page's first calendar request answered with ``first``; a day it asks for then, with that day."""
    today = dt.datetime.now(MUNICH).date()

    def answer(asked: dt.date | None) -> Any:
        return calendar_from(observation, today=today, day=first if asked in (None, today) else asked)

    return answer


class Calendars:
    """The calendar requests the page sends."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url) if "available-calendar" in r.url else None)


def render(
    farm: Farm,
    shown: Shown,
    observation: Observation,
    *,
    first: dt.date | None = None,
    token: str | None = None,
) -> tuple[Shot, Page]:
    answers = Answers(
        page_catalogue(farm.catalogue.raw(), shown.service_id), calendar_on(observation, first or shown.day), token
    )
    with farm.browser.page() as page:
        return farm.evidence_page.render(page, shown, answers), page


def page_box(page: Page, selector: str, *, text: bool) -> dict[str, float]:
    """The box of what ``selector`` shows: its text, or the whole element (a button), in page coordinates."""
    box: dict[str, float] = page.locator(selector).first.evaluate(
        "(e, text) => { let r = e.getBoundingClientRect();"
        " if (text) { const range = document.createRange(); range.selectNodeContents(e);"
        " r = range.getBoundingClientRect(); }"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height} }",
        text,
    )
    return box


def inside(box: dict[str, float], clip: FloatRect) -> bool:
    return (
        clip["x"] <= box["x"]
        and box["x"] + box["width"] <= clip["x"] + clip["width"]
        and clip["y"] <= box["y"]
        and box["y"] + box["height"] <= clip["y"] + clip["height"]
    )


def assert_inside(shot: Shot, page: Page, selector: str, *, text: bool = False) -> None:
    """``selector`` (or its text) is shown, and lies wholly inside one of the strips the picture is made of."""
    box = page_box(page, selector, text=text)
    assert box["width"] > 0, f"{selector} is not shown"
    assert box["height"] > 0, f"{selector} is not shown"
    assert any(inside(box, strip) for strip in shot.strips), f"{selector} at {box} outside {shot.strips}"


def assert_picture(shot: Shot) -> None:
    """A PNG of the strips stacked (at the page's pixel ratio), not a blank one."""
    with Image.open(io.BytesIO(shot.png)) as image:
        assert image.format == "PNG"
        scale = image.width / max(s["width"] for s in shot.strips)
        assert scale >= 1
        assert abs(image.height - sum(s["height"] for s in shot.strips) * scale) <= 2 * len(shot.strips)
        colours = image.convert("L").getextrema()
        assert isinstance(colours, tuple)
        assert colours[1] - colours[0] > 100, "the picture shows something"


def test_the_screenshot_holds_the_findings_time_buttons_and_the_day(farm: Farm) -> None:
    open_slots(farm, ORLEANS, DAY, ["09:00", "14:30"])  # both parts of the day
    observation = seen(farm, ORLEANS)
    shown = shown_on(observation, ORLEANS, DAY)
    assert len(shown.times) == 2

    shot, page = render(farm, shown, observation)

    assert_picture(shot)
    for office, unix in shown.times:
        assert page.locator(f"#{time_button_id(office, unix)}").is_visible()
        assert_inside(shot, page, f"#{time_button_id(office, unix)}")
    heading = page.locator("h4").first
    assert DAY.strftime("%d.%m.%Y") in heading.inner_text()
    assert_inside(shot, page, "h4", text=True)
    assert_inside(shot, page, f"#provider-{ORLEANS}", text=True)  # the office's name
    assert len(shot.strips) == 2, "the office's title over the day: the calendar between is left out"
    assert "exclusiveLocation=1" in page.url
    assert page.url.endswith(f"#/services/{WOHNSITZ}/locations/{ORLEANS}")


def test_shared_booking_peers_times_are_shown_under_the_office(farm: Farm) -> None:
    open_slots(farm, RUPPERT, DAY, ["09:00", "09:30"])
    open_slots(farm, RUPPERT_PEER, DAY, ["09:00", "10:00"])
    observation = seen(farm, RUPPERT)
    shown = shown_on(observation, RUPPERT, DAY)
    assert {office for office, _ in shown.times} == {RUPPERT, RUPPERT_PEER}, "the portal hands times to both"

    shot, page = render(farm, shown, observation)

    assert_picture(shot)
    for office, unix in shown.times:
        assert_inside(shot, page, f"#{time_button_id(office, unix)}")


def test_a_finding_on_a_later_day_shows_that_days_times(farm: Farm) -> None:
    later = DAY + dt.timedelta(days=7)
    open_slots(farm, ORLEANS, DAY, ["09:00"])
    open_slots(farm, ORLEANS, later, ["11:00"])
    observation = seen(farm, ORLEANS)
    shown = shown_on(observation, ORLEANS, later)

    shot, page = render(farm, shown, observation)

    [(office, unix)] = shown.times
    assert_inside(shot, page, f"#{time_button_id(office, unix)}")
    first_day = shown_on(observation, ORLEANS, DAY).times[0]
    assert not page.locator(f"#{time_button_id(*first_day)}").count(), "the earlier day is not the one shown"


def test_a_page_showing_another_day_is_moved_to_the_findings_day_as_a_person_would(farm: Farm) -> None:
    """The page picked the first day its calendar answer narrowed to; the render clicks the finding's day, and
    the page asks for that day as it does when a person clicks it."""
    month = (dt.datetime.now(MUNICH).date().replace(day=1) + dt.timedelta(days=62)).replace(day=1)
    weekdays = [month + dt.timedelta(days=n) for n in range(28) if (month + dt.timedelta(days=n)).weekday() < 5]
    earlier, later = weekdays[2], weekdays[12]
    open_slots(farm, ORLEANS, earlier, ["09:00"])
    open_slots(farm, ORLEANS, later, ["15:00"])
    observation = seen(farm, ORLEANS)
    shown = shown_on(observation, ORLEANS, later)
    with farm.browser.page() as page:
        calendars = Calendars(page)

    shot, page = render(farm, shown, observation, first=earlier)

    assert_inside(shot, page, f"#{time_button_id(*shown.times[0])}")
    assert f"slotsStartDate={later.isoformat()}" in calendars.urls[-1], "the page asked for the clicked day"
    assert later.strftime("%d.%m.%Y") in page.locator("h4").first.inner_text()


def test_a_captcha_office_renders_with_a_solved_widget(farm: Farm) -> None:
    at = dt.datetime.combine(DAY, dt.time(10), MUNICH).astimezone(dt.UTC)  # what a check with a token saw
    observation = Observation(frozenset({SeenSlot(at, CAPTCHA_OFFICE)}), timed=frozenset({(DAY, CAPTCHA_OFFICE)}))
    shown = shown_on(observation, CAPTCHA_OFFICE, DAY, CAPTCHA_SERVICE)
    with farm.browser.page() as page:
        calendars = Calendars(page)
        captcha: list[str] = []
        page.on("request", lambda r: captcha.append(r.url.split("/")[-2]) if "/captcha-" in r.url else None)

    shot, page = render(farm, shown, observation, token="header.claims.signature")

    assert captcha == ["captcha-details", "captcha-challenge", "captcha-verify"], "the widget was ticked and solved"
    assert "captchaToken=header.claims.signature" in calendars.urls[-1], "the farm's token, not a solved one"
    assert_inside(shot, page, f"#{time_button_id(*shown.times[0])}")


def test_each_finding_loads_the_deep_link_afresh(farm: Farm) -> None:
    """The city's page reads its deep link once: a render never relies on a hash change, also for the same
    target twice."""
    for office in OFFICES:
        open_slots(farm, office, DAY, ["09:00"])
    with farm.browser.page() as page:
        calendars = Calendars(page)
    for office in (RUPPERT, ORLEANS, ORLEANS, LEONROD):
        observation = seen(farm, office)
        page.evaluate("() => { window.mtaMark = true }")
        shot, page = render(farm, shown_on(observation, office, DAY), observation)
        assert page.evaluate("() => window.mtaMark === undefined"), "a new document"
        assert asks_for(calendars.urls[-1], service_id=WOHNSITZ, office_id=office)
        assert_inside(shot, page, "button.timeslot")
    assert len(calendars.urls) == 4, "one calendar request a render, answered by the farm"


def test_a_loaded_page_never_calls_the_portal_on_its_own(farm: Farm, replica_url: str) -> None:
    """Between renders the page's API calls are refused, so only the budget's requests reach the portal."""
    open_slots(farm, ORLEANS, DAY, ["09:00"])
    observation = seen(farm, ORLEANS)
    _, page = render(farm, shown_on(observation, ORLEANS, DAY), observation)
    log = f"{replica_url}/__replica__/requests"
    before = len(httpx.get(log).json())
    outcome = page.evaluate("url => fetch(url).then(r => r.status, () => 'refused')", f"{API}/offices-and-services/")
    assert outcome == "refused"
    assert len(httpx.get(log).json()) == before, "the page's own call never reached the portal"


def test_the_page_reaches_no_origin_but_the_portals(farm: Farm, redis_url: str) -> None:
    """Issue 19: the page runs the city's scripts; its browser may reach the portal and nothing else, here
    another server on loopback that would answer."""
    other = Starlette(routes=[Route("/", lambda _request: PlainTextResponse("here"))])
    open_slots(farm, ORLEANS, DAY, ["09:00"])
    observation = seen(farm, ORLEANS)
    _, page = render(farm, shown_on(observation, ORLEANS, DAY), observation)
    with serve_in_thread(other) as url:
        assert httpx.get(url).text == "here", "the other server answers"
        outcome = page.evaluate("url => fetch(url, {mode: 'no-cors'}).then(() => 'reached', () => 'refused')", url)
    assert outcome == "refused"


def test_a_page_that_shows_no_time_of_the_finding_fails_with_the_reason(farm: Farm) -> None:
    open_slots(farm, ORLEANS, DAY, ["09:00"])
    observation = seen(farm, ORLEANS)
    shown = shown_on(observation, ORLEANS, DAY)
    gone = Observation(frozenset(), listed=observation.listed)  # the page is told of no free time at all
    with pytest.raises(RenderFailed, match="neither"):
        render(farm, shown, gone)


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


def _queued(farm: Farm, queue: str) -> list[dict[str, Any]]:
    """The task messages waiting on one of the farm's queues (Celery's Redis lists), oldest first."""
    return [json.loads(m) for m in reversed(farm.redis.lrange(queue, 0, -1))]


def test_a_check_queues_its_findings_render_which_makes_the_screenshot_then_a_thumbnail(farm: Farm) -> None:
    open_slots(farm, ORLEANS, DAY, ["09:00"])
    with transaction(farm.sessions) as session:
        create_subscription(session, user_id=42, service_id=WOHNSITZ, office_ids=[ORLEANS])
    (check_id,) = check_service(farm, service_id=WOHNSITZ, task_id=None, worker="test")
    with transaction(farm.sessions) as session:
        assert set(evidence_of(session, check_id=check_id)) == {"raw_json"}, "the check never waits for a render"
    (message,) = _queued(farm, PROOF_QUEUE)
    assert message["headers"]["task"] == ADD_PROOF
    assert farm.redis.llen(CHECKS_QUEUE) == 0, "renders never queue before checks"
    (args,), _, _ = json.loads(base64.b64decode(message["body"]))
    finding = Finding.from_json(args)  # what the task gets, as the broker carries it
    assert (finding.check_id, finding.office_id, finding.day) == (check_id, ORLEANS, DAY)
    assert finding.times == ((ORLEANS, int(dt.datetime.combine(DAY, dt.time(9), MUNICH).timestamp())),)

    assert add_proof(farm, finding)
    with transaction(farm.sessions) as session:
        files = evidence_of(session, check_id=check_id)
        check = session.get_one(Check, check_id)
    assert set(files) == {"raw_json", "screenshot"}, "no thumbnail in the burst"
    assert check.render_error is None
    with Image.open(files["screenshot"].path) as image:
        assert image.format == "PNG"

    thumbnail = _queued(farm, PROOF_QUEUE)[1]
    assert (thumbnail["headers"]["task"], thumbnail["headers"]["argsrepr"]) == (ADD_THUMBNAIL, f"({check_id},)")
    assert thumbnail["headers"]["eta"], "it waits until the burst is over"

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

"""The resources on SQLite and PostgreSQL: checks by filter and cursor, slots, evidence, reviews, farm state."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from api.deps import get_catalogue
from api.main import create_app
from api.routes.health import Exposition
from core.budget import budget_key
from core.catalogue import Catalogue, Office, Service
from core.checks import record_observation
from core.db import transaction
from core.heartbeats import beat
from core.models import Evidence
from core.portal_state import page_failures_key, record_portal_state
from core.slots import nothing_free
from tests.api.conftest import (
    AUTH,
    OFFICE,
    OTHER_OFFICE,
    SERVICE,
    api_settings,
    evidence_file,
    png,
    record_error,
    record_finding,
    subscribe,
)

CATALOGUE = Catalogue(
    offices={OFFICE: Office(OFFICE, "Bürgerbüro Ruppertstraße"), OTHER_OFFICE: Office(OTHER_OFFICE, "Pasing")},
    services={SERVICE: Service(SERVICE, "Wohnsitzanmeldung")},
    relations=frozenset({(SERVICE, OFFICE)}),
)


@pytest.fixture
async def api(database_url: str, redis_url: str, evidence_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app with the operator's token, and a fixed catalogue in place of the portal's."""
    app = create_app(api_settings(database_url, redis_url, evidence_dir))
    app.dependency_overrides[get_catalogue] = lambda: CATALOGUE
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=AUTH) as client:
        yield client


@pytest.fixture
def target(sessions: sessionmaker[Session]) -> int:
    return subscribe(sessions, user_id=1)


async def test_checks_page_newest_first_and_the_cursor_walks_every_check_once(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    ids = [record_finding(sessions, evidence_dir, target_id=target, screenshot=False) for _ in range(7)]
    seen: list[int] = []
    cursor: int | None = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = (await api.get("/checks", params=params)).json()
        seen += [c["id"] for c in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == sorted(ids, reverse=True)


async def test_checks_filter_by_target_outcome_and_time(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    other = subscribe(sessions, user_id=2, office_id=OTHER_OFFICE)
    old = record_finding(sessions, evidence_dir, target_id=target, started_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    new = record_finding(sessions, evidence_dir, target_id=target)
    error = record_error(sessions, evidence_dir, target_id=target)
    elsewhere = record_finding(sessions, evidence_dir, target_id=other)

    async def ids(**params: object) -> list[int]:
        return [c["id"] for c in (await api.get("/checks", params=params)).json()["items"]]  # type: ignore[arg-type]

    assert await ids(target_id=target) == [error, new, old]
    assert await ids(outcome="error") == [error]
    assert await ids(outcome="slots", target_id=other) == [elsewhere]
    assert await ids(since="2030-01-01T00:00:00Z") == [old]
    assert await ids(until="2030-01-01T00:00:00Z") == [elsewhere, error, new]
    assert await ids(since="2029-12-31T23:00:00-01:00", until="2030-01-02") == [old]


async def test_each_listed_check_carries_its_own_evidence_and_no_other(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    # The two targets' checks interleave, so a page of one target spans ids whose evidence is the other's.
    other = subscribe(sessions, user_id=2, office_id=OTHER_OFFICE)
    for _ in range(3):
        record_finding(sessions, evidence_dir, target_id=target)
        record_finding(sessions, evidence_dir, target_id=other, screenshot=False)
        record_error(sessions, evidence_dir, target_id=target)
    with sessions() as session:
        stored: dict[int, set[str]] = {}
        for item in session.query(Evidence):
            stored.setdefault(item.check_id, set()).add(item.sha256)

    listed: dict[int, set[str]] = {}
    for params in ({"target_id": target}, {"target_id": other}, {"outcome": "slots"}, {}):
        cursor: int | None = None
        while True:
            page = await api.get("/checks", params={**params, "limit": 2} | ({"cursor": cursor} if cursor else {}))
            body = page.json()
            for check in body["items"]:
                hashes = {e["sha256"] for e in check["evidence"]}
                assert listed.setdefault(check["id"], hashes) == hashes  # the same whichever filter listed it
            if (cursor := body["next_cursor"]) is None:
                break
    assert listed == stored


async def test_the_targets_check_list_keeps_its_shape_and_links_the_next_page(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    first, second = (record_finding(sessions, evidence_dir, target_id=target) for _ in range(2))
    response = await api.get(f"/targets/{target}/checks", params={"limit": 1})
    checks = response.json()
    assert [c["id"] for c in checks] == [second]
    assert checks[0]["outcome"] == "slots"
    assert checks[0]["worker"] == "worker@test:1"
    assert checks[0]["screenshot_url"].startswith("http://testserver/evidence/")
    assert response.headers["link"] == f'</targets/{target}/checks?limit=1&cursor={second}>; rel="next"'
    older = await api.get(f"/targets/{target}/checks", params={"limit": 1, "cursor": second})
    assert [c["id"] for c in older.json()] == [first]


async def test_slots_show_first_seen_last_seen_and_gone(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    check = record_finding(sessions, evidence_dir, target_id=target)
    with transaction(sessions) as session:
        record_observation(
            session,
            target_id=target,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            observation=nothing_free(),
            request_url=None,
        )
    slots = (await api.get(f"/targets/{target}/slots")).json()
    assert len(slots) == 1
    assert slots[0]["check_id"] == check
    assert slots[0]["gone_at"] is not None
    assert (await api.get(f"/targets/{target}/slots", params={"open_only": True})).json() == []
    assert [s["id"] for s in (await api.get(f"/checks/{check}/slots")).json()] == [slots[0]["id"]]


async def test_a_thumbnail_is_rendered_from_the_screenshot_once(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    check = (await api.get(f"/checks/{record_finding(sessions, evidence_dir, target_id=target)}")).json()
    first = await api.get(check["thumbnail_url"])
    again = await api.get(check["thumbnail_url"])
    assert first.headers["content-type"] == "image/jpeg"
    assert first.content == again.content
    assert len(list((evidence_dir / "thumbnails").glob("*.jpg"))) == 1


async def test_a_stored_thumbnail_is_preferred(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    check_id = record_finding(sessions, evidence_dir, target_id=target)
    thumb = evidence_file(evidence_dir, "stored-thumb.png", "thumbnail", png((0, 0, 0), size=(32, 24)), "image/png")
    with transaction(sessions) as session:
        session.add(Evidence(check_id=check_id, **vars(thumb)))
    check = (await api.get(f"/checks/{check_id}")).json()
    response = await api.get(check["thumbnail_url"])
    assert response.headers["content-type"] == "image/png"
    assert hashlib.sha256(response.content).hexdigest() == thumb.sha256


async def test_raw_json_evidence_carries_its_hash(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    check = (await api.get(f"/checks/{record_finding(sessions, evidence_dir, target_id=target)}")).json()
    raw = next(e for e in check["evidence"] if e["kind"] == "raw_json")
    response = await api.get(raw["url"])
    assert response.json()["availableDays"][0]["time"] == "2030-03-04"
    assert hashlib.sha256(response.content).hexdigest() == raw["sha256"]
    assert response.headers["x-content-type-options"] == "nosniff", "a browser never guesses the file's type"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("inline;")
    assert f'filename="evidence-{raw["id"]}.json"' in disposition, "our name for it, not the path on disk"


async def test_a_verdict_is_kept_with_who_and_when(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    check_id = record_finding(sessions, evidence_dir, target_id=target)
    response = await api.post(f"/checks/{check_id}/review", json={"verdict": "false_positive", "reviewer": "anna"})
    assert response.status_code == 200
    stored = (await api.get(f"/checks/{check_id}")).json()
    assert (stored["verdict"], stored["reviewed_by"]) == ("false_positive", "anna")
    assert dt.datetime.fromisoformat(stored["reviewed_at"]) <= dt.datetime.now(dt.UTC)
    unreviewed = (await api.get("/checks", params={"verdict": "unreviewed"})).json()["items"]
    assert check_id not in [c["id"] for c in unreviewed]


async def test_only_findings_are_reviewed(
    api: httpx.AsyncClient, sessions: sessionmaker[Session], evidence_dir: Path, target: int
) -> None:
    error = record_error(sessions, evidence_dir, target_id=target)
    body = {"verdict": "confirmed", "reviewer": "anna"}
    assert (await api.post(f"/checks/{error}/review", json=body)).status_code == 409
    assert (await api.post("/checks/999999/review", json=body)).status_code == 404


async def test_portal_and_workers_come_from_redis(
    make_client: Callable[..., httpx.AsyncClient], private_redis_url: str
) -> None:
    client = redis.Redis.from_url(private_redis_url)
    portal = api_settings("", private_redis_url, Path()).portal
    record_portal_state(client, portal, "blocked")
    client.hset(budget_key(portal), mapping={"count": "12", "last": "1900000000.5"})
    client.set(page_failures_key(portal), 3)
    beat(client, worker="worker@a:1", browsers_open=1, checks_done=40)
    beat(client, worker="worker@b:2", browsers_open=0, checks_done=3, now=dt.datetime.now().timestamp() - 600)
    async with make_client(redis_url=private_redis_url) as api:
        api.headers.update(AUTH)
        portal_answer = (await api.get("/portal")).json()
        workers = {w["worker"]: w for w in (await api.get("/workers")).json()}
    assert portal_answer == {
        "portal": portal,
        "breaker": "closed",
        "state": "blocked",
        "budget": {"count": "12", "last": "1900000000.5"},
        "page_failures": 3,
        "page": "changed",
    }
    assert (workers["worker@a:1"]["alive"], workers["worker@a:1"]["checks_done"]) == (True, 40)
    assert workers["worker@b:2"]["alive"] is False


async def test_subscriptions_are_created_listed_and_deleted(api: httpx.AsyncClient) -> None:
    created = await api.post("/subscriptions", json={"user_id": 77, "service_id": SERVICE, "office_ids": [OFFICE]})
    assert created.status_code == 201
    subscription = created.json()
    assert (await api.get(f"/subscriptions/{subscription['id']}")).json() == subscription
    assert [s["id"] for s in (await api.get("/subscriptions", params={"user_id": 77})).json()] == [subscription["id"]]
    assert (await api.delete(f"/subscriptions/{subscription['id']}")).status_code == 204
    assert (await api.get(f"/subscriptions/{subscription['id']}")).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"user_id": 77, "service_id": 1, "office_ids": [OFFICE]}, id="unknown-service"),
        pytest.param({"user_id": 77, "service_id": SERVICE, "office_ids": [OTHER_OFFICE]}, id="not-offered"),
        pytest.param({"user_id": 77, "service_id": SERVICE, "office_ids": []}, id="no-office"),
        pytest.param({"user_id": 77, "service_id": SERVICE}, id="malformed"),
        pytest.param({"user_id": 77, "service_id": SERVICE, "office_ids": [OFFICE], "weekdays": [7]}, id="weekday"),
    ],
)
async def test_a_subscription_the_portal_cannot_serve_is_422(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await api.post("/subscriptions", json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


async def test_metrics_have_request_latency_by_route(api: httpx.AsyncClient, target: int) -> None:
    await api.get("/targets")
    text = (await api.get("/metrics")).text
    assert 'mta_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/targets",status="200"}' in text


async def test_metrics_are_rendered_once_in_a_few_seconds(api: httpx.AsyncClient, target: int) -> None:
    """Issue 19: /metrics is open to anyone, so a flood of calls must not cost a render each."""
    first = (await api.get("/metrics")).text
    await api.get("/targets")  # a request the next render would count
    assert (await api.get("/metrics")).text == first


def test_the_exposition_renders_again_after_its_ttl() -> None:
    renders: list[float] = []
    exposition = Exposition(lambda: str(renders.append(time.monotonic()) or len(renders)).encode(), ttl_s=0.2)
    assert [exposition.text() for _ in range(3)] == [b"1", b"1", b"1"]
    time.sleep(0.25)
    assert exposition.text() == b"2"


async def test_healthz(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}

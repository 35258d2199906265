"""A failing captcha-challenge/ answer is the portal's failure, typed and recorded, never handed to the solver
(issue 18): a 503 is "down", a 429 "blocked" and silences the budget; the check is recorded as failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.budget import Priority
from core.db import transaction
from core.models import Check
from core.subscriptions import create_subscription
from tests.workers.test_booking import DAY, farm_settings
from workers import tasks
from workers.check import check_service
from workers.farm import Farm
from workers.portal import PortalBlocked, PortalDown, PortalUnavailable

CAPTCHA_OFFICE, CAPTCHA_SERVICE = 10461, 10339028


@pytest.fixture
def farm(sqlite_url: str, redis_url: str, replica_url: str, tmp_path: Path) -> Iterator[Farm]:
    httpx.post(f"{replica_url}/__replica__/reset", json={}).raise_for_status()
    body = {"officeId": CAPTCHA_OFFICE, "serviceId": CAPTCHA_SERVICE, "date": DAY.isoformat(), "times": ["10:00"]}
    httpx.post(f"{replica_url}/__replica__/slots/open", json=body).raise_for_status()
    farm = Farm(farm_settings(sqlite_url, redis_url, replica_url, tmp_path / "evidence"))
    with transaction(farm.sessions) as session:
        create_subscription(session, user_id=7, service_id=CAPTCHA_SERVICE, office_ids=[CAPTCHA_OFFICE])
    farm.catalogue.get()  # cached: only the captcha routes meet the fault
    yield farm
    httpx.post(f"{replica_url}/__replica__/reset", json={}).raise_for_status()
    farm.browser.close()


def scenario(replica_url: str, **body: object) -> None:
    httpx.post(f"{replica_url}/__replica__/scenario", json=body).raise_for_status()


def failed_check(farm: Farm) -> Check:
    with transaction(farm.sessions) as session:
        [check] = session.query(Check).all()
        session.expunge(check)
    return check


def test_a_503_challenge_is_the_portal_down_and_a_failed_check(farm: Farm, replica_url: str) -> None:
    scenario(replica_url, outage="503")
    with pytest.raises(PortalDown):
        check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test")
    check = failed_check(farm)
    assert check.outcome == "error"
    assert "503" in (check.error or "")


def test_a_429_challenge_is_the_portal_blocking_and_silences_the_budget(farm: Farm, replica_url: str) -> None:
    scenario(replica_url, stormSeconds=30)
    with pytest.raises(PortalBlocked):
        check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test")
    assert failed_check(farm).outcome == "error"
    assert not farm.budget.take(Priority.CHECK).granted, "silent until the portal's limiter has surely reset"


def visits(replica_url: str) -> int:
    counters = httpx.get(f"{replica_url}/__replica__/counters").json()
    return int(counters["captchaChallenges"])


def test_a_refused_old_token_is_renewed_once_and_a_refused_fresh_one_pauses_the_visits(
    farm: Farm, replica_url: str
) -> None:
    """Issue 20: every visit raises the difficulty of the next, so a portal that refuses our tokens is never
    answered by a loop of new ones."""
    key, reuse_s = f"mta:captcha:{farm.portal}", int(farm.settings.captcha_reuse_s)
    farm.redis.set(key, "forged.old.token", ex=10)  # solved long ago, by its time left
    with pytest.raises(PortalUnavailable, match="refused our captcha token"):
        check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test")
    before = visits(replica_url)
    assert check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test"), "renewed, and checked"
    assert visits(replica_url) == before + 1

    farm.redis.set(key, "forged.fresh.token", ex=reuse_s)  # as if solved just now
    with pytest.raises(PortalUnavailable, match="refused our captcha token"):
        check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test")
    with pytest.raises(PortalUnavailable, match="refused a fresh captcha token; no new one for"):
        check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test")
    assert visits(replica_url) == before + 1, "no visit while the portal refuses fresh tokens"


def test_the_token_is_renewed_ahead_of_its_end_and_only_then(farm: Farm, replica_url: str) -> None:
    """Issue 20: a task solves the next token while the current one serves, so checks never wait for a solve,
    and visits stay at one a token (each raises the difficulty of the next)."""
    key = f"mta:captcha:{farm.portal}"
    assert farm.captcha.renewal_due(), "no token yet"
    with farm.browser.page() as page:
        assert farm.captcha.renew(page, farm.budget)
        assert farm.redis.get(key) is not None
        assert not farm.captcha.renewal_due()
        assert not farm.captcha.renew(page, farm.budget), "a token far from its end is kept"
        assert visits(replica_url) == 1

        farm.redis.expire(key, int(farm.settings.captcha_renew_before_s) - 1)  # its reuse ends soon
        assert farm.captcha.renewal_due()
        assert farm.captcha.renew(page, farm.budget)
        assert visits(replica_url) == 2
        assert farm.redis.ttl(key) > farm.settings.captcha_renew_before_s, "a whole reuse ahead again"
    assert check_service(farm, service_id=CAPTCHA_SERVICE, task_id=None, worker="test"), "checked"
    assert visits(replica_url) == 2, "the check took the renewed token"


def test_beat_sends_one_renewal_while_a_watched_office_needs_a_token(farm: Farm) -> None:
    assert tasks._watched_need_captcha(farm, [CAPTCHA_SERVICE])
    assert not tasks._watched_need_captcha(farm, [1063475]), "nobody watches Wohnsitzanmeldung here"
    assert farm.captcha.claim_renewal()
    assert not farm.captcha.claim_renewal(), "one renewal a solve's length, not one a tick"

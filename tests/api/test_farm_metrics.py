"""/metrics carries the farm's shared state: breaker, budget, node heartbeats, each watched target's last success."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from core.budget import budget_key
from core.nodes import beat_node
from core.portal_state import breaker_state_key
from tests.api.conftest import api_settings, record_error, record_finding, subscribe


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_the_farm_state_is_exported_at_scrape_time(
    make_client: Callable[..., httpx.AsyncClient],
    sessions: sessionmaker[Session],
    evidence_dir: Path,
    redis_url: str,
) -> None:
    client = redis.Redis.from_url(redis_url)
    portal = api_settings("", redis_url, Path()).portal
    client.set(breaker_state_key(portal), "open")
    client.hset(budget_key(portal), mapping={"count": "12", "last": str(time.time() - 5)})
    beat_node(client, "worker@a")
    beat_node(client, "worker@b", now=time.time() - 300)
    checked, failing, never = (
        subscribe(sessions, user_id=u, office_id=o) for u, o in ((1, 10489), (2, 10492), (3, 10502))
    )
    record_finding(sessions, evidence_dir, target_id=checked, started_at=dt.datetime.now(dt.UTC))
    record_error(sessions, evidence_dir, target_id=failing)

    async with make_client(portal_rate_limit=60, check_interval_s=30.0) as api:
        text = (await api.get("/metrics")).text
    found = samples(text)

    def value(name: str, **labels: str) -> float:
        return found[(name, tuple(sorted(labels.items())))]

    assert value("mta_portal_breaker_state", portal=portal, state="open") == 1
    assert value("mta_portal_breaker_state", portal=portal, state="closed") == 0
    assert value("mta_budget_run_requests", portal=portal) == 12
    assert value("mta_budget_run_limit", portal=portal) == 59  # the limit less the safety margin
    assert value("mta_worker_heartbeat_age_seconds", node="worker@a") < 5
    assert 295 < value("mta_worker_heartbeat_age_seconds", node="worker@b") < 310
    ages = {labels[2][1]: v for (name, labels), v in found.items() if name == "mta_target_success_age_seconds"}
    assert ages[str(checked)] < 60, "checked a moment ago"
    assert ages[str(failing)] > 80000, "an error is no success"
    assert ages[str(never)] > 80000
    intervals = {v for (name, _), v in found.items() if name == "mta_target_check_interval_seconds"}
    assert intervals == {30.0}


async def test_metrics_still_answer_without_redis(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async with make_client(redis_url="redis://127.0.0.1:9/0") as api:
        response = await api.get("/metrics")
    assert response.status_code == 200
    assert "mta_http_request_duration_seconds" in response.text

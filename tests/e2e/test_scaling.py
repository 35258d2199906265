"""Issue 6, scaling without Docker: three Celery worker nodes (own hostnames) on one Redis and one PostgreSQL.

The checks spread over the nodes; the budget and the breaker are one Redis key each, whoever asks; every node
beats its heartbeat; and no target is checked twice within one interval (the farm plans per service, every
2 s here), however many nodes take the planned checks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from core.budget import budget_key
from core.nodes import node_ages
from core.portal_state import breaker_namespace
from core.settings import portal_name
from launch.farm import start_redis, start_worker
from launch.processes import ProcessGroup
from tests.e2e.conftest import Farm, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

NODES = ("worker", "w2", "w3")
SERVICES = 4
INTERVAL_S = 2.0
STEADY_S = 20.0
# Half the plan's spacing: a check sent twice (by two nodes) comes within a fraction of a second of the other,
# while a check made late by a busy 2-core machine (seen: 0.74 s) still comes more than half an interval apart.
SOONEST_S = INTERVAL_S / 2
CAPTCHA_OFFICE = 10461  # keeps the run free of captcha solving


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of this test's own: no other test run can flush the plan or the budget underneath."""
    with ProcessGroup(tmp_path / "redis-logs") as group:
        yield start_redis(group)


def watch_services(farm: Farm) -> list[int]:
    chosen = [(s, offices) for s, offices in farm.admin_get_catalogue() if CAPTCHA_OFFICE not in offices][:SERVICES]
    assert len(chosen) == SERVICES
    for user, (service, offices) in enumerate(chosen, 1):
        body = {"user_id": user, "service_id": service, "office_ids": offices[:2]}
        farm.api_post("/subscriptions", body).raise_for_status()
    return [t["id"] for t in farm.api_get("/targets")]


def checks_of(farm: Farm, targets: list[int]) -> dict[int, list[dict[str, Any]]]:
    return {t: farm.api_get(f"/targets/{t}/checks?limit=500") for t in targets}


def started(check: dict[str, Any]) -> float:
    return dt.datetime.fromisoformat(check["started_at"]).timestamp()


def test_three_worker_nodes_share_the_checks_the_budget_and_the_breaker(
    start_farm: Callable[..., Farm], postgres_url: str, redis_url: str
) -> None:
    farm = start_farm(postgres_url, bot=False)
    for name in NODES[1:]:
        start_worker(farm.group, name=name, concurrency=1)
    targets = watch_services(farm)

    def spread() -> bool:
        nodes = [c["worker"].split("@")[0] for found in checks_of(farm, targets).values() for c in found if c["worker"]]
        return all(nodes.count(node) >= 2 for node in NODES[1:])

    # The nodes started later take checks as well, two each at least. (The first may take none: see the window.)
    wait_until(spread, timeout=60, interval=2, what="checks from the added nodes")
    # Every browser is warm now, and its page has the booking page opened after its first check (a launch delays
    # a node's first check, the opening its second, and an on-time check may follow a late one closely).
    steady_from = time.time()
    time.sleep(STEADY_S)
    window = steady_from, steady_from + STEADY_S
    found = {t: [c for c in cs if window[0] <= started(c) < window[1]] for t, cs in checks_of(farm, targets).items()}

    by_node: dict[str, int] = {}
    for target, checks in found.items():
        assert len(checks) <= STEADY_S / INTERVAL_S + 1, f"target {target} checked more often than planned"
        assert len(checks) >= STEADY_S / INTERVAL_S / 2, f"target {target} checked too rarely: {len(checks)}"
        times = sorted(started(c) for c in checks)
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= SOONEST_S, f"target {target} checked twice within {min(gaps):.2f} s"
        for check in checks:
            node = check["worker"].split("@")[0]
            by_node[node] = by_node.get(node, 0) + 1
    # Shared in the steady state too. Not necessarily by all three: a check is handed, with its send time, to
    # a node waiting on the queue when the pacer's tick enqueues it, and the node running that tick is not
    # waiting; with two checks a tick and two idle nodes, it can go without for the whole window.
    assert len(by_node) >= 2, by_node
    assert all(c["outcome"] != "error" for checks in found.values() for c in checks)

    client = redis.Redis.from_url(redis_url)
    portal = portal_name(farm.replica + "/buergeransicht/api/citizen")
    budgets = [k.decode() for k in client.scan_iter("mta:budget:*") if not k.endswith(b":bookings-waiting")]
    assert budgets == [budget_key(portal)], "one budget for every node"
    calendar = len(farm.calendar_requests())
    assert int(client.hget(budget_key(portal), "count") or 0) >= calendar, "every node's requests were counted"
    breakers = {k.decode().rsplit(":pybreaker:", 1)[0] for k in client.scan_iter("mta:breaker:*")}
    assert breakers == {breaker_namespace(portal)}, "one breaker for every node"
    assert {n.split("@")[0] for n in node_ages(client)} == set(NODES), "every node beats"

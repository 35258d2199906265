"""Portal requests from the browser keep the request budget's model true even when no answer comes."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from core.budget import Budget, BudgetConfig
from tests.workers.test_booking import farm_settings
from workers.farm import Farm
from workers.fetch import get_json
from workers.portal import PortalUnavailable


@contextmanager
def silent_server() -> Iterator[str]:
    """A server that takes connections and never answers: the request times out."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/available-calendar/"


def test_a_request_without_an_answer_starts_the_silence_when_it_failed(
    sqlite_url: str, redis_url: str, replica_url: str, tmp_path: Path
) -> None:
    farm = Farm(farm_settings(sqlite_url, redis_url, replica_url, tmp_path / "evidence"))
    budget = Budget(redis.Redis.from_url(redis_url), portal="silent.test", config=BudgetConfig(limit=10))
    try:
        with silent_server() as url, farm.browser.page() as page:
            granted_before = time.time()
            with pytest.raises(PortalUnavailable):
                get_json(page, url, budget=budget, timeout_ms=500)
        state = budget.state()
        assert state["count"] == 1, "the request was counted"
        # the portal may have counted it as late as the timeout: the silence runs from then, not from the grant
        assert state["last"] >= granted_before + 0.5
    finally:
        farm.browser.close()

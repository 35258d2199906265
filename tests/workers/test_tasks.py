"""The check task's own gate: a check that waited out the silence leaves its service to the run that has begun.

The task is called in this process, as a worker calls it; the check behind it is replaced by a recorder, so
what is shown is the task's decision, not the check (covered end to end in tests/e2e).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.settings import get_settings
from workers import farm, pacing, tasks

SERVICE = 1063475


@pytest.fixture
def checks_run(monkeypatch: pytest.MonkeyPatch, redis_url: str, sqlite_url: str) -> Iterator[list[int]]:
    monkeypatch.setenv("MTA_REDIS_URL", redis_url)
    monkeypatch.setenv("MTA_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("MTA_PORTAL_RATE_LIMIT", "10")
    monkeypatch.setenv("MTA_PORTAL_RATE_SILENCE_S", "6")
    get_settings.cache_clear()
    monkeypatch.setattr(farm, "_farm", None)
    ran: list[int] = []

    def recorder(_farm: farm.Farm, *, service_id: int, task_id: str, worker: str) -> list[int]:
        ran.append(service_id)
        return [service_id]

    monkeypatch.setattr(tasks, "run_check", recorder)
    yield ran
    get_settings.cache_clear()


def _current_plan() -> str:
    """Plan a run of the service now, as beat's tick does, and return its id."""
    current = farm.current_farm()
    pacing.tick(
        current.redis,
        current.budget,
        portal=current.portal,
        weights={SERVICE: 1.0},
        steady_interval_s=60.0,
        enqueue=lambda _service, _plan, _at: None,
    )
    plan = pacing.load(current.redis, current.portal)
    assert plan is not None
    return plan.id


def test_a_check_that_waited_for_a_new_run_is_left_to_it(checks_run: list[int]) -> None:
    plan_id = _current_plan()
    assert tasks.check_service(SERVICE, "an-earlier-run", waited=True) == []
    assert checks_run == [], "the run that has begun checks the service itself"
    assert tasks.check_service(SERVICE, plan_id, waited=True) == [SERVICE]
    assert checks_run == [SERVICE], "a check of the current run that waited still runs"


def test_a_check_that_did_not_wait_runs_even_for_an_earlier_run(checks_run: list[int]) -> None:
    _current_plan()
    assert tasks.check_service(SERVICE, "an-earlier-run") == [SERVICE]
    assert tasks.check_service(SERVICE, "an-earlier-run", waited=False) == [SERVICE]
    assert checks_run == [SERVICE, SERVICE], "a redelivered or late check is not the budget's leftover"

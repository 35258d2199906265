"""The request planner: closed-form optimum for one service, sensible shares for many."""

from __future__ import annotations

import math

import pytest

from workers.plan import Limiter, allocate, best_expected_wait, best_spacing, expected_wait, plan_run

CITY = Limiter(60, 60.0)


def test_one_service_gets_the_closed_form_optimum_of_about_seven_seconds() -> None:
    plan = plan_run({1: 1.0}, CITY, steady_interval_s=60)
    assert plan.requests_of(1) == 60
    spacing = plan.length / 59
    assert spacing == pytest.approx(best_spacing(60, 60.0), rel=1e-3)
    assert expected_wait(60, plan.length, 60.0) == pytest.approx(6.86, abs=0.01)
    # far better than polling once a minute (30.5 s) or every two minutes (60 s)
    assert expected_wait(60, plan.length, 60.0) < 61 / 2 / 4


def test_the_plan_never_asks_more_than_the_limiter_allows_per_run() -> None:
    for services in (1, 3, 7, 60, 100):
        plan = plan_run(dict.fromkeys(range(services), 1.0), CITY, steady_interval_s=60)
        assert len(plan.sends) <= CITY.max_requests
        assert plan.silence_s == CITY.silence_s


def test_equal_services_are_asked_together_in_rounds() -> None:
    limiter = Limiter(10, 6.0)
    plan = plan_run(dict.fromkeys(range(5), 1.0), limiter, steady_interval_s=60)
    assert sorted({t for t, _ in plan.sends}) == [0.0, pytest.approx(plan.length)]
    assert expected_wait(2, plan.length, 6.0) == pytest.approx(best_expected_wait(limiter, 5), rel=1e-3)


def test_heavier_services_get_more_requests() -> None:
    counts = allocate({1: 9.0, 2: 1.0}, 20)
    assert sum(counts.values()) == 20
    assert counts[1] > counts[2] >= 1
    assert counts[1] / counts[2] == pytest.approx(math.sqrt(9.0), rel=0.25)


def test_more_services_than_requests_rotates_the_heaviest_first() -> None:
    counts = allocate({1: 1.0, 2: 5.0, 3: 2.0}, 2)
    assert counts == {2: 1, 3: 1}


def test_without_a_limiter_every_service_is_asked_once_per_interval_staggered() -> None:
    plan = plan_run({1: 1.0, 2: 1.0}, Limiter(0, 0.0), steady_interval_s=10)
    assert plan.mean_interval(1) == pytest.approx(10)
    assert [t for t, _ in plan.sends] == [0.0, 5.0]


def test_services_take_turns_when_a_run_cannot_hold_them_all() -> None:
    weights = dict.fromkeys(range(5), 1.0)
    first = allocate(weights, 3)
    second = allocate(weights, 3, last_planned=dict.fromkeys(first, 100.0))
    assert set(first) | set(second) == set(weights)

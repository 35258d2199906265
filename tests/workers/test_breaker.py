"""The open breaker probes the portal with single trials after pauses that double up to a bound, so a portal
that recovers is seen within seconds (issue 18); a good trial closes it and resets the pauses."""

from __future__ import annotations

import time

import pybreaker
import pytest
import redis

from workers.breaker import portal_breaker, trial_pause
from workers.portal import PortalDown

PROBE_S, PROBE_MAX_S = 2.0, 5.0
EARLY_S = 1.0  # pybreaker keeps the opening time in whole seconds in Redis: a trial may come up to 1 s early
LATE_S = 0.3


def test_the_pause_doubles_with_each_failed_trial_up_to_the_bound() -> None:
    pauses = [trial_pause(n, probe_s=5, probe_max_s=60) for n in range(6)]
    assert pauses == [5, 10, 20, 40, 60, 60]
    assert trial_pause(0, probe_s=5, probe_max_s=60, jitter=1.1) == pytest.approx(5.5)


def down() -> None:
    raise PortalDown("HTTP 503", "http://portal", 503)


def open_for(breaker: pybreaker.CircuitBreaker) -> float:
    """Seconds from now until the breaker lets a trial through (calls refused meanwhile send nothing)."""
    started = time.monotonic()
    while True:
        try:
            breaker.call(down)
        except pybreaker.CircuitBreakerError as exc:
            if "Trial call failed" in str(exc):
                return time.monotonic() - started  # the trial went out, and failed
            time.sleep(0.02)
        except PortalDown:
            return time.monotonic() - started


def test_trials_come_after_growing_pauses_and_a_good_one_closes_the_breaker(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    breaker = portal_breaker(client, portal="probing", fail_max=2, probe_s=PROBE_S, probe_max_s=PROBE_MAX_S)
    for _ in range(2):
        with pytest.raises((PortalDown, pybreaker.CircuitBreakerError)):
            breaker.call(down)
    assert breaker.current_state == pybreaker.STATE_OPEN

    first, second, third = open_for(breaker), open_for(breaker), open_for(breaker)
    assert PROBE_S * 0.9 - EARLY_S <= first < PROBE_S * 1.1 + LATE_S
    assert 2 * PROBE_S * 0.9 - EARLY_S <= second < 2 * PROBE_S * 1.1 + LATE_S
    assert PROBE_MAX_S * 0.9 - EARLY_S <= third < PROBE_MAX_S * 1.1 + LATE_S, "no longer than the bound"

    time.sleep(PROBE_MAX_S * 1.1)
    assert breaker.call(lambda: "answer") == "answer"
    assert breaker.current_state == pybreaker.STATE_CLOSED
    for _ in range(2):
        with pytest.raises((PortalDown, pybreaker.CircuitBreakerError)):
            breaker.call(down)
    assert open_for(breaker) < PROBE_S * 1.1 + LATE_S, "a closed breaker starts again from the first pause"


def test_one_trial_at_a_time_across_processes(redis_url: str) -> None:
    """pybreaker lets every call through while half-open: a second process's check during a trial is refused."""
    first = portal_breaker(redis.Redis.from_url(redis_url), portal="p", fail_max=1, probe_s=0.5, probe_max_s=1)
    second = portal_breaker(redis.Redis.from_url(redis_url), portal="p", fail_max=1, probe_s=0.5, probe_max_s=1)
    with pytest.raises(pybreaker.CircuitBreakerError):
        first.call(down)  # opens
    time.sleep(1.2)  # past the pause: the next call is the trial
    asked: list[str] = []

    def slow_trial() -> None:
        asked.append("trial")
        with pytest.raises(pybreaker.CircuitBreakerError, match="a trial of the portal is in flight"):
            second.call(lambda: asked.append("second"))
        raise PortalDown("HTTP 503", "http://portal", 503)

    with pytest.raises(pybreaker.CircuitBreakerError, match="Trial call failed"):
        first.call(slow_trial)
    assert asked == ["trial"], "the second check sent nothing while the trial was in flight"

"""The Redis-held budget follows the portal limiter's model, for every process at once."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from core.budget import Budget, BudgetConfig, Priority

# The requests these tests take are never answered: none of them counts as slow.
CONFIG = BudgetConfig(limit=6, silence_s=0.6, margin_requests=1, margin_s=0.1, booking_reserve=1, slow_s=60)


def test_a_check_may_need_several_requests_at_once(redis_url: str) -> None:
    b = budget(redis_url)
    assert b.take(cost=3).count == 3
    assert not b.take(cost=2).granted
    assert b.take(cost=1).granted


def budget(redis_url: str) -> Budget:
    return Budget(redis.Redis.from_url(redis_url), portal="portal.test", config=CONFIG)


def test_checks_leave_the_last_requests_of_a_run_to_bookings(redis_url: str) -> None:
    b = budget(redis_url)
    assert [b.take().granted for _ in range(5)] == [True, True, True, True, False]
    assert b.take(Priority.BOOKING).granted
    refused = b.take(Priority.BOOKING)
    assert not refused.granted
    assert 0 < refused.wait_s <= CONFIG.silence


def test_checks_leave_the_verify_reserve_in_runs_that_follow_a_verification(redis_url: str) -> None:
    """While new days appear, a run keeps room to verify the day its last check finds; in quiet times its checks
    use every request."""
    config = BudgetConfig(limit=6, silence_s=0.3, margin_requests=1, margin_s=0.05, verify_reserve=1, slow_s=60)
    b = Budget(redis.Redis.from_url(redis_url), portal="portal.test", config=config)

    def run(verifications: int) -> int:
        """Requests granted to checks after ``verifications`` in a fresh count."""
        time.sleep(config.silence + 0.05)
        for _ in range(verifications):
            assert b.take(Priority.VERIFY).granted
        checks = 0
        while b.take().granted:
            checks += 1
        return checks

    assert run(0) == 5, "no day was verified before: the checks use every request"
    assert run(1) == 4
    state = b.state()
    assert b.checks_in_run(state, next_run=True) == 4, "the next run keeps the reserve"
    assert run(0) == 4, "the run after a verification leaves one request"
    assert b.take(Priority.VERIFY).granted, "which a verification may use"
    assert run(0) == 4, "that run verified a day too"
    assert run(0) == 5, "a run without verifications came before: no reserve"


def test_the_count_resets_only_after_silence(redis_url: str) -> None:
    b = budget(redis_url)
    for _ in range(4):
        assert b.take().granted
        time.sleep(0.2)  # requests keep coming: no reset, although more than the silence has passed
    refused = b.take()
    assert not refused.granted
    assert refused.waits_for == "count"
    time.sleep(CONFIG.silence + 0.05)
    assert b.take().count == 1


def test_concurrent_takers_never_exceed_the_run(redis_url: str) -> None:
    granted: list[bool] = []

    def worker() -> None:
        b = budget(redis_url)
        granted.extend(b.take().granted for _ in range(5))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == CONFIG.run_limit(Priority.CHECK)


def test_headers_correct_the_model(redis_url: str) -> None:
    b = budget(redis_url)
    assert b.take().granted
    # The portal counted more (another client behind our IP): 3 of 6 used, so Remaining = 6 - 3 - 1.
    b.observe({"X-RateLimit-Limit": "6", "X-RateLimit-Remaining": "2", "X-RateLimit-Reset": str(time.time() + 0.6)})
    assert b.take().granted
    assert not b.take().granted


def test_a_refusal_silences_everyone_until_the_portal_reset(redis_url: str) -> None:
    b = budget(redis_url)
    until = b.silence_after_refusal()
    refused = b.take(Priority.BOOKING)
    assert not refused.granted
    assert refused.at + refused.wait_s == pytest.approx(until)


def test_a_waiting_booking_goes_before_checks(redis_url: str) -> None:
    b = budget(redis_url)
    assert b.take(Priority.BOOKING, cost=5).granted  # the run is used up: both must wait for the silence
    booking: list[int] = []
    waiter = threading.Thread(target=lambda: booking.append(b.wait_for(Priority.BOOKING, timeout_s=3).count))
    waiter.start()
    time.sleep(0.05)
    check = b.take()
    while not check.granted:  # a check asking as eagerly as it can
        time.sleep(0.005)
        check = b.take()
    waiter.join()
    assert booking == [1], "the booking got the first request of the new run"
    assert check.count == 2


def test_a_failing_portal_gets_one_request_at_a_time(redis_url: str) -> None:
    """Issue 18: after a 5xx or a request without an answer, the next request waits for the one in flight."""
    b = Budget(redis.Redis.from_url(redis_url), portal="portal.test", config=BudgetConfig(limit=0))
    first, second = b.take(), b.take()
    assert first.granted, "a portal that answers well takes requests side by side"
    assert second.granted
    b.unanswered(ticket=first.ticket)  # the first timed out: the portal is failing
    assert not b.take().granted, "not while the second is still in flight"
    b.answered({}, ticket=second.ticket, failed=True)
    third = b.take()
    assert third.granted, "nothing in flight: one request may go"
    waiting = b.take()
    assert not waiting.granted
    assert 0 < waiting.wait_s <= 1
    b.answered({}, ticket=third.ticket)  # well again
    assert b.take().granted
    assert b.take().granted


def test_a_request_lost_with_our_browser_does_not_mark_the_portal_failing(redis_url: str) -> None:
    b = Budget(redis.Redis.from_url(redis_url), portal="portal.test", config=BudgetConfig(limit=0))
    lost, other = b.take(), b.take()
    b.unanswered(ticket=lost.ticket, portal_failed=False)  # the browser died: ours, not the portal's
    assert b.take().granted, "requests still go side by side"
    b.unanswered(ticket=other.ticket)  # a timeout: the portal's
    assert not b.take().granted


def test_a_request_unanswered_for_slow_s_holds_back_the_next(redis_url: str) -> None:
    """A hanging portal gives no failure for a timeout's length: a request unanswered for ``slow_s`` already
    keeps the next from going beside it."""
    b = Budget(redis.Redis.from_url(redis_url), portal="portal.test", config=BudgetConfig(limit=0, slow_s=0.3))
    hanging = b.take()
    assert b.take().granted, "a request answered in the usual time does not hold back the next"
    time.sleep(0.4)
    held = b.take()
    assert not held.granted, "the portal has not answered for slow_s"
    assert held.waits_for == "answer", "a wait for an answer, not for the count to reset"
    b.answered({}, ticket=hanging.ticket)
    assert not b.take().granted, "the second request is still in flight and slow as well"


def test_a_request_whose_process_died_is_given_up_after_abandon_s(redis_url: str) -> None:
    b = Budget(redis.Redis.from_url(redis_url), portal="portal.test", config=BudgetConfig(limit=0, abandon_s=0.4))
    b.take()  # never answered: its process died
    b.answered({}, ticket=b.take().ticket, failed=True)
    assert not b.take().granted, "failing, and one request may still be in flight"
    time.sleep(0.5)
    assert b.take().granted

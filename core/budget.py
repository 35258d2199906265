"""The farm's request budget, held in Redis and shared by every worker: the portal limiter's own model.

The portal (docs/portal.md, "Limiter") lets ``limit`` requests through per IP and resets its count only after
``silence`` seconds without a counted request. ``take`` grants a request only when the model says the
portal will let it through (with our margin), atomically across processes and hosts, on Redis' clock.
Bookings may use the last requests of a run, which checks leave to them. Every answer's
``X-RateLimit-*`` headers correct the model; a 429 silences the farm until the portal has reset.

While the portal is failing (its last answer a backend failure, or none in time) or slow (a request unanswered for
``slow_s``, the first sign of a hanging portal), one request at a time: the next waits until the one in flight
is answered or given up, so a struggling portal never works on a pile of our requests.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

import redis

from core import metrics
from core.settings import Settings

_TAKE = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local limit, silence, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[6]))  -- never answered: a process died
local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #oldest > 0 and (redis.call('HGET', KEYS[1], 'failing') == '1' or now - tonumber(oldest[2]) > tonumber(ARGV[7])) then
  return {0, '0.5', tostring(now), 'answer'}  -- a failing or slow portal gets one request at a time
end
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local verified = tonumber(redis.call('HGET', KEYS[1], 'verified') or '0')  -- verifications in this count
local keep = redis.call('HGET', KEYS[1], 'keep_reserve') or '0'  -- this count keeps the verify reserve
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or '0')
if now < blocked then return {0, tostring(blocked - now), tostring(now), 'count'} end
if ARGV[4] ~= 'booking' and tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
  return {0, '0.05', tostring(now), 'booking'}  -- a booking waits for a request: it goes first
end
if now - last >= silence then
  count = 0
  if verified > 0 then keep = '1' else keep = '0' end  -- new days keep appearing: keep room to verify them
  verified = 0
end
if limit > 0 and ARGV[4] == 'check' and keep == '1' then limit = math.max(1, limit - tonumber(ARGV[8])) end
if limit > 0 and count + cost > limit then return {0, tostring(last + silence - now), tostring(now), 'count'} end
if ARGV[4] == 'verify' then verified = verified + cost end
redis.call('HSET', KEYS[1], 'count', count + cost, 'last', tostring(now), 'verified', verified, 'keep_reserve', keep)
redis.call('ZADD', KEYS[3], now, ARGV[5])
return {1, tostring(count + cost), tostring(now), ''}
"""

_DONE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'failing', '1') else redis.call('HDEL', KEYS[1], 'failing') end
return 1
"""

_OBSERVE = """
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local seen_count, seen_last = tonumber(ARGV[1]), tonumber(ARGV[2])
if seen_last > last then redis.call('HSET', KEYS[1], 'last', tostring(seen_last)) end
if seen_count > count then redis.call('HSET', KEYS[1], 'count', seen_count) end
return 1
"""

_TOUCH = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if now > last then redis.call('HSET', KEYS[1], 'last', tostring(now)) end
return 1
"""

_BLOCK = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'blocked_until') or '0')
if until_ > blocked then redis.call('HSET', KEYS[1], 'blocked_until', tostring(until_)) end
return tostring(until_)
"""


class Priority(Enum):
    CHECK = "check"
    VERIFY = "verify"  # a newly listed day's times: may use the requests that checks leave for them (see run_limit)
    BOOKING = "booking"  # also captcha solving: requests a user is waiting for


@dataclass(frozen=True)
class Grant:
    granted: bool
    wait_s: float  # when not granted: how long until the model allows the next request
    count: int  # when granted: the request's number in the current run
    at: float  # Redis' clock at the decision
    ticket: str = ""  # when granted: the request in flight, until ``answered`` or ``unanswered`` names it
    # when not granted, what it waits for: "count" (the portal's count to reset), "answer" (the request in flight
    # of a failing or slow portal) or "booking" (a booking goes first)
    waits_for: str = ""


@dataclass(frozen=True)
class BudgetConfig:
    """The portal's limiter as configured, and our margin under it."""

    limit: int = 60  # 0: the portal has no limiter
    silence_s: float = 60.0
    margin_requests: int = 1
    margin_s: float = 1.0
    booking_reserve: int = 0  # requests per run that checks always leave for bookings and captcha solving
    # Requests that routine checks leave for verifying newly listed days, in a run that follows one with a
    # verification: above all the verification of a day the run's last check finds, which otherwise waits a silence.
    verify_reserve: int = 0
    abandon_s: float = 16.0  # a request in flight longer than this was lost with its process (timeouts are 15 s)
    slow_s: float = 1.0  # a request unanswered this long: the portal is not answering normally (answers take ~0.1 s)

    @property
    def silence(self) -> float:
        return self.silence_s + self.margin_s

    def run_limit(self, priority: Priority) -> int:
        """Requests a run holds for this priority; checks also leave the verify reserve in some runs
        (``checks_per_run``)."""
        if self.limit <= 0:
            return 0
        usable = self.limit - self.margin_requests
        return usable if priority is Priority.BOOKING else max(1, usable - self.booking_reserve)

    def checks_per_run(self, *, keep_reserve: bool) -> int:
        limit = self.run_limit(Priority.CHECK)
        return max(1, limit - self.verify_reserve) if keep_reserve and limit > 0 else limit


class Budget:
    def __init__(self, client: redis.Redis, *, portal: str, config: BudgetConfig) -> None:
        self._client = client
        self.key = budget_key(portal)
        self._waiting_key = f"{self.key}:bookings-waiting"
        self._inflight_key = f"{self.key}:in-flight"
        self.config = config
        self._take = client.register_script(_TAKE)
        self._observe = client.register_script(_OBSERVE)
        self._block = client.register_script(_BLOCK)
        self._touch = client.register_script(_TOUCH)
        self._done = client.register_script(_DONE)

    def take(self, priority: Priority = Priority.CHECK, *, cost: int = 1) -> Grant:
        """Ask for ``cost`` requests now."""
        config, ticket = self.config, uuid.uuid4().hex
        args = [
            config.run_limit(priority),
            config.silence,
            cost,
            priority.value,
            ticket,
            config.abandon_s,
            config.slow_s,
            config.verify_reserve,
        ]
        ok, value, at, reason = self._take(keys=[self.key, self._waiting_key, self._inflight_key], args=args)
        metrics.BUDGET_REQUESTS.labels(priority.value, "yes" if int(ok) else "no").inc(cost)
        if int(ok):
            return Grant(True, 0.0, int(float(value)), float(at), ticket)
        return Grant(False, max(0.0, float(value)), 0, float(at), waits_for=reason.decode())

    def wait_for(self, priority: Priority, *, cost: int = 1, timeout_s: float) -> Grant:
        """Wait up to ``timeout_s`` for requests; while a booking waits, checks get none."""
        deadline = time.monotonic() + timeout_s
        if priority is Priority.BOOKING:
            self._client.incr(self._waiting_key)
            self._client.expire(self._waiting_key, int(timeout_s) + 5)
        try:
            while True:
                grant = self.take(priority, cost=cost)
                left = deadline - time.monotonic()
                if grant.granted or grant.wait_s > left:
                    return grant
                time.sleep(max(0.01, grant.wait_s))
        finally:
            if priority is Priority.BOOKING:
                self._client.decr(self._waiting_key)

    def answered(self, headers: dict[str, str], *, ticket: str = "", failed: bool = False) -> None:
        """An answer came: the portal counted the request by now, so the silence starts no earlier. A backend
        failure (``workers.portal.backend_failure``) marks the portal failing, any other answer well."""
        self._touch(keys=[self.key])
        self._done(keys=[self.key, self._inflight_key], args=[ticket, "1" if failed else "0"])
        self.observe(headers)

    def unanswered(self, *, ticket: str = "", portal_failed: bool = True) -> None:
        """A request got no answer: the portal may have counted it at any moment until now, later than it was
        granted, so the silence starts no earlier than now either. A timeout or a lost connection marks the portal
        failing; our own failure (the browser died) does not."""
        self._touch(keys=[self.key])
        self._done(keys=[self.key, self._inflight_key], args=[ticket, "1" if portal_failed else "0"])

    def observe(self, headers: dict[str, str]) -> None:
        """Correct the model from an answer's ``X-RateLimit-*`` headers (present on allowed answers only)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            limit = int(lowered["x-ratelimit-limit"])
            remaining = int(lowered["x-ratelimit-remaining"])
            reset = float(lowered["x-ratelimit-reset"])
        except (KeyError, ValueError):
            return
        # Remaining is limit - count - 1 (one lower than truly left); Reset is last counted + silence.
        self._observe(keys=[self.key], args=[limit - remaining - 1, reset - self.config.silence_s])

    def silence_after_refusal(self) -> float:
        """After a 429: no request until the portal's count has surely reset. Returns that moment."""
        return float(self._block(keys=[self.key], args=[self.config.silence]))

    def state(self) -> dict[str, float]:
        raw = self._client.hgetall(self.key)
        return {k.decode(): float(v) for k, v in raw.items()}  # type: ignore[union-attr]

    def checks_in_run(self, state: Mapping[str, float], *, next_run: bool) -> int:
        """Requests the current run's checks may use, or the next run's (which keeps the verify reserve if the
        current run verified a day)."""
        keep = state.get("verified", 0) > 0 if next_run else state.get("keep_reserve", 0) > 0
        return self.config.checks_per_run(keep_reserve=keep)


def budget_for(settings: Settings, client: redis.Redis) -> Budget:
    """The farm's budget for the portal of ``settings``."""
    return Budget(
        client,
        portal=settings.portal,
        config=BudgetConfig(
            limit=settings.portal_rate_limit,
            silence_s=settings.portal_rate_silence_s,
            margin_requests=settings.budget_margin_requests,
            margin_s=settings.budget_margin_s,
            booking_reserve=settings.budget_booking_reserve,
            verify_reserve=settings.budget_verify_reserve,
        ),
    )


def budget_key(portal: str) -> str:
    return f"mta:budget:{portal}"


def read_budget(client: redis.Redis, portal: str) -> dict[str, str]:
    """The budget's state as the operator sees it: ``count`` (requests in the current run), ``last`` (unix
    time of the latest request) and ``blocked_until``; empty before the first request."""
    raw: dict[bytes, bytes] = client.hgetall(budget_key(portal))  # type: ignore[assignment]  # sync client
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in sorted(raw.items())}

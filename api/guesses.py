"""Guessing bounded: a client that sends ``ALLOWED`` wrong operator tokens, logins or user links within
``WINDOW_S`` gets 429 for the rest of that window, the right token included. The count lives in Redis, shared
by the API's processes; each process also remembers the clients it refused, so a good request costs no round
trip. Clients are told apart by their address: behind a proxy, give the API the real one (uvicorn's
``--forwarded-allow-ips``)."""

from __future__ import annotations

import logging
import math
import time

import redis
from fastapi import HTTPException, Request

ALLOWED = 10
WINDOW_S = 60
REMEMBERED = 10_000  # refused clients a process keeps before it forgets those whose window has ended

log = logging.getLogger(__name__)


class Guesses:
    def __init__(self, client: redis.Redis, *, allowed: int = ALLOWED, window_s: int = WINDOW_S) -> None:
        self._redis = client
        self._allowed = allowed
        self._window_s = window_s
        self._refused: dict[str, float] = {}  # client address → monotonic end of its window

    def refuse_if_blocked(self, request: Request) -> None:
        """429 for a client that used up its wrong attempts, before anything it sent is looked at."""
        address = _address(request)
        until = self._refused.get(address)
        if until is None:
            return
        if until > time.monotonic():
            raise _too_many(until)
        del self._refused[address]

    def wrong(self, request: Request) -> None:
        """Count a wrong attempt; past the allowance the client is refused (429) until its window ends."""
        address = _address(request)
        key = f"mta:wrong-attempts:{address}"
        try:
            with self._redis.pipeline() as pipe:
                pipe.incr(key)
                pipe.expire(key, self._window_s, nx=True)  # the window starts at the first wrong attempt
                pipe.ttl(key)
                count, _, ttl = pipe.execute()
        except redis.RedisError as exc:  # counting is lost, not the answer: the attempt is refused either way
            log.warning("could not count a wrong attempt: %s", exc)
            return
        if int(count) <= self._allowed:
            return
        if len(self._refused) >= REMEMBERED:
            now = time.monotonic()
            self._refused = {a: until for a, until in self._refused.items() if until > now}
        until = time.monotonic() + max(int(ttl), 1)
        self._refused[address] = until
        log.warning("client %s refused for %d s after %d wrong attempts", address, max(int(ttl), 1), count)
        raise _too_many(until)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _too_many(until: float) -> HTTPException:
    retry = max(math.ceil(until - time.monotonic()), 1)
    return HTTPException(429, f"too many wrong attempts; try again in {retry} s", headers={"Retry-After": str(retry)})

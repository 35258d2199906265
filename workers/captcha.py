"""ALTCHA captcha tokens (docs/portal.md, "Captcha"): solved in the farm's browser, shared by every worker via Redis.

A token is bound to the client IP and lives 300 s; the farm has one egress, so one token serves every
process until shortly before it expires. Solving costs two portal requests (challenge and verify).
"""

from __future__ import annotations

import base64
import json
import time
from importlib import resources
from typing import Any

import redis
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from core import metrics
from core.budget import Budget, Priority
from workers.fetch import get_json, post_json, raise_for
from workers.portal import PortalChanged, PortalUnavailable

SOLVER_JS = resources.files("workers").joinpath("altcha_solver.js").read_text(encoding="utf-8")


def solve_in_browser(page: Page, challenge: Any, *, timeout_s: float) -> str:
    """The base64 payload for ``captcha-verify/``: the challenge solved by the browser. The solver returns its
    solution (never a falsy value) or throws, so waiting for it as a function, unlike ``evaluate``, bounds it."""
    solution = page.wait_for_function(SOLVER_JS, arg=challenge, timeout=timeout_s * 1000).json_value()
    return base64.b64encode(json.dumps(solution, separators=(",", ":")).encode()).decode()


class CaptchaTokens:
    def __init__(self, client: redis.Redis, *, portal: str, api_url: str, reuse_s: float, timeout_s: float) -> None:
        self._client = client
        self._key = f"mta:captcha:{portal}"
        self._api = api_url.rstrip("/")
        self._reuse_s = reuse_s
        self._timeout_s = timeout_s
        self.challenges_key = f"{self._key}:challenges"

    def token(self, page: Page, budget: Budget) -> str:
        """A valid token: the shared one, or a new one solved now (one solver at a time across the farm)."""
        deadline = time.monotonic() + self._timeout_s
        while time.monotonic() < deadline:
            cached = self._client.get(self._key)
            if isinstance(cached, bytes):
                return cached.decode()
            if self._client.set(f"{self._key}:lock", 1, nx=True, ex=int(self._timeout_s) + 1):
                try:
                    cached = self._client.get(self._key)  # solved by another process just before we got the lock
                    return cached.decode() if isinstance(cached, bytes) else self._solve(page, budget)
                finally:
                    self._client.delete(f"{self._key}:lock")
            time.sleep(0.1)
        raise PortalUnavailable("no captcha token in time", f"{self._api}/captcha-challenge/")

    def forget(self) -> None:
        """The portal refused the token (expired or invalid): the next check solves a new one."""
        self._client.delete(self._key)

    def _solve(self, page: Page, budget: Budget) -> str:
        self._client.incr(self.challenges_key)
        metrics.CAPTCHA_CHALLENGES.inc()
        urgent, wait_s = Priority.BOOKING, self._timeout_s  # a check waits on this token
        challenge = get_json(page, f"{self._api}/captcha-challenge/", budget=budget, priority=urgent, wait_s=wait_s)
        raise_for(challenge, budget)  # a refusal never reaches the solver as a challenge
        try:
            payload = solve_in_browser(page, challenge.body, timeout_s=self._timeout_s)
        except PlaywrightTimeoutError as exc:  # a cost the city's widget could not pay either
            raise PortalChanged("captcha challenge not solved in time", challenge.url, body=challenge.raw) from exc
        verified = post_json(
            page, f"{self._api}/captcha-verify/", {"payload": payload}, budget=budget, priority=urgent, wait_s=wait_s
        )
        raise_for(verified, budget)
        token = verified.body.get("token") if isinstance(verified.body, dict) else None
        if verified.status != 200 or not isinstance(token, str):
            raise PortalChanged("captcha-verify gave no token", verified.url, verified.status, body=verified.raw)
        self._client.set(self._key, token, ex=max(1, int(self._reuse_s)))
        return token

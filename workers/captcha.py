"""ALTCHA captcha tokens (docs/portal.md, "Captcha"): fetched through the farm's browser, solved in native code
(``workers.altcha``), shared by every worker via Redis.

A token is bound to the client IP and lives 300 s; the farm has one egress, so one token serves every
process until shortly before it expires, and a task renews it ahead of that while a watched office needs one
(``renew``), so checks never wait for a solve. Solving costs two portal requests (challenge and verify), and each
challenge is a visit the portal's captcha service counts to raise the difficulty of the next.
"""

from __future__ import annotations

import logging
import time

import redis
from playwright.sync_api import Page

from core import metrics
from core.budget import Budget, Priority
from core.locks import held
from workers import altcha
from workers.fetch import get_json, post_json, raise_for
from workers.portal import PortalChanged, PortalUnavailable

log = logging.getLogger(__name__)
REFUSALS = frozenset({"captchaMissing", "captchaInvalid", "captchaExpired"})  # the portal's 400 error codes
FRESH_S = 30.0  # a token refused this soon after its solve: the portal refuses our tokens, not their age
REFUSED_PAUSE_S = 60  # then no new visit for this long: each one raises the difficulty of the next


class CaptchaTokens:
    def __init__(
        self,
        client: redis.Redis,
        *,
        portal: str,
        api_url: str,
        reuse_s: float,
        renew_before_s: float,
        solve_s: float,
        timeout_s: float,
    ) -> None:
        self._client = client
        self._key = f"mta:captcha:{portal}"
        self._api = api_url.rstrip("/")
        self._reuse_s = reuse_s
        self._renew_before_s = renew_before_s
        self._solve_s = solve_s  # the longest a solve may take
        self._timeout_s = timeout_s  # the longest a request may wait for the budget
        self._refused_key = f"{self._key}:refused"

    def token(self, page: Page, budget: Budget) -> str:
        """A valid token: the shared one, or a new one solved now (one solver at a time across the farm);
        ``PortalUnavailable`` while the portal refuses fresh tokens."""
        if (pause := int(self._client.ttl(self._refused_key))) > 0:
            raise PortalUnavailable(
                f"the portal refused a fresh captcha token; no new one for {pause} s", f"{self._api}/captcha-challenge/"
            )
        deadline = time.monotonic() + self._timeout_s
        while time.monotonic() < deadline:
            cached = self._client.get(self._key)
            if isinstance(cached, bytes):
                return cached.decode()
            with held(self._client, f"{self._key}:lock", lease_s=self._solve_lease_s) as solving:
                if solving:
                    cached = self._client.get(self._key)  # solved by another process just before we got the lock
                    return cached.decode() if isinstance(cached, bytes) else self._solve(page, budget)
            time.sleep(0.1)
        raise PortalUnavailable("no captcha token in time", f"{self._api}/captcha-challenge/")

    def renewal_due(self) -> bool:
        """Whether the shared token is missing or ends its reuse within ``renew_before_s``."""
        return int(self._client.ttl(self._key)) < self._renew_before_s

    def claim_renewal(self) -> bool:
        """True once per solve's length: beat's tick, every second, sends one renewal, not one a tick."""
        return bool(self._client.set(f"{self._key}:renewal-sent", 1, nx=True, ex=max(1, int(self._solve_s))))

    def renew(self, page: Page, budget: Budget) -> bool:
        """Solve the next token while the current one still serves, unless another process is solving or the
        token was renewed meanwhile. Returns whether a token was solved."""
        with held(self._client, f"{self._key}:lock", lease_s=self._solve_lease_s) as solving:
            if not solving or not self.renewal_due():
                return False
            self._solve(page, budget)
            return True

    @property
    def _solve_lease_s(self) -> float:  # a challenge, its solve and the verify
        return self._solve_s + 2 * self._timeout_s

    def forget(self) -> None:
        """The portal refused the token: one that has lived a while is renewed by the next check; one refused
        just after its solve is not renewed for ``REFUSED_PAUSE_S`` (one renewal, never a loop of visits)."""
        left = int(self._client.ttl(self._key))
        self._client.delete(self._key)
        age = self._reuse_s - left if left > 0 else None
        if age is not None and age < FRESH_S:
            self._client.set(self._refused_key, 1, ex=REFUSED_PAUSE_S)
            log.error("the portal refused a captcha token %.0f s after its solve; none for %d s", age, REFUSED_PAUSE_S)

    def _solve(self, page: Page, budget: Budget) -> str:
        metrics.CAPTCHA_VISITS.inc()
        urgent, wait_s = Priority.BOOKING, self._timeout_s  # a check waits on this token
        challenge = get_json(page, f"{self._api}/captcha-challenge/", budget=budget, priority=urgent, wait_s=wait_s)
        raise_for(challenge, budget)  # a refusal never reaches the solver as a challenge
        started, difficulty = time.monotonic(), None
        try:
            difficulty = altcha.difficulty(challenge.body)
            metrics.CAPTCHA_DIFFICULTY.set(difficulty)
            payload = altcha.solve(challenge.body, timeout_s=self._solve_s)
        except altcha.Unsolved as exc:  # a cost too high to pay before the token would be needed
            log.error("captcha of difficulty %s not solved in %.0f s: %s", difficulty, self._solve_s, exc)
            raise PortalChanged(
                f"captcha challenge not solved in time: {exc}", challenge.url, body=challenge.raw
            ) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PortalChanged(
                f"captcha challenge of an unknown shape: {exc!r}", challenge.url, body=challenge.raw
            ) from exc
        metrics.CAPTCHA_SOLVE_SECONDS.observe(time.monotonic() - started)
        verified = post_json(
            page, f"{self._api}/captcha-verify/", {"payload": payload}, budget=budget, priority=urgent, wait_s=wait_s
        )
        raise_for(verified, budget)
        token = verified.body.get("token") if isinstance(verified.body, dict) else None
        if verified.status != 200 or not isinstance(token, str):
            raise PortalChanged("captcha-verify gave no token", verified.url, verified.status, body=verified.raw)
        self._client.set(self._key, token, ex=max(1, int(self._reuse_s)))
        return token

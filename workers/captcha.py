"""ALTCHA captcha tokens (docs/portal.md, "Captcha"): fetched through the farm's browser, solved in native code
(``workers.altcha``), shared by every worker via Redis.

A token is bound to the client IP and lives 300 s; the farm has one egress, so one token serves every
process until shortly before it expires. Solving costs two portal requests (challenge and verify), and each
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
    def __init__(self, client: redis.Redis, *, portal: str, api_url: str, reuse_s: float, timeout_s: float) -> None:
        self._client = client
        self._key = f"mta:captcha:{portal}"
        self._api = api_url.rstrip("/")
        self._reuse_s = reuse_s
        self._timeout_s = timeout_s
        self.challenges_key = f"{self._key}:challenges"
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
            with held(self._client, f"{self._key}:lock", lease_s=self._timeout_s * 3) as solving:
                if solving:
                    cached = self._client.get(self._key)  # solved by another process just before we got the lock
                    return cached.decode() if isinstance(cached, bytes) else self._solve(page, budget)
            time.sleep(0.1)
        raise PortalUnavailable("no captcha token in time", f"{self._api}/captcha-challenge/")

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
        self._client.incr(self.challenges_key)
        metrics.CAPTCHA_VISITS.inc()
        urgent, wait_s = Priority.BOOKING, self._timeout_s  # a check waits on this token
        challenge = get_json(page, f"{self._api}/captcha-challenge/", budget=budget, priority=urgent, wait_s=wait_s)
        raise_for(challenge, budget)  # a refusal never reaches the solver as a challenge
        started = time.monotonic()
        try:
            metrics.CAPTCHA_DIFFICULTY.set(altcha.difficulty(challenge.body))
            payload = altcha.solve(challenge.body, timeout_s=self._timeout_s)
        except altcha.Unsolved as exc:  # a cost too high to pay before the token would be needed
            log.error("captcha of difficulty %s not solved in %.0f s: %s", _difficulty(challenge.body), wait_s, exc)
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


def _difficulty(challenge: object) -> str:
    try:
        return str(altcha.difficulty(challenge))
    except (KeyError, TypeError, ValueError, AttributeError):
        return "unknown"

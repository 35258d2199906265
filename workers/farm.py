"""What one worker process holds: settings, database, Redis, the breaker, the catalogue and its browser.

Built lazily on first use in the process that uses it, so nothing crosses a fork.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cached_property

import pybreaker
import redis
from sqlalchemy.orm import Session, sessionmaker

from browser_profiles import load_profile
from core.budget import Budget, budget_for
from core.catalogue import CachedCatalogue, catalogue_for
from core.db import make_engine, make_sessionmaker
from core.portal_state import PORTAL_STATES, record_portal_state
from core.queue import TaskQueue
from core.settings import Settings, get_settings
from workers.breaker import portal_breaker
from workers.browser import BrowserLimits, WarmBrowser
from workers.captcha import CaptchaTokens
from workers.profiles import lease_profile
from workers.render import EvidencePage

log = logging.getLogger(__name__)


@dataclass
class Farm:
    settings: Settings
    checks_done: int = 0
    browser_error: str | None = None  # why this process's Chromium could not start, until it does

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(make_engine(self.settings.database_url))

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.settings.redis_url)

    @cached_property
    def portal(self) -> str:
        return self.settings.portal

    @cached_property
    def breaker(self) -> pybreaker.CircuitBreaker:
        return portal_breaker(
            self.redis,
            portal=self.portal,
            fail_max=self.settings.breaker_fail_max,
            probe_s=self.settings.breaker_probe_s,
            probe_max_s=self.settings.breaker_reset_s,
        )

    @cached_property
    def catalogue(self) -> CachedCatalogue:
        return catalogue_for(self.settings, self.redis)

    @cached_property
    def browser(self) -> WarmBrowser:
        settings = self.settings
        return WarmBrowser(
            profile=load_profile(),
            executable=settings.chromium_path,
            contact=settings.operator_contact,
            limits=BrowserLimits.of(settings),
            lease=lambda: lease_profile(self.redis, profile="default"),
        )

    @cached_property
    def evidence_page(self) -> EvidencePage:
        return EvidencePage(page_url=self.settings.portal_page_url, api_url=self.settings.portal_api_url)

    @cached_property
    def tasks(self) -> TaskQueue:
        """Tasks this process sends on the farm's broker."""
        return TaskQueue(self.settings.redis_url)

    @cached_property
    def budget(self) -> Budget:
        return budget_for(self.settings, self.redis)

    @cached_property
    def captcha(self) -> CaptchaTokens:
        return CaptchaTokens(
            self.redis,
            portal=self.portal,
            api_url=self.settings.portal_api_url,
            reuse_s=self.settings.captcha_reuse_s,
            renew_before_s=self.settings.captcha_renew_before_s,
            solve_s=self.settings.captcha_solve_s,
            timeout_s=self.settings.browser_timeout_s,
        )

    def generation(self) -> str:
        """The portal's API generation (docs/portal.md, "Generations"): ``calendar`` unless it proved ``legacy``."""
        raw = self.redis.get(f"mta:portal:{self.portal}:generation")
        return raw.decode() if isinstance(raw, bytes) else "calendar"

    def set_generation(self, generation: str) -> None:
        # Remembered for an hour, then the newer generation is tried again.
        self.redis.set(f"mta:portal:{self.portal}:generation", generation, ex=3600)

    def requests_per_check(self) -> int:
        return 2 if self.generation() == "legacy" else 1

    def report_state(self, state: str, detail: str) -> None:
        """Keep the portal's state (up / down / blocked / changed) for API and bot; log what changed."""
        state = state if state in PORTAL_STATES else "down"
        if record_portal_state(self.redis, self.portal, state):
            log.warning("portal %s is now %s %s", self.portal, state, detail)
        self.redis.hset(f"mta:portal:{self.portal}:detail", mapping={"state": state, "detail": detail[:500]})


_farm: tuple[int, Farm] | None = None


def current_farm() -> Farm:
    """This process's Farm; a forked child builds its own."""
    global _farm
    if _farm is None or _farm[0] != os.getpid():
        _farm = (os.getpid(), Farm(get_settings()))
    return _farm[1]

"""What one worker process holds: settings, database, Redis, the breaker, the catalogue and its browser.

Built lazily on first use in the process that uses it, so nothing crosses a fork.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import pybreaker
import redis
from sqlalchemy.orm import Session, sessionmaker

from browser_profiles import load_profile
from core.catalogue import CachedCatalogue
from core.db import make_engine, make_sessionmaker
from core.portal_state import portal_name
from core.settings import Settings, get_settings
from workers.breaker import portal_breaker
from workers.browser import BrowserLimits, WarmBrowser


@dataclass
class Farm:
    settings: Settings

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(make_engine(self.settings.database_url))

    @cached_property
    def redis(self) -> redis.Redis:
        return redis.Redis.from_url(self.settings.redis_url)

    @cached_property
    def portal(self) -> str:
        return portal_name(self.settings.portal_api_url)

    @cached_property
    def breaker(self) -> pybreaker.CircuitBreaker:
        return portal_breaker(
            self.redis,
            portal=self.portal,
            fail_max=self.settings.breaker_fail_max,
            reset_timeout=self.settings.breaker_reset_s,
        )

    @cached_property
    def catalogue(self) -> CachedCatalogue:
        return CachedCatalogue(
            self.settings.portal_api_url,
            ttl=self.settings.catalogue_ttl_s,
            user_agent=f"MTA/0.1 (+{self.settings.operator_contact})",
        )

    @cached_property
    def browser(self) -> WarmBrowser:
        return WarmBrowser(
            profile=load_profile(),
            executable=self.settings.chromium_path,
            contact=self.settings.operator_contact,
            limits=BrowserLimits(timeout_s=self.settings.browser_timeout_s),
        )


_farm: tuple[int, Farm] | None = None


def current_farm() -> Farm:
    """This process's Farm; a forked child builds its own."""
    global _farm
    if _farm is None or _farm[0] != os.getpid():
        _farm = (os.getpid(), Farm(get_settings()))
    return _farm[1]

"""One long-lived Chromium per worker process, launched lazily on first use after fork.

Its context and page stay warm across checks and are recycled after ``page_uses`` checks or any error;
the browser itself is retired after ``browser_uses`` checks, ``max_age_s`` seconds, or a disconnect.
Every browser operation has a time bound: Playwright's timeout where it takes one, ``bounded`` (the
watchdog) where it does not.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from browser_profiles import Profile
from core import metrics
from core.settings import Settings
from workers.profiles import ProfileLease
from workers.watchdog import Watchdog, browser_pid

log = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class BrowserGone(RuntimeError):
    """The browser died under a check (crash, kill, OOM): not the portal's fault; retried with a new one."""


class BrowserUnavailable(RuntimeError):
    """Our Chromium cannot start (no binary, a broken install, no memory): the farm's failure, not the portal's.
    The message says what to do, in one line."""


def chromium_problem(executable: str | None) -> str | None:
    """Why Chromium at ``executable`` cannot be launched, with the fix in one line; ``None`` when it may be tried
    (Playwright's own build, when no path is set, is checked by launching it)."""
    if executable and not os.access(executable, os.X_OK):
        return (
            f"no Chromium at {executable}: install it (apt-get install chromium) or set MTA_CHROMIUM_PATH to a "
            "Chromium binary (empty: Playwright's own, after `playwright install chromium`)"
        )
    return None


@dataclass(frozen=True)
class BrowserLimits:
    """The browser's bounds, as the settings give them (``of``): one owner for each number."""

    timeout_s: float
    page_uses: int
    browser_uses: int
    max_age_s: float

    @classmethod
    def of(cls, settings: Settings) -> BrowserLimits:
        return cls(
            timeout_s=settings.browser_timeout_s,
            page_uses=settings.browser_page_uses,
            browser_uses=settings.browser_uses,
            max_age_s=settings.browser_max_age_s,
        )


class WarmBrowser:
    """The process's Chromium and its one warm page."""

    def __init__(
        self,
        *,
        profile: Profile,
        executable: str | None,
        contact: str,
        limits: BrowserLimits,
        lease: Callable[[], ProfileLease] | None = None,
    ) -> None:
        self._profile = profile
        self._lease_profile = lease
        self._lease: ProfileLease | None = None
        self._executable = executable or None
        self._contact = contact
        self.limits = limits
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._watchdog: Watchdog | None = None  # the browser's
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._browser_uses = 0
        self._page_uses = 0
        self._launched_at = 0.0
        self.launches = 0

    @contextmanager
    def page(self) -> Iterator[Page]:
        """A warm page for one check; any error recycles the context so the next check starts clean."""
        page = self._warm_page()
        if self._lease is not None:
            self._lease.renew()
        try:
            yield page
        except BaseException:
            self._close_context()
            raise
        finally:
            self._page_uses += 1
            self._browser_uses += 1

    def warm(self) -> None:
        """Launch Chromium and open its page now, so the first check does not wait for them."""
        self._warm_page()

    @contextmanager
    def bounded(self, what: str, seconds: float | None = None) -> Iterator[None]:
        """Bound browser operations that take no timeout of their own (``what`` names them for the log): past
        ``seconds`` (the browser timeout) the browser is killed, and they raise ``BrowserGone``."""
        if self._watchdog is None:  # no browser: nothing to wait on
            yield
            return
        with self._watchdog.bounded(what, seconds or self.limits.timeout_s) as killed:
            try:
                yield
            except PlaywrightError as exc:
                if not killed.is_set():
                    raise
                metrics.BROWSER_RETIREMENTS.labels("hung").inc()
                raise BrowserGone(f"the browser hung {what}") from exc

    def _spent(self, page: Page) -> bool:
        """Closed, or due for recycling: the next check gets a new context and page."""
        return page.is_closed() or self._page_uses >= self.limits.page_uses

    def close(self) -> None:
        self._close_browser()
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None

    def _warm_page(self) -> Page:
        if self._browser is not None and self._must_retire(self._browser):
            self._close_browser()
        if self._browser is None:
            self._browser = self._launch()
        if self._page is not None and self._spent(self._page):
            self._close_context()
        if self._page is None:
            with self.bounded("opening a page"):
                self._context = self._new_context(self._browser)
                self._page = self._context.new_page()
            self._page_uses = 0
            metrics.PAGES_OPEN.inc()
        return self._page

    def _must_retire(self, browser: Browser) -> bool:
        reason = (
            "disconnected"
            if not browser.is_connected()
            else "uses"
            if self._browser_uses >= self.limits.browser_uses
            else "age"
            if time.monotonic() - self._launched_at > self.limits.max_age_s
            else None
        )
        if reason:
            metrics.BROWSER_RETIREMENTS.labels(reason).inc()
            log.info("retiring chromium: %s", reason)
        return reason is not None

    @property
    def open(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    def _launch(self) -> Browser:
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        if self._lease_profile is not None and self._lease is None:
            self._lease = self._lease_profile()
        if problem := chromium_problem(self._executable):
            raise BrowserUnavailable(problem)
        mark = f"--mta-browser={uuid.uuid4().hex}"  # a switch Chromium ignores, to find its process by
        try:
            browser = self._playwright.chromium.launch(
                executable_path=self._executable,
                args=[*CHROMIUM_ARGS, mark],
                timeout=self.limits.timeout_s * 1000,
            )
        except PlaywrightError as exc:
            raise BrowserUnavailable(f"Chromium could not start: {exc.message.splitlines()[0]}") from exc
        self._watchdog = Watchdog(pid=browser_pid(mark), mark=mark)
        self._launched_at = time.monotonic()
        self._browser_uses = 0
        self.launches += 1
        metrics.BROWSER_LAUNCHES.inc()
        log.info("chromium %s launched", browser.version)
        return browser

    def _new_context(self, browser: Browser) -> BrowserContext:
        profile = self._profile
        stored = self._lease.storage_state if self._lease is not None else None
        context = browser.new_context(
            storage_state=stored if stored is not None and stored.is_file() else None,
            locale=profile.locale,
            timezone_id=profile.timezone_id,
            viewport={"width": profile.viewport_width, "height": profile.viewport_height},
            user_agent=profile.user_agent_for(chrome_version=browser.version, contact=self._contact),
        )
        context.set_default_timeout(self.limits.timeout_s * 1000)
        context.set_default_navigation_timeout(self.limits.timeout_s * 1000)
        return context

    def _close_context(self) -> None:
        if self._page is not None:
            metrics.PAGES_OPEN.dec()
        context, self._context, self._page = self._context, None, None
        if context is not None:
            try:
                with self.bounded("closing a page"):
                    if self._lease is not None:  # keep the identity's cookies for the next context
                        context.storage_state(path=self._lease.storage_state)
                    context.close()
            except Exception:
                log.warning("context close failed; retiring the browser", exc_info=True)
                self._close_browser()

    def _close_browser(self) -> None:
        if self._page is not None:
            metrics.PAGES_OPEN.dec()
        browser, self._browser = self._browser, None
        self._context, self._page = None, None
        lease, self._lease = self._lease, None
        if lease is not None:
            lease.release()
        if browser is not None:
            try:
                with self.bounded("closing"):
                    browser.close()
            except Exception:
                log.warning("browser close failed", exc_info=True)
        self._watchdog = None

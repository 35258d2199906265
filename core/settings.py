"""The one Settings object. Every process reads it once at start and passes it down."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFICIAL_PAGE_URL = "https://stadt.muenchen.de/buergerservice/terminvereinbarung.html"
OFFICIAL_API_URL = "https://www48.muenchen.de/buergeransicht/api/citizen"


def portal_name(api_url: str) -> str:
    """The portal's name for breaker and state keys: the API host."""
    return urlsplit(api_url).netloc or api_url


class Settings(BaseSettings):
    """All of MTA's settings; environment variables carry the prefix ``MTA_``."""

    model_config = SettingsConfigDict(env_prefix="MTA_", env_file=".env", extra="ignore")

    database_url: str = Field("sqlite:///var/mta.db", description="SQLAlchemy URL of the database")
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0", description="Redis for the Celery broker, breaker state and budget"
    )
    portal_api_url: str = Field(OFFICIAL_API_URL, description="Base URL of the portal's citizen API")
    portal_page_url: str = Field(OFFICIAL_PAGE_URL, description="URL of the portal's booking page")
    booking_link_url: str = Field(
        OFFICIAL_PAGE_URL, description="Booking page linked in alerts (the official one by default)"
    )
    evidence_dir: Path = Field(Path("var/evidence"), description="Where screenshots and raw answers go")
    check_interval_s: float = Field(
        60.0, description="Seconds between two checks of a service when the portal has no rate limit"
    )
    chromium_path: str | None = Field(
        "/usr/lib/chromium/chromium", description="Chromium binary; empty for Playwright's own build"
    )
    browser_timeout_s: float = Field(20.0, description="Timeout of every browser operation")
    operator_contact: str = Field("operator@example.org", description="Contact named in the farm's honest user agent")
    portal_rate_limit: int = Field(
        60, description="Requests the portal lets through per IP before it wants silence; 0 for none"
    )
    portal_rate_silence_s: float = Field(60.0, description="Seconds of silence after which the portal's count resets")
    budget_margin_requests: int = Field(1, description="Requests of each run the farm never uses, as safety margin")
    budget_margin_s: float = Field(1.0, description="Seconds added to the portal's silence, as safety margin")
    budget_booking_reserve: int = Field(
        0, description="Requests of each run that checks always leave to bookings (which go first anyway)"
    )
    budget_verify_reserve: int = Field(
        3,
        ge=0,
        description="Requests that routine checks leave for verifying newly listed days, in each run that follows "
        "one with a verification",
    )
    prune_checks_after_days: float = Field(
        14.0,
        description="Days after which checks that found nothing are deleted (findings are kept), and after an "
        "appointment the screenshot of its booking",
    )
    thumbnail_delay_s: float = Field(
        5.0,
        description="Seconds after a finding before its thumbnail is made: not in the burst of renders that a "
        "run's first checks bring",
    )
    # 0: a screenshot (a fresh load of the city's page, about 0.3 s) would hold every alert back that long.
    alert_photo_wait_s: float = Field(
        0.0,
        ge=0,
        le=5,
        description="Seconds an alert waits for its screenshot before it leaves as text (the photo follows)",
    )
    page_changed_after: int = Field(
        3, ge=1, description="Evidence renders failed in a row after which the booking page counts as changed"
    )
    captcha_reuse_s: float = Field(270.0, description="Seconds a captcha token is reused (it lives 300 s)")
    captcha_renew_before_s: float = Field(
        30.0,
        description="Seconds before its reuse ends that the shared captcha token is renewed in the background, "
        "while a watched office needs one",
    )
    captcha_solve_s: float = Field(
        120.0, description="Longest a captcha solve may take; a harder challenge is reported as the portal's change"
    )
    browser_page_uses: int = Field(200, description="Checks before a browser context and page are recycled")
    browser_uses: int = Field(2000, description="Checks before a browser is retired and relaunched")
    browser_max_age_s: float = Field(3600.0, description="Seconds before a browser is retired and relaunched")
    breaker_fail_max: int = Field(5, description="Portal failures in a row that open the breaker")
    breaker_probe_s: float = Field(5.0, description="Seconds the opened breaker waits before its first trial request")
    breaker_reset_s: float = Field(
        10.0, description="Longest wait between trial requests while the breaker stays open (it doubles up to this)"
    )
    telegram_token: SecretStr | None = Field(None, description="Bot token; the bot runs only when set")
    telegram_base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API base URL (a local server in tests)"
    )
    telegram_base_file_url: str = Field("https://api.telegram.org/file/bot", description="Bot API file base URL")
    telegram_webhook_url: str | None = Field(
        None, description="Public HTTPS URL Telegram posts updates to; long polling when unset"
    )
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="Secret token Telegram sends with every webhook post; required in webhook mode"
    )
    telegram_webhook_listen: str = Field("127.0.0.1", description="Address the bot's webhook server listens on")
    telegram_webhook_port: int = Field(8443, description="Port the bot's webhook server listens on")
    telegram_send_rate: float = Field(
        28.0, description="Messages per second the bot sends at most, evenly spaced (Telegram allows about 30)"
    )
    telegram_allowed_users: list[int] = Field(
        default_factory=list,
        description="Telegram user ids allowed to use the bot, as JSON (`[123, 456]`); all if empty",
    )
    max_subscriptions_per_user: int = Field(5, description="Subscriptions one Telegram user may hold")
    command_rate_limit: int = Field(
        30, description="Messages and button presses one user may send per command_rate_window_s; more are ignored"
    )
    command_rate_window_s: int = Field(60, description="Window of the per-user command rate limit, in seconds")
    api_url: str = Field("http://127.0.0.1:8000", description="Where the control API is reachable")
    catalogue_ttl_s: int = Field(3600, description="Seconds the portal catalogue is cached")
    api_token: SecretStr | None = Field(
        None, description="Bearer token of the control API's operator endpoints; required unless demo"
    )
    demo: bool = Field(False, description="Demo mode: the API may run without a token, its operator endpoints open")
    api_cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins allowed by CORS, as JSON (`["https://ops.example"]`); none by default',
    )
    user_link_ttl_s: int = Field(3600, description="Seconds a signed link to a user's own data stays valid")
    log_level: str = Field("INFO", description="Level of every process's JSON log lines (DEBUG, INFO, WARNING, ERROR)")
    metrics_port: int = Field(
        0, description="Port a worker or the bot serves its own /metrics on; 0 for none (the API has /metrics)"
    )

    @property
    def portal(self) -> str:
        """The portal's name for breaker and state keys (``portal_name`` of the API URL)."""
        return portal_name(self.portal_api_url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings once per process."""
    return Settings()

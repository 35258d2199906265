"""Settings of the replica process (env prefix ``REPLICA_``).

Every field can be set in the environment (``REPLICA_DLDB_PATH=/work/shared/portal/dldb``) or handed in
by a test as keyword arguments (``ReplicaConfig(rate_limit_max_requests=3)``).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Generation = Literal["calendar", "legacy"]
CaptchaVersion = Literal["v1", "v2"]


class ReplicaConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPLICA_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8700
    dldb_path: Path | None = None
    """Folder with the city's ``locations_de.json`` / ``services_de.json``; None = built-in sample."""
    page_api_base: str = "/buergeransicht/api/citizen"
    """API base the booking page calls (an absolute URL when page and API sit on different hosts)."""
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    """Origins allowed to call the API from a browser (the page may sit on another host, like the city's)."""
    page_url: str = ""
    """Public URL of the booking page used in e-mail links; empty = derived from the request."""

    generation: Generation = "calendar"
    captcha_version: CaptchaVersion = "v2"
    captcha_enabled: bool = True
    """Only fills ``captcha-details.captchaEnabled`` (the city's CAPTCHA_ENABLED); checks are per scope."""
    captcha_office_ids: list[int] = Field(default_factory=lambda: [10461, 10187259])
    captcha_secret: str = Field(default_factory=lambda: secrets.token_hex(16))
    captcha_token_ttl: int = 300
    captcha_difficulty: list[tuple[int, int]] = Field(default_factory=lambda: [(1, 1000), (10, 10000)])
    """(from visit N, difficulty) as the city's captcha service maps visits in the window (JSON in the env)."""
    captcha_difficulty_fallback: int = 1_000_000
    captcha_window_s: float = 1800.0
    captcha_ipv4_net_size: int = 32
    captcha_ipv6_net_size: int = 128
    captcha_v2_key_prefix: str = "00"
    captcha_challenge_ttl: int = 600

    rate_limit_enabled: bool = True
    rate_limit_max_requests: int = 60
    rate_limit_silence_seconds: float = 60.0

    reservation_minutes: int = 15
    activation_minutes: int = 60
    appointments_per_mail: int = 1
    hang_cap_seconds: float = 30.0
    hide_unpublished: bool = False

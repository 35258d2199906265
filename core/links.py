"""Signed, expiring links: a Telegram user's way to their own data, and capability URLs for evidence files.

A signature is an HMAC-SHA256 over the link's parts with a key derived from ``MTA_API_TOKEN``, so the bot,
which knows the same settings, can mint links that the API accepts. Without a token (demo mode only) the key
is a fixed, public one: links still work, but prove nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from pydantic import SecretStr

from core.settings import Settings

DEMO_KEY = b"mta-demo-mode-links-are-not-secret"
USER_TOKEN = re.compile(r"(?P<user>-?[0-9]{1,19})\.(?P<expires>[0-9]{1,12})\.(?P<signature>[A-Za-z0-9_-]{22})")


def signing_key(api_token: SecretStr | None) -> bytes:
    """The link key: derived from the operator token, never the token itself."""
    if api_token is None or not api_token.get_secret_value():
        return DEMO_KEY
    return hmac.new(api_token.get_secret_value().encode(), b"mta-links-v1", hashlib.sha256).digest()


def sign(key: bytes, *parts: str | int) -> str:
    """A URL-safe signature (128 bits) of ``parts``."""
    message = "\x1f".join(str(p) for p in parts).encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify(key: bytes, signature: str, *parts: str | int) -> bool:
    return hmac.compare_digest(sign(key, *parts), signature)


def expiry(ttl_s: int, *, now: float | None = None, step_s: int = 600) -> int:
    """A Unix time at least ``ttl_s`` ahead, rounded up to ``step_s`` so repeated links stay identical."""
    moment = time.time() if now is None else now
    return (int(moment + ttl_s) // step_s + 1) * step_s


def user_token(key: bytes, *, user_id: int, expires: int) -> str:
    """``<user>.<expires>.<signature>``: names the user and proves the bot issued it."""
    return f"{user_id}.{expires}.{sign(key, 'user', user_id, expires)}"


def read_user_token(key: bytes, token: str, *, now: float | None = None) -> int | None:
    """The user a token names, or None when it is malformed, forged or expired."""
    match = USER_TOKEN.fullmatch(token)
    if match is None:
        return None
    user, expires = int(match["user"]), int(match["expires"])
    if not verify(key, match["signature"], "user", user, expires):
        return None
    if expires < (time.time() if now is None else now):
        return None
    return user


def user_link(settings: Settings, *, user_id: int, now: float | None = None) -> str:
    """The link the bot sends a user: their subscriptions and alerts, valid for ``user_link_ttl_s``."""
    key = signing_key(settings.api_token)
    token = user_token(key, user_id=user_id, expires=expiry(settings.user_link_ttl_s, now=now, step_s=60))
    return f"{settings.api_url.rstrip('/')}/me/{token}"

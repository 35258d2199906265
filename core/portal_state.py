"""Where the farm keeps its view of the portal in Redis, readable by the API and the bot."""

from __future__ import annotations

from urllib.parse import urlsplit

import redis


def portal_name(api_url: str) -> str:
    """The portal's name for breaker and state keys: the API host."""
    return urlsplit(api_url).netloc or api_url


def breaker_namespace(portal: str) -> str:
    return f"mta:breaker:{portal}"


def breaker_state_key(portal: str) -> str:
    return f"{breaker_namespace(portal)}:pybreaker:state"


def decode_state(raw: object) -> str:
    """``closed``, ``open`` or ``half-open``, as the workers' shared breaker last stored it."""
    return raw.decode() if isinstance(raw, bytes) else "closed"


def breaker_state(client: redis.Redis, portal: str) -> str:
    return decode_state(client.get(breaker_state_key(portal)))

"""Where the farm keeps its view of the portal in Redis, readable by the API and the bot."""

from __future__ import annotations

import json
from functools import lru_cache

import redis
from sqlalchemy.orm import Session

from core.alerts import ALERTS_WAKE_KEY
from core.models import Target
from core.settings import Settings


def breaker_namespace(portal: str) -> str:
    return f"mta:breaker:{portal}"


def breaker_state_key(portal: str) -> str:
    return f"{breaker_namespace(portal)}:pybreaker:state"


def decode_state(raw: object) -> str:
    """``closed``, ``open`` or ``half-open``, as the workers' shared breaker last stored it."""
    return raw.decode() if isinstance(raw, bytes) else "closed"


def breaker_state(client: redis.Redis, portal: str) -> str:
    return decode_state(client.get(breaker_state_key(portal)))


# -- the portal's state as users see it: up, down, blocked or changed ----------------------------------------

PORTAL_STATES = ("up", "down", "blocked", "changed")


def portal_state_key(portal: str) -> str:
    """Where the workers keep the portal's state after their latest check."""
    return f"mta:portal:{portal}:state"


def announced_state_key(portal: str) -> str:
    """The state the bot last told subscribers about."""
    return f"mta:portal:{portal}:announced"


def record_portal_state(client: redis.Redis, portal: str, state: str) -> bool:
    """Workers: store the portal's state after a check; on a change, wake the bot so it can tell subscribers.

    Returns whether the state changed. ``state`` is one of ``PORTAL_STATES``, or a failure's ``state``
    attribute as is (``unavailable``, which users know as ``down``).
    """
    state = "down" if state == "unavailable" else state
    if state not in PORTAL_STATES:
        raise ValueError(f"unknown portal state {state!r}")
    previous = client.set(portal_state_key(portal), state, get=True)
    changed = decode_portal_state(previous) != state
    if changed:
        client.rpush(ALERTS_WAKE_KEY, f"portal:{portal}")
    return changed


def decode_portal_state(raw: object, *, breaker: str = "closed") -> str:
    """The recorded state; before the workers recorded one, ``down`` while the breaker is open, else ``up``."""
    if isinstance(raw, bytes) and raw.decode() in PORTAL_STATES:
        return raw.decode()
    return "down" if breaker == "open" else "up"


def news_of(announced: object, current: object) -> str | None:
    """The state to announce when the portal went from ``announced`` to ``current`` (raw Redis values).

    ``None`` when nothing changed or nothing was recorded; an unannounced portal counts as ``up``.
    """
    if not isinstance(current, bytes) or current.decode() not in PORTAL_STATES:
        return None
    state = current.decode()
    return None if decode_portal_state(announced) == state else state


def page_failures_key(portal: str) -> str:
    """Evidence renders of the booking page that failed in a row: the operator's sign that the page changed,
    whatever the portal's API does."""
    return f"mta:portal:{portal}:page-failures"


def page_failures(client: redis.Redis, portal: str) -> int:
    raw = client.get(page_failures_key(portal))
    return int(raw) if isinstance(raw, bytes) else 0


def plan_key(portal: str) -> str:
    """Where the workers' pacer keeps the current run plan (JSON, with the mean interval per service)."""
    return f"mta:plan:{portal}"


def planned_intervals(client: redis.Redis, portal: str) -> dict[int, float]:
    """Mean seconds between two checks of each watched service, as the current plan spaces them."""
    raw = client.get(plan_key(portal))
    if not isinstance(raw, bytes):
        return {}
    try:
        return {int(service): float(seconds) for service, seconds in json.loads(raw)["intervals"].items()}
    except (ValueError, KeyError, TypeError):
        return {}


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def check_interval_for(session: Session, *, settings: Settings, target_id: int) -> float:
    """Seconds between two checks of ``target_id`` under the current plan (the setting before there is one)."""
    target = session.get(Target, target_id)
    if target is None:
        return settings.check_interval_s
    intervals = planned_intervals(_client(settings.redis_url), settings.portal)
    return intervals.get(target.service_id, settings.check_interval_s)

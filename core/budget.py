"""The portal request budget as the operator sees it: whatever the workers keep in Redis, read as is.

Key ``mta:budget:<portal>`` (``<portal>`` as ``core.portal_state.portal_name``), a hash of field -> value such
as ``limit_per_hour``, ``used`` and ``window_started``. The workers own its contents; empty when absent.
"""

from __future__ import annotations

import redis


def budget_key(portal: str) -> str:
    return f"mta:budget:{portal}"


def read_budget(client: redis.Redis, portal: str) -> dict[str, str]:
    raw: dict[bytes, bytes] = client.hgetall(budget_key(portal))  # type: ignore[assignment]  # sync client
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in sorted(raw.items())}

"""Faults the scenario can switch on: outages, hangs, maintenance, blacklist, malformed answers, 429 storms."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Literal

Outage = Literal["503", "hang"]
Malformed = Literal["html", "json"]


@dataclass
class Faults:
    outage: Outage | None = None
    """``503``: every API request gets 503 ``zmsClientCommunicationError`` (backend unreachable);
    ``hang``: API requests wait until the mode ends (or ``hang_cap_seconds``, then 503)."""
    maintenance: bool = False
    """503 ``serviceUnavailable`` as with the city's MAINTENANCE_ENABLED."""
    blacklist: list[str] = field(default_factory=list)
    """IPs / CIDR networks answered 403 ``IP_BLACKLISTED``; ``"*"`` = everybody."""
    malformed: Malformed | None = None
    """200 with a body that is not the documented one: an HTML page or JSON of another shape."""
    storm_until: float = 0.0
    """Until this unix time every API request is answered 429 (without being counted)."""

    def is_blacklisted(self, ip: str) -> bool:
        for entry in self.blacklist:
            if entry == "*":
                return True
            try:
                if ipaddress.ip_address(ip) in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                if entry == ip:
                    return True
        return False

    def to_json(self, now: float) -> dict[str, Any]:
        return {
            "outage": self.outage,
            "maintenance": self.maintenance,
            "blacklist": list(self.blacklist),
            "malformed": self.malformed,
            "stormSecondsLeft": max(0.0, round(self.storm_until - now, 3)),
        }


MALFORMED_HTML = (
    "<!DOCTYPE html><html lang='de'><head><title>Wartungsarbeiten</title></head>"
    "<body><h1>Die Seite wird gerade überarbeitet</h1><p>Bitte versuchen Sie es später erneut.</p>"
    "</body></html>"
)

MALFORMED_JSON: dict[str, Any] = {
    "meta": {"success": True, "generated": "replica"},
    "data": {"result": "changed", "items": [{"kind": "unexpected"}]},
}

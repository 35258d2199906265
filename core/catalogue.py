"""The portal's own catalogue of offices and services (``offices-and-services/``), fetched and cached."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass(frozen=True)
class Office:
    id: int
    name: str
    captcha_required: bool = False
    shared_booking_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Service:
    id: int
    name: str


@dataclass(frozen=True)
class Catalogue:
    offices: dict[int, Office]
    services: dict[int, Service]
    relations: frozenset[tuple[int, int]] = field(default_factory=frozenset)  # (service_id, office_id)

    def offers(self, service_id: int, office_id: int) -> bool:
        return (service_id, office_id) in self.relations

    def offices_for(self, service_id: int) -> list[Office]:
        return [o for o in self.offices.values() if (service_id, o.id) in self.relations]

    def find_services(self, text: str) -> list[Service]:
        """Services whose name contains ``text`` (case-insensitive), or whose id is ``text``."""
        needle = text.strip().casefold()
        if needle.isdigit() and int(needle) in self.services:
            return [self.services[int(needle)]]
        return [s for s in self.services.values() if needle and needle in s.name.casefold()]


class CatalogueError(RuntimeError):
    """The portal's catalogue could not be read or did not have the documented shape."""


def parse_catalogue(data: Any) -> Catalogue:
    try:
        offices = {
            int(o["id"]): Office(
                id=int(o["id"]),
                name=str(o["name"]),
                captcha_required=bool((o.get("scope") or {}).get("captchaActivatedRequired")),
                shared_booking_ids=tuple(int(i) for i in o.get("sharedBookingOfficeIds") or ()),
            )
            for o in data["offices"]
        }
        services = {int(s["id"]): Service(id=int(s["id"]), name=str(s["name"])) for s in data["services"]}
        relations = frozenset((int(r["serviceId"]), int(r["officeId"])) for r in data["relations"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogueError(f"offices-and-services/ answer has an unexpected shape: {exc!r}") from exc
    return Catalogue(offices, services, relations)


def fetch_catalogue_json(api_url: str, *, user_agent: str, timeout: float = 20.0) -> Any:
    url = api_url.rstrip("/") + "/offices-and-services/"
    try:
        response = httpx.get(url, headers={"User-Agent": user_agent}, timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise CatalogueError(f"could not read {url}: {exc}") from exc


class CachedCatalogue:
    """Fetches the catalogue at most once per ``ttl`` seconds; keeps the last good copy on failure."""

    def __init__(self, api_url: str, *, ttl: float, user_agent: str = "MTA") -> None:
        self._api_url = api_url
        self._ttl = ttl
        self._user_agent = user_agent
        self._raw: Any = None
        self._value: Catalogue | None = None
        self._fetched_at = 0.0

    def get(self) -> Catalogue:
        self.raw()
        assert self._value is not None
        return self._value

    def raw(self) -> Any:
        """The portal's JSON as it came, for serving it back to the booking page."""
        if self._value is None or time.monotonic() - self._fetched_at > self._ttl:
            try:
                raw = fetch_catalogue_json(self._api_url, user_agent=self._user_agent)
                self._value, self._raw = parse_catalogue(raw), raw
                self._fetched_at = time.monotonic()
            except CatalogueError:
                if self._value is None:
                    raise
        return self._raw

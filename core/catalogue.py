"""The portal's own catalogue of offices and services (``offices-and-services/``), fetched and cached."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis

from core.budget import Budget, Priority, budget_for
from core.locks import held
from core.settings import Settings, portal_name

LOCAL_TTL_S = 60.0
FETCH_LOCK_S = 30.0  # one process fetches for the farm meanwhile; longer than a fetch's timeout (20 s)


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
        if needle.isascii() and needle.isdigit() and int(needle) in self.services:
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
    """The catalogue, fetched at most once per ``ttl`` by the whole farm: the copy lives in Redis.

    Each process keeps its parsed copy for a minute at most; a fetch takes a request from the budget
    (a portal request like any other) and the last good copy survives a failed fetch. Processes that find no
    copy at once (a farm starting, a copy expiring as a run begins) fetch it once: one holds a Redis lock and
    fetches, the others wait for its copy.
    """

    def __init__(
        self,
        api_url: str,
        *,
        ttl: float,
        user_agent: str = "MTA",
        client: redis.Redis | None = None,
        budget: Budget | None = None,
    ) -> None:
        self._api_url = api_url
        self._ttl = ttl
        self._user_agent = user_agent
        self._client = client
        self._budget = budget
        self._key = f"mta:catalogue:{portal_name(api_url)}"
        self._raw: Any = None
        self._value: Catalogue | None = None
        self._loaded_at = 0.0

    def get(self) -> Catalogue:
        self.raw()
        assert self._value is not None
        return self._value

    def raw(self) -> Any:
        """The portal's JSON as it came, for serving it back to the booking page."""
        if self._value is not None and time.monotonic() - self._loaded_at < min(self._ttl, LOCAL_TTL_S):
            return self._raw
        try:
            raw = self._shared() or self._fetch_once()
            self._value, self._raw, self._loaded_at = parse_catalogue(raw), raw, time.monotonic()
        except CatalogueError:
            if self._value is None:
                raise
        return self._raw

    def _shared(self) -> Any:
        cached = self._client.get(self._key) if self._client is not None else None
        return json.loads(cached) if isinstance(cached, bytes) else None

    def _fetch_once(self) -> Any:
        """Fetch while holding the farm's fetch lock; while another process holds it, wait for its copy (and
        take the lock in turn if it fails)."""
        if self._client is None:
            return self._fetch()
        deadline = time.monotonic() + FETCH_LOCK_S
        while True:
            with held(self._client, f"{self._key}:fetching", lease_s=FETCH_LOCK_S) as fetching:
                if fetching:  # a copy stored by the holder before ours is taken as it is
                    return self._shared() or self._fetch()
            if time.monotonic() >= deadline:
                return self._fetch()
            time.sleep(0.05)
            if (shared := self._shared()) is not None:
                return shared

    def _fetch(self) -> Any:
        if self._budget is None:
            raw = fetch_catalogue_json(self._api_url, user_agent=self._user_agent)
        else:
            grant = self._budget.take(Priority.BOOKING)
            if not grant.granted:
                raise CatalogueError(f"no request budget for the catalogue for {grant.wait_s:.0f} s")
            try:
                raw = fetch_catalogue_json(self._api_url, user_agent=self._user_agent)
            except Exception:
                self._budget.unanswered(ticket=grant.ticket)
                raise
            self._budget.answered({}, ticket=grant.ticket)
        parse_catalogue(raw)  # only a good copy is shared
        if self._client is not None:
            self._client.set(self._key, json.dumps(raw), ex=max(1, int(self._ttl)))
        return raw


def catalogue_for(settings: Settings, client: redis.Redis) -> CachedCatalogue:
    """The catalogue as every MTA process reads it: shared through Redis, fetched within the budget."""
    return CachedCatalogue(
        settings.portal_api_url,
        ttl=settings.catalogue_ttl_s,
        user_agent=f"MTA/0.1 (+{settings.operator_contact})",
        client=client,
        budget=budget_for(settings, client),
    )

"""``Replica``: the whole scenario state of one replica, and the Python API the admin routes call."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from .booking import BookingDesk, Process
from .captcha import CaptchaParams, DifficultyRules, Visits
from .catalogue import Catalogue, ScopeSettings, load_catalogue
from .config import CaptchaVersion, Generation, ReplicaConfig
from .limiter import RateLimiter
from .outbox import Outbox
from .scenario import Faults, Malformed, Outage
from .slots import SlotBook, berlin_timestamp

_UNSET: Any = object()


@dataclass(frozen=True)
class RequestRecord:
    time: float  # answered, or given up by the client
    method: str
    path: str
    query: str
    status: int
    ip: str
    arrived: float  # the portal works on the request from here until ``time``

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Replica:
    def __init__(self, config: ReplicaConfig | None = None, clock: Callable[[], float] = time.time) -> None:
        self.config = config or ReplicaConfig()
        self._clock = clock
        self._offset = 0.0
        cfg = self.config
        self.catalogue: Catalogue = load_catalogue(
            cfg.dldb_path,
            ScopeSettings(
                captcha_office_ids=frozenset(cfg.captcha_office_ids),
                reservation_minutes=cfg.reservation_minutes,
                activation_minutes=cfg.activation_minutes,
                appointments_per_mail=cfg.appointments_per_mail or None,
                hide_unpublished=cfg.hide_unpublished,
            ),
        )
        self.slots = SlotBook()
        self.outbox = Outbox()
        self.bookings = BookingDesk(
            self.catalogue,
            self.slots,
            self.outbox,
            reservation_minutes=cfg.reservation_minutes,
            activation_minutes=cfg.activation_minutes,
            appointments_per_mail=cfg.appointments_per_mail or None,
        )
        self.limiter = RateLimiter()
        self.faults = Faults()
        self.log: deque[RequestRecord] = deque(maxlen=20000)
        self.captcha_challenges = 0
        self.listed: set[tuple[int, int, date]] = set()
        self.reset()

    # --- time -------------------------------------------------------------------------------------
    def now(self) -> float:
        return self._clock() + self._offset

    def advance_clock(self, seconds: float) -> float:
        """Move the replica's clock forward (expiry, limiter silence and token lifetimes follow it)."""
        self._offset += seconds
        return self.now()

    # --- scenario ---------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the configured start: no slots, listed days, processes, mails, faults, log or counters."""
        cfg = self.config
        self._offset = 0.0
        self.slots.clear()
        self.listed.clear()
        self.outbox.clear()
        self.bookings.reset()
        self.faults = Faults()
        self.log.clear()
        self.captcha_challenges = 0
        self.captcha_visits = Visits(
            DifficultyRules(
                steps=tuple(cfg.captcha_difficulty),
                fallback=cfg.captcha_difficulty_fallback,
                window_s=cfg.captcha_window_s,
                ipv4_net_size=cfg.captcha_ipv4_net_size,
                ipv6_net_size=cfg.captcha_ipv6_net_size,
            )
        )
        self.generation: Generation = cfg.generation
        self.captcha_version: CaptchaVersion = cfg.captcha_version
        self.limiter = RateLimiter(cfg.rate_limit_max_requests, cfg.rate_limit_silence_seconds, cfg.rate_limit_enabled)

    def open_slots(
        self,
        office_id: int,
        service_id: int,
        timestamps: list[int] | None = None,
        *,
        day: date | str | None = None,
        times: list[str] | None = None,
    ) -> list[int]:
        """Open free times for (office, service): unix ``timestamps`` or ``day`` + ``HH:MM`` in Munich."""
        if not self.catalogue.offers(office_id, service_id):
            raise ValueError(f"office {office_id} does not offer service {service_id}")
        stamps = list(timestamps or [])
        if day is not None:
            the_day = date.fromisoformat(day) if isinstance(day, str) else day
            stamps += [berlin_timestamp(the_day, t) for t in times or []]
        return self.slots.open(office_id, service_id, stamps)

    def close_slots(
        self,
        office_id: int | None = None,
        service_id: int | None = None,
        timestamps: list[int] | None = None,
    ) -> int:
        return self.slots.close(office_id, service_id, timestamps)

    def list_days(self, office_id: int, service_id: int, dates: Iterable[date | str]) -> list[str]:
        """Let the day list name (office, service) on ``dates`` although no time is free there ("unverified")."""
        if not self.catalogue.offers(office_id, service_id):
            raise ValueError(f"office {office_id} does not offer service {service_id}")
        days = sorted({date.fromisoformat(d) if isinstance(d, str) else d for d in dates})
        self.listed.update((office_id, service_id, day) for day in days)
        return [day.isoformat() for day in days]

    def unlist_days(self, office_id: int | None = None, service_id: int | None = None) -> int:
        """Forget listed days matching the filter (None = any); returns how many were removed."""
        gone = {
            entry
            for entry in self.listed
            if (office_id is None or entry[0] == office_id) and (service_id is None or entry[1] == service_id)
        }
        self.listed -= gone
        return len(gone)

    def listed_days(self, office_ids: list[int], service_ids: list[int]) -> dict[date, set[int]]:
        """Day -> those of ``office_ids`` the day list names for every one of ``service_ids``."""
        days: dict[date, set[int]] = {}
        for oid, _sid, day in self.listed:
            if oid in office_ids and all((oid, other, day) in self.listed for other in service_ids):
                days.setdefault(day, set()).add(oid)
        return days

    def set_scenario(
        self,
        *,
        outage: Outage | None = _UNSET,
        maintenance: bool | None = None,
        blacklist: list[str] | None = None,
        malformed: Malformed | None = _UNSET,
        storm_seconds: float | None = None,
        generation: Generation | None = None,
        captcha_version: CaptchaVersion | None = None,
    ) -> None:
        """Change only the given parts (``outage=None`` / ``malformed=None`` switch those off)."""
        if outage is not _UNSET:
            self.faults.outage = outage
        if maintenance is not None:
            self.faults.maintenance = maintenance
        if blacklist is not None:
            self.faults.blacklist = list(blacklist)
        if malformed is not _UNSET:
            self.faults.malformed = malformed
        if storm_seconds is not None:
            self.faults.storm_until = self.now() + storm_seconds if storm_seconds > 0 else 0.0
        if generation is not None:
            self.generation = generation
        if captcha_version is not None:
            self.captcha_version = captcha_version

    def set_limiter(
        self,
        *,
        max_requests: int | None = None,
        silence_seconds: float | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Change the limiter parameters; all counts start from zero."""
        self.limiter.configure(max_requests=max_requests, silence_seconds=silence_seconds, enabled=enabled)

    # --- observation ------------------------------------------------------------------------------
    def record(self, method: str, path: str, query: str, status: int, ip: str, *, arrived: float) -> None:
        self.log.append(RequestRecord(self.now(), method, path, query, status, ip, arrived))

    def requests(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.log]

    def counters(self) -> dict[str, Any]:
        limited = [r.to_json() for r in self.log if r.status == 429]
        return {
            "requests": len(self.log),
            "rateLimited": len(limited),
            "rateLimitedRequests": limited,
            "captchaChallenges": self.captcha_challenges,
        }

    def mails(self) -> list[dict[str, Any]]:
        return [m.to_json() for m in self.outbox.mails]

    def processes(self) -> list[dict[str, Any]]:
        self.bookings.expire(self.now())
        return [_process_json(p) for p in self.bookings.processes.values()]

    def captcha_params(self) -> CaptchaParams:
        cfg = self.config
        return CaptchaParams(
            secret=cfg.captcha_secret,
            v2_key_prefix=cfg.captcha_v2_key_prefix,
            challenge_ttl=cfg.captcha_challenge_ttl,
            token_ttl=cfg.captcha_token_ttl,
        )

    def state(self) -> dict[str, Any]:
        now = self.now()
        return {
            "now": now,
            "generation": self.generation,
            "captchaVersion": self.captcha_version,
            "faults": self.faults.to_json(now),
            "limiter": {
                "enabled": self.limiter.enabled,
                "maxRequests": self.limiter.max_requests,
                "silenceSeconds": self.limiter.silence_seconds,
            },
            "slots": self.slots.snapshot(),
            "listedDays": [
                {"officeId": oid, "serviceId": sid, "date": day.isoformat()} for oid, sid, day in sorted(self.listed)
            ],
        }


def _process_json(process: Process) -> dict[str, Any]:
    return {
        "processId": process.id,
        "authKey": process.auth_key,
        "officeId": process.office_id,
        "serviceIds": process.service_ids,
        "serviceCounts": process.service_counts,
        "timestamp": process.timestamp,
        "status": process.status,
        "expired": process.expired,
        "expiresAt": process.expires_at,
        "familyName": process.family_name,
        "email": process.email,
        "telephone": process.telephone,
        "history": list(process.history),
    }

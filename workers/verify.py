"""Verifying newly listed days: the day list names bookable office days without their times, so each one
that some subscriber could want is asked for by itself, the way the city's page asks when a person picks it
(docs/portal.md, "Calendar"). A day's verification is one more request; it goes before routine checks in the
budget (``Priority.VERIFY``), and a day stays verified while the day list keeps naming it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import redis

from core.locks import held
from core.slots import Observation, OfficeDay
from core.subscriptions import Filters
from workers.fetch import NoBudget

log = logging.getLogger(__name__)

AskDay = Callable[[dt.date, tuple[int, ...]], Observation]
"""Asks the portal for one day's times at some offices."""

KEEP_S = 86400  # a service unchecked for a day starts afresh
VERIFYING_S = 60.0  # a verifying check that died frees its service after this


@dataclass(frozen=True)
class WantedDay:
    day: dt.date
    offices: tuple[int, ...]  # every watched office the day list names on that day
    subscribers: int  # subscriptions that could want one of its unverified office days


def wanted_days(
    unverified: Iterable[OfficeDay],
    listed: Iterable[OfficeDay],
    *,
    interests: Iterable[tuple[Filters, frozenset[int]]],
    target_offices: Mapping[int, Iterable[int]],
) -> list[WantedDay]:
    """The days to verify, the most wanted first (then the earliest): those with an unverified office day that
    some subscriber's dates and weekdays could want at one of its targets' offices."""
    offices_of = [(filters, {o for t in targets for o in target_offices.get(t, ())}) for filters, targets in interests]
    watched = {o for offices in target_offices.values() for o in offices}
    pending: dict[dt.date, set[int]] = {}
    for day, office in unverified:
        pending.setdefault(day, set()).add(office)
    wanted: dict[dt.date, int] = {}
    for day, offices_pending in pending.items():
        count = sum(1 for filters, offices in offices_of if offices & offices_pending and filters.could_want(day))
        if count:
            wanted[day] = count
    on_day: dict[dt.date, set[int]] = {}
    for day, office in listed:
        if day in wanted and office in watched:
            on_day.setdefault(day, set()).add(office)
    return [
        WantedDay(day, tuple(sorted(on_day.get(day, ()))), count)
        for day, count in sorted(wanted.items(), key=lambda item: (-item[1], item[0]))
    ]


def verified_key(portal: str, service_id: int) -> str:
    return f"mta:portal:{portal}:verified:{service_id}"


def _member(key: OfficeDay) -> str:
    return f"{key[0].isoformat()}:{key[1]}"


def _office_day(member: bytes) -> OfficeDay:
    day, office = member.decode().rsplit(":", 1)
    return dt.date.fromisoformat(day), int(office)


def settle(client: redis.Redis, key: str, observation: Observation) -> frozenset[OfficeDay]:
    """Forget verified office days the day list no longer names (their return is new again), remember those
    this answer timed; returns every listed office day verified by now."""
    members: set[bytes] = client.smembers(key)  # type: ignore[assignment]  # sync client
    known = {_office_day(m) for m in members}
    timed = observation.timed & observation.listed
    pipe = client.pipeline()
    if stale := known - observation.listed:
        pipe.srem(key, *map(_member, stale))
    if timed:
        pipe.sadd(key, *map(_member, timed))
    pipe.expire(key, KEEP_S)
    pipe.execute()
    return frozenset((known & observation.listed) | timed)


def forget(client: redis.Redis, key: str, office_days: Iterable[OfficeDay]) -> None:
    """Office days whose verified times were not recorded: the next check that finds them listed asks again."""
    if members := [_member(k) for k in office_days]:
        client.srem(key, *members)


def verify(
    observation: Observation,
    days: Iterable[WantedDay],
    *,
    ask_day: AskDay,
    client: redis.Redis,
    key: str,
) -> Observation:
    """``observation`` with the times of ``days``, verified in order until the budget has no request left
    (the rest wait for the next check). One check of a service verifies at a time, so the most wanted days
    reach the portal first; a check that finds another verifying leaves the days to it and the next check."""
    with held(client, f"{key}:verifying", lease_s=VERIFYING_S) as verifying:
        return _verify(observation, days, ask_day=ask_day, client=client, key=key) if verifying else observation


def _verify(
    observation: Observation, days: Iterable[WantedDay], *, ask_day: AskDay, client: redis.Redis, key: str
) -> Observation:
    for wanted in days:
        members = [_member((wanted.day, o)) for o in wanted.offices]
        if not client.sadd(key, *members):
            continue
        try:
            observation = observation.verified_by(ask_day(wanted.day, wanted.offices))
        except NoBudget:
            client.srem(key, *members)
            log.info("no request left to verify %s; the next check will", wanted.day)
            break
        except BaseException:
            client.srem(key, *members)
            raise
    return observation

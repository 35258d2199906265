"""Free appointment times per (officeId, serviceId), as the scenario opens and closes them.

A slot opened for one service at an office is free for that service there; reserving it takes it for
every service of the reservation until the process is cancelled or expires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

Target = tuple[int, int]


def berlin_date(timestamp: int) -> date:
    return datetime.fromtimestamp(timestamp, BERLIN).date()


def berlin_timestamp(day: date, clock_time: str) -> int:
    """Unix seconds of ``HH:MM`` on ``day`` in Munich."""
    parsed = time.fromisoformat(clock_time)
    return int(datetime.combine(day, parsed, tzinfo=BERLIN).timestamp())


class SlotBook:
    def __init__(self) -> None:
        self._open: dict[Target, set[int]] = {}
        self._taken: dict[Target, set[int]] = {}

    def open(self, office_id: int, service_id: int, timestamps: Iterable[int]) -> list[int]:
        added = sorted(set(timestamps))
        self._open.setdefault((office_id, service_id), set()).update(added)
        return added

    def close(
        self,
        office_id: int | None = None,
        service_id: int | None = None,
        timestamps: Iterable[int] | None = None,
    ) -> int:
        """Remove open slots matching the filter (None = any); returns how many were removed."""
        wanted = set(timestamps) if timestamps is not None else None
        removed = 0
        for (oid, sid), times in self._open.items():
            if office_id is not None and oid != office_id:
                continue
            if service_id is not None and sid != service_id:
                continue
            gone = times if wanted is None else times & wanted
            removed += len(gone)
            times.difference_update(set(gone))
        return removed

    def clear(self) -> None:
        self._open.clear()
        self._taken.clear()

    def is_free(self, office_id: int, service_ids: Iterable[int], timestamp: int) -> bool:
        return all(
            timestamp in self._open.get((office_id, sid), set())
            and timestamp not in self._taken.get((office_id, sid), set())
            for sid in service_ids
        )

    def free_times(self, office_id: int, service_ids: list[int], after: float) -> list[int]:
        """Times free for every service at the office, later than ``after``, sorted."""
        if not service_ids:
            return []
        candidates = self._open.get((office_id, service_ids[0]), set())
        return sorted(t for t in candidates if t > after and self.is_free(office_id, service_ids, t))

    def take(self, office_id: int, service_ids: Iterable[int], timestamp: int) -> None:
        for sid in service_ids:
            self._taken.setdefault((office_id, sid), set()).add(timestamp)

    def release(self, office_id: int, service_ids: Iterable[int], timestamp: int) -> None:
        for sid in service_ids:
            self._taken.get((office_id, sid), set()).discard(timestamp)

    def snapshot(self) -> list[dict[str, object]]:
        return [
            {
                "officeId": oid,
                "serviceId": sid,
                "timestamps": sorted(times),
                "taken": sorted(self._taken.get((oid, sid), set())),
            }
            for (oid, sid), times in sorted(self._open.items())
            if times
        ]

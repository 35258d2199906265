"""What the portal's answers say about free slots, as plain values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

MUNICH = ZoneInfo("Europe/Berlin")

OfficeDay = tuple[dt.date, int]
"""A day at an office: the unit the portal lists as bookable and verifies times for."""


@dataclass(frozen=True, order=True)
class SeenSlot:
    """A free appointment time at an office."""

    starts_at: dt.datetime  # aware, UTC
    office_id: int

    @property
    def local(self) -> dt.datetime:
        return self.starts_at.astimezone(MUNICH)

    @property
    def office_day(self) -> OfficeDay:
        return self.local.date(), self.office_id


@dataclass(frozen=True)
class Observation:
    """The slots a check saw, and what of the calendar its answers covered (docs/portal.md, "Calendar").

    ``timed``: the office days whose free times the answers carry in full (``slots`` holds them all);
    ``listed``: the office days the day list names as bookable within ``painted_from``..``painted_to``, not
    verified. A slot on an office day neither timed nor painted is neither seen nor gone.
    """

    slots: frozenset[SeenSlot]
    listed: frozenset[OfficeDay] = frozenset()
    timed: frozenset[OfficeDay] = frozenset()
    painted_from: dt.date | None = None
    painted_to: dt.date | None = None

    def shows_gone(self, slot: SeenSlot) -> bool:
        """Whether this answer proves that ``slot``, seen open earlier, is no longer free."""
        if slot in self.slots:
            return False
        key = slot.office_day
        if key in self.timed:
            return True
        if self.painted_from is None or self.painted_to is None:
            return False
        return self.painted_from <= key[0] <= self.painted_to and key not in self.listed

    @property
    def bookable_days(self) -> frozenset[dt.date]:
        return frozenset(day for day, _ in self.listed)

    def unverified(self) -> frozenset[OfficeDay]:
        """Office days listed as bookable whose times no answer has carried."""
        return self.listed - self.timed

    def verified_by(self, other: Observation) -> Observation:
        """This observation with the times another answer verified (its day list is not taken)."""
        return replace(self, slots=self.slots | other.slots, timed=self.timed | other.timed)

    def only_offices(self, office_ids: Iterable[int]) -> Observation:
        """The part of a coalesced answer that concerns these offices."""
        wanted = set(office_ids)
        return replace(
            self,
            slots=frozenset(s for s in self.slots if s.office_id in wanted),
            listed=frozenset(k for k in self.listed if k[1] in wanted),
            timed=frozenset(k for k in self.timed if k[1] in wanted),
        )

    def to_json(self) -> dict[str, Any]:
        """This observation as JSON values, for a task message (``from_json`` reads it back)."""
        return {
            "slots": sorted([int(s.starts_at.timestamp()), s.office_id] for s in self.slots),
            "listed": sorted([d.isoformat(), o] for d, o in self.listed),
            "timed": sorted([d.isoformat(), o] for d, o in self.timed),
            "painted": [d.isoformat() if d else None for d in (self.painted_from, self.painted_to)],
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Observation:
        def days(pairs: list[list[Any]]) -> frozenset[OfficeDay]:
            return frozenset((dt.date.fromisoformat(d), int(o)) for d, o in pairs)

        painted = [dt.date.fromisoformat(d) if d else None for d in value["painted"]]
        return cls(
            frozenset(SeenSlot(dt.datetime.fromtimestamp(t, dt.UTC), int(o)) for t, o in value["slots"]),
            listed=days(value["listed"]),
            timed=days(value["timed"]),
            painted_from=painted[0],
            painted_to=painted[1],
        )


def nothing_free() -> Observation:
    """An answer that lists no bookable day at all: every slot seen before is gone."""
    return Observation(frozenset(), painted_from=dt.date.min, painted_to=dt.date.max)

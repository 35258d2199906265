"""What one calendar answer says about free slots, as plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MUNICH = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, order=True)
class SeenSlot:
    """A free appointment time at an office."""

    starts_at: dt.datetime  # aware, UTC
    office_id: int

    @property
    def local(self) -> dt.datetime:
        return self.starts_at.astimezone(MUNICH)


@dataclass(frozen=True)
class Observation:
    """The slots a check saw, and how much of the calendar the answer covered.

    The portal returns free times for one day only (``slots_day``) and the bookable days of the
    painted month (``painted_from``..``painted_to``); a slot outside that is neither seen nor gone.
    """

    slots: frozenset[SeenSlot]
    bookable_days: frozenset[dt.date]
    slots_day: dt.date | None
    painted_from: dt.date | None
    painted_to: dt.date | None

    def shows_gone(self, slot: SeenSlot) -> bool:
        """Whether this answer proves that ``slot``, seen open earlier, is no longer free."""
        if slot in self.slots:
            return False
        day = slot.local.date()
        if day == self.slots_day or not self.bookable_days:
            return True
        if self.painted_from is None or self.painted_to is None:
            return False
        return self.painted_from <= day <= self.painted_to and day not in self.bookable_days


def nothing_free() -> Observation:
    return Observation(frozenset(), frozenset(), None, None, None)

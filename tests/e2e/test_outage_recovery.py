"""A portal back from an outage is seen within seconds, and a hanging portal never works on a pile of our
requests (issue 18). For 30 s the calendar route hangs (our side gives up after 15 s, and the portal then stops,
as behind a proxy), then answers 503 for 30 s: the portal works on at most one of our calendar requests at any
moment; the open breaker probes with single trials after short, growing pauses, so a slot opening 10 s after the
outage ends is alerted within 10 s plus the check interval; the user hears of the outage once and of the
recovery once."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from tests.e2e.conftest import ALERT, RUPPERT, WOHNSITZ, Farm, next_weekday, wait_until

pytestmark = pytest.mark.e2e
CHAT = 5150
OUTAGE_S = 60
HANG_S = 30  # of the outage: the rest answers 503
INTERVAL_S = 2  # the e2e farm checks every 2 s without a limiter: its optimum is about half of that
DOWN = "The city's portal is down"
BACK = "The city's portal is back"
NOTICED_S = 0.1  # the replica notices a client that gave up within its polling step (0.02 s), and logs late


def test_a_slot_after_an_outage_is_alerted_within_seconds_of_the_portals_return(
    start_farm: Callable[..., Farm], sqlite_url: str
) -> None:
    farm = start_farm(sqlite_url)
    farm.telegram.send_text(CHAT, f"/watch {WOHNSITZ} {RUPPERT}", user_id=CHAT)
    farm.telegram.wait_for_calls("sendMessage", CHAT, timeout=30)
    target = wait_until(lambda: farm.api_get("/targets"), timeout=10, what="target")[0]["id"]
    wait_until(lambda: farm.api_get(f"/targets/{target}/checks?limit=5"), timeout=60, what="a first check")

    began = time.time()
    farm.admin("scenario", {"outage": "hang"})
    farm.telegram.wait_for_said(CHAT, DOWN, timeout=HANG_S)  # the first request gave up after 15 s
    time.sleep(max(0.0, began + HANG_S - time.time()))
    farm.admin("scenario", {"outage": "503"})
    time.sleep(max(0.0, began + OUTAGE_S - 20 - time.time()))  # the breaker has opened and probes
    during = len(farm.calendar_requests())
    time.sleep(max(0.0, began + OUTAGE_S - time.time()))
    probes = len(farm.calendar_requests()) - during
    assert probes <= 20 / 5 + 1, f"{probes} requests in 20 s of an open breaker: more than single trials"
    farm.admin("scenario", {"outage": None})
    ended = time.time()
    worked_on = [(r["arrived"], r["time"]) for r in farm.calendar_requests() if began <= r["arrived"] < ended]
    assert worked_on, "the farm kept asking during the outage"
    overlaps = [(a, b) for a, b in itertools.pairwise(sorted(worked_on)) if b[0] < a[1] - NOTICED_S]
    assert not overlaps, f"the portal worked on two of our requests at once: {overlaps}"
    time.sleep(10)

    opened = time.time()
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(2), "times": ["11:00"]})
    [alert] = farm.telegram.wait_for_said(CHAT, ALERT, timeout=60)
    assert alert.time - opened <= 10 + INTERVAL_S, f"alerted {alert.time - opened:.1f} s after opening"
    farm.telegram.wait_for_said(CHAT, BACK, timeout=30)
    assert len(farm.telegram.said(CHAT, DOWN)) == 1, "the outage is told once"
    assert len(farm.telegram.said(CHAT, BACK)) == 1, "and the recovery once"

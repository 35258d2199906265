"""A portal back from an outage is seen within seconds (issue 18): the open breaker probes it with single trials
after short, growing pauses, so a slot opening 10 s after a 60 s outage ends is alerted within 10 s plus the
check interval; the user hears of the outage once and of the recovery once."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.e2e.conftest import ALERT, RUPPERT, WOHNSITZ, Farm, next_weekday, wait_until

pytestmark = pytest.mark.e2e
CHAT = 5150
OUTAGE_S = 60
INTERVAL_S = 2  # the e2e farm checks every 2 s without a limiter: its optimum is about half of that
DOWN = "The city's portal is down"
BACK = "The city's portal is back"


def test_a_slot_after_an_outage_is_alerted_within_seconds_of_the_portals_return(
    start_farm: Callable[..., Farm], sqlite_url: str
) -> None:
    farm = start_farm(sqlite_url)
    farm.telegram.send_text(CHAT, f"/watch {WOHNSITZ} {RUPPERT}", user_id=CHAT)
    farm.telegram.wait_for_calls("sendMessage", CHAT, timeout=30)
    target = wait_until(lambda: farm.api_get("/targets"), timeout=10, what="target")[0]["id"]
    wait_until(lambda: farm.api_get(f"/targets/{target}/checks?limit=5"), timeout=60, what="a first check")

    farm.admin("scenario", {"outage": "503"})
    farm.telegram.wait_for_said(CHAT, DOWN, timeout=60)
    time.sleep(max(0.0, OUTAGE_S - 20))  # the rest of the outage: the breaker has opened and probes
    during = len(farm.calendar_requests())
    time.sleep(20)
    probes = len(farm.calendar_requests()) - during
    assert probes <= 20 / 5 + 1, f"{probes} requests in 20 s of an open breaker: more than single trials"
    farm.admin("scenario", {"outage": None})
    time.sleep(10)

    opened = time.time()
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(2), "times": ["11:00"]})
    [alert] = farm.telegram.wait_for_said(CHAT, ALERT, timeout=60)
    assert alert.time - opened <= 10 + INTERVAL_S, f"alerted {alert.time - opened:.1f} s after opening"
    farm.telegram.wait_for_said(CHAT, BACK, timeout=30)
    assert len(farm.telegram.said(CHAT, DOWN)) == 1, "the outage is told once"
    assert len(farm.telegram.said(CHAT, BACK)) == 1, "and the recovery once"

"""Booking latency: a tap on "Book HH:MM" under an alert → the replica holds the preconfirmed process.

The whole farm runs as processes (replica, Bot API server, Redis, SQLite, API, worker, beat, bot). Each round a
slot opens, the user it is meant for gets the alert, taps its Book button through the Bot API server, and the
clock stops when the replica lists that user's process as preconfirmed. Everything between is the product:
the bot's handler, the task on the broker, the worker's reserve → update → preconfirm through its warm browser
and the budget, and (after the clock) the screenshot. The first rounds warm the worker's processes up.

``run()`` gives ``book_p50_s`` and ``book_p95_s``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.detect import ALERT
from bench.farm import BenchFarm, bench_farm, start_checking
from core.contacts import ContactData, save_contact
from core.db import transaction
from core.slots import MUNICH

SERVICE, OFFICE = 1063475, 10489
ROUNDS = 8
WARM_UP = 4  # rounds not counted: each of the worker's four processes launches its browser on its first task
FIRST_CHAT = 8_100_000


def _day() -> dt.date:
    day = dt.datetime.now(MUNICH).date() + dt.timedelta(days=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _wait(predicate: Any, *, timeout: float, what: str, interval: float = 0.02) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        time.sleep(interval)
    raise TimeoutError(f"not within {timeout:.0f} s: {what}")


def _book_button(farm: BenchFarm, chat: int, clock: str) -> tuple[int, str] | None:
    """(message id, callback data) of the Book button for ``clock`` under an alert to ``chat``, once it came."""
    for call in farm.telegram.said(chat, ALERT):
        message = farm.telegram.message(chat, int(call.result["message_id"])) or {}
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"].endswith(clock) and button.get("callback_data"):
                    return int(call.result["message_id"]), str(button["callback_data"])
    return None


def _preconfirmed(farm: BenchFarm, email: str) -> bool:
    return any(p["email"] == email and p["status"] == "preconfirmed" for p in farm.admin("processes"))


def one_round(farm: BenchFarm, chat: int, email: str, day: dt.date, clock: str) -> float:
    """Seconds from the tap to the preconfirmed process at the replica."""
    farm.admin("slots/open", {"officeId": OFFICE, "serviceId": SERVICE, "date": day.isoformat(), "times": [clock]})
    message_id, data = _wait(lambda: _book_button(farm, chat, clock), timeout=60, what=f"the alert for {clock}")
    tapped = time.monotonic()
    farm.telegram.press_button(chat, message_id, data, user_id=chat)
    _wait(lambda: _preconfirmed(farm, email), timeout=60, what=f"the booking of {clock}")
    return time.monotonic() - tapped


def run(rounds: int = ROUNDS, warm_up: int = WARM_UP) -> dict[str, float]:
    """The figures for bench/results.json."""
    settings = {"check_interval_s": "2", "portal_rate_limit": "0"}
    with (
        tempfile.TemporaryDirectory(prefix="mta-booking-") as folder,
        bench_farm(Path(folder), replica_env={}, settings=settings) as farm,
    ):
        users = [(FIRST_CHAT + n, f"bench{n}@example.org") for n in range(warm_up + rounds)]
        for chat, email in users:
            farm.subscribe(chat=chat, service=SERVICE, offices=[OFFICE])
            with transaction(farm.sessions) as session:
                save_contact(session, user_id=chat, data=ContactData(f"Bench User {chat}", email, None))
        start_checking(farm, Path(folder))
        day, seconds = _day(), []
        for n, (chat, email) in enumerate(users):
            clock = f"{8 + n // 12:02d}:{(n % 12) * 5:02d}"
            seconds.append(one_round(farm, chat, email, day, clock))
    ordered = sorted(seconds[warm_up:])
    return {
        "book_p50_s": round(statistics.median(ordered), 3),
        "book_p95_s": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 3),
    }


if __name__ == "__main__":
    print(run())

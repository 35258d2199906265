"""Issue 7 end to end: booking from an alert with one tap, or automatically, only ever for the user themself.

Real processes: portal replica, Bot API server, API, Celery worker (two prefork processes) and beat, bot. The user
talks to the bot through the Bot API server; the replica's processes and outbox show what the city would hold
and send.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from core.contacts import ContactData, save_contact
from core.db import make_engine, make_sessionmaker, transaction
from core.models import Booking, Contact
from core.queue import BOOK_SLOT, TaskQueue
from core.slots import MUNICH
from telegram_replica.records import Call
from tests.e2e.conftest import RUPPERT, WOHNSITZ, Farm, next_weekday, screenshot_of, wait_until

pytestmark = pytest.mark.e2e

ANNA, BERND = 7001, 7002
NAME, EMAIL = "Anna Muster", "anna.muster@example.org"
AUSWEIS = 1063441  # another service of Ruppertstraße: Personalausweis


class User:
    """One Telegram user of the farm's bot."""

    def __init__(self, farm: Farm, chat: int) -> None:
        self.farm, self.chat = farm, chat

    def calls(self) -> list[Call]:
        return [c for c in self.farm.telegram.calls(None, self.chat, ok=True) if c.method != "answerCallbackQuery"]

    def send(self, text: str, *, answers: int = 1) -> list[Call]:
        seen = len(self.calls())
        self.farm.telegram.send_text(self.chat, text, user_id=self.chat)
        return self.wait(seen + answers)[seen:]

    def press(self, message_id: int, data: str, *, answers: int = 1) -> list[Call]:
        seen = len(self.calls())
        self.farm.telegram.press_button(self.chat, message_id, data, user_id=self.chat)
        return self.wait(seen + answers)[seen:]

    def wait(self, count: int, timeout: float = 60) -> list[Call]:
        def enough() -> list[Call] | None:
            calls = self.calls()
            return calls if len(calls) >= count else None

        result: list[Call] = wait_until(enough, timeout=timeout, what=f"{count} answers")
        return result

    def wait_for(self, text: str, timeout: float = 90) -> Call:
        """The first message or photo whose text holds ``text``."""

        def found() -> Call | None:
            return next((c for c in self.calls() if text in shown(c)), None)

        result: Call = wait_until(found, timeout=timeout, what=f"a message with {text!r}")
        return result

    def buttons(self, call: Call) -> dict[str, str]:
        message = self.farm.telegram.message(self.chat, int(call.result["message_id"])) or {}
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return {b["text"]: b.get("callback_data") or b.get("url") for row in rows for b in row}


def shown(call: Call) -> str:
    return str(call.params.get("text") or call.params.get("caption") or "")


def give_contact(user: User) -> None:
    user.send("/contact")
    user.send(NAME)
    [ask_phone] = user.send(EMAIL)
    [saved] = user.press(int(ask_phone.result["message_id"]), "contact:skip")
    assert saved.params["text"].startswith(f"Saved: {NAME}, {EMAIL}")


def processes(farm: Farm, **wanted: Any) -> list[dict[str, Any]]:
    return [p for p in farm.admin("processes") if all(p[k] == v for k, v in wanted.items())]


def munich_ts(day: str, clock: str) -> int:
    local = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(clock), MUNICH)
    return int(local.timestamp())


def bookings_in(database_url: str) -> list[tuple[int, str, int | None]]:
    engine = make_engine(database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            rows = session.execute(select(Booking.user_id, Booking.status, Booking.process_id).order_by(Booking.id))
            return [(user_id, status, process_id) for user_id, status, process_id in rows]
    finally:
        engine.dispose()


def test_tap_books_for_the_user_once_then_cancel_and_forget(
    start_farm: Callable[..., Farm], sqlite_url: str, redis_url: str
) -> None:
    farm = start_farm(sqlite_url)
    anna = User(farm, ANNA)
    anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    give_contact(anna)

    day = next_weekday(2)
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": day, "times": ["09:00", "09:30"]})
    alert = anna.wait_for("Free appointment")
    screenshot_of(farm.telegram, ANNA, alert)  # a late screenshot follows as a reply: not an answer to the tap
    book = anna.buttons(alert)
    assert set(book) >= {"Book 09:00", "Book 09:30"}

    tapped = time.monotonic()
    [requested] = anna.press(int(alert.result["message_id"]), book["Book 09:00"])
    assert requested.params["text"].startswith("Booking ")
    booked = anna.wait_for("Reserved for you")
    assert time.monotonic() - tapped < 30

    # The city holds a preconfirmed process with Anna's own data and has sent her the activation mail.
    [process] = processes(farm, status="preconfirmed")
    assert (process["officeId"], process["timestamp"]) == (RUPPERT, munich_ts(day, "09:00"))
    assert (process["familyName"], process["email"]) == (NAME, EMAIL)
    [mail] = [m for m in farm.admin("outbox") if m["kind"] == "activation"]
    assert (mail["to"], mail["processId"]) == (EMAIL, process["processId"])
    assert "#/appointment/confirm/" in mail["link"]
    # Anna got the portal's screenshot and what to do now.
    assert booked.method == "sendPhoto"
    assert booked.files[0].data.startswith(b"\x89PNG")
    assert f"The city has sent an e-mail to {EMAIL}. Click the link in it within 60 minutes" in booked.params["caption"]
    [(_, status, process_id)] = bookings_in(sqlite_url)
    assert (status, process_id) == ("preconfirmed", process["processId"])

    # The same booking task delivered twice more: nothing more is booked.
    queue = TaskQueue(redis_url)
    booking_id = 1
    queue.send(BOOK_SLOT, booking_id)
    queue.send(BOOK_SLOT, booking_id)
    # Two worker processes given a new booking at once: one books it.
    engine = make_engine(sqlite_url)
    with transaction(make_sessionmaker(engine)) as session:
        save_contact(session, user_id=BERND, data=ContactData("Bernd Beispiel", "bernd@example.org", None))
        session.add(
            Booking(
                user_id=BERND,
                service_id=WOHNSITZ,
                office_id=RUPPERT,
                starts_at=dt.datetime.fromtimestamp(munich_ts(day, "09:30"), dt.UTC),
                source="tap",
                status="requested",
                idempotency_key="e2e:bernd",
                active_key=f"{BERND}:{WOHNSITZ}",
            )
        )
    engine.dispose()
    queue.send(BOOK_SLOT, 2)
    queue.send(BOOK_SLOT, 2)
    wait_until(lambda: processes(farm, email="bernd@example.org"), timeout=60, what="Bernd's booking")
    time.sleep(3)  # time for any second booking to show
    assert len(processes(farm, email=EMAIL)) == 1
    assert len(processes(farm, email="bernd@example.org")) == 1
    assert [status for _, status, _ in bookings_in(sqlite_url)] == ["preconfirmed", "preconfirmed"]

    # /bookings lists it with a Cancel button; the farm cancels at the portal.
    anna.send("/bookings", answers=0)
    item = anna.wait_for(f"reserved; please click the link in the city's e-mail to {EMAIL}")
    anna.press(int(item.result["message_id"]), anna.buttons(item)["Cancel appointment"], answers=0)
    anna.wait_for("Cancelled: ")
    assert [p["status"] for p in processes(farm, email=EMAIL)] == ["deleted"]

    # /forget removes the contact data with everything else. (The cancelled time is free again: alerts may come.)
    anna.send("/forget", answers=0)
    ask = anna.wait_for("Delete everything I store about you")
    anna.press(int(ask.result["message_id"]), "forget:yes", answers=0)
    anna.wait_for("Done: I deleted everything")
    engine = make_engine(sqlite_url)
    with transaction(make_sessionmaker(engine)) as session:
        assert session.get(Contact, ANNA) is None
        assert session.scalar(select(func.count(Booking.id)).where(Booking.user_id == ANNA)) == 0
    engine.dispose()


def test_auto_book_and_the_per_email_limit(start_farm: Callable[..., Farm], sqlite_url: str) -> None:
    farm = start_farm(sqlite_url)
    anna = User(farm, ANNA)
    give_contact(anna)
    anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    anna.send(f"/watch {AUSWEIS} {RUPPERT}")
    _, first, _ = anna.send("/list", answers=3)
    anna.press(int(first.result["message_id"]), anna.buttons(first)["Book automatically"])

    day = next_weekday(3)
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": day, "times": ["11:00", "11:30"]})
    booked = anna.wait_for("Reserved for you")
    assert booked.files[0].data.startswith(b"\x89PNG")
    [process] = processes(farm, status="preconfirmed")
    assert (process["timestamp"], process["email"], process["familyName"]) == (munich_ts(day, "11:00"), EMAIL, NAME)

    # The city allows one appointment per e-mail address at an office: a tap for another service says so.
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": AUSWEIS, "date": day, "times": ["12:00"]})
    alert = anna.wait_for("Free appointment: Personalausweis")
    anna.press(int(alert.result["message_id"]), anna.buttons(alert)["Book 12:00"])
    refused = anna.wait_for("Nothing was booked")
    assert "a limited number of appointments per e-mail address" in refused.params["text"]
    assert processes(farm, status="preconfirmed") == [process], "nothing more booked"

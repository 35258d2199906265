"""Alerts through the running bot: filters decide who hears of a slot; photo, times and link; blocked chats."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import redis
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import Application

from bot.alerts import SHOWN_TIMES, caption
from core import subscriptions as crud
from core.alerts import ALERTS_WAKE_KEY, AlertMessage
from core.checks import EvidenceFile, record_observation
from core.db import transaction
from core.models import Alert, Check, Subscription, User
from core.settings import Settings
from core.slots import MUNICH, Observation, SeenSlot
from telegram_replica.config import RateLimit
from telegram_replica.replica import wait_for
from telegram_replica.server import ReplicaServer
from tests.bot.helpers import RUPPERT, WOHNSITZ, buttons
from tests.core.test_alerts import found, watch

MONDAY = dt.date(2030, 3, 4)
LINK = f"https://stadt.muenchen.de/buergerservice/terminvereinbarung.html#/services/{WOHNSITZ}/locations/{RUPPERT}"


def munich(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), MUNICH)


def screenshot(tmp_path: Path) -> EvidenceFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buffer, format="PNG")
    path = tmp_path / "shot.png"
    path.write_bytes(buffer.getvalue())
    data = buffer.getvalue()
    return EvidenceFile("screenshot", str(path), "image/png", hashlib.sha256(data).hexdigest(), len(data))


def subscribe(
    sessions: sessionmaker[Session], chat_id: int, filters: crud.Filters = crud.Filters(), language: str = "en"
) -> int:
    with transaction(sessions) as session:
        subscription = crud.create_subscription(
            session, user_id=chat_id, service_id=WOHNSITZ, office_ids=[RUPPERT], filters=filters, language=language
        )
        return subscription.targets[0].id


def slots_open(
    sessions: sessionmaker[Session], settings: Settings, target_id: int, *times: dt.datetime, shot: EvidenceFile | None
) -> int:
    """A check finds ``times`` free, as the workers would record it, and wakes the bot."""
    seen = frozenset(SeenSlot(t.astimezone(dt.UTC), RUPPERT) for t in times)
    observation = Observation(seen, frozenset(s.office_day for s in seen), frozenset(s.office_day for s in seen))
    with transaction(sessions) as session:
        check, _, _ = record_observation(
            session,
            target_id=target_id,
            task_id=None,
            started_at=dt.datetime.now(dt.UTC),
            observation=observation,
            request_url=None,
            evidence=(shot,) if shot else (),
        )
        check_id = check.id
    redis.Redis.from_url(settings.redis_url).rpush(ALERTS_WAKE_KEY, check_id)
    return check_id


def seen_clock(sessions: sessionmaker[Session], check_id: int) -> str:
    """When the check asked the portal, as the alert names it: Munich time to the second."""
    with transaction(sessions) as session:
        started = session.get_one(Check, check_id).started_at
    return started.astimezone(MUNICH).strftime("%H:%M:%S")


def wake(settings: Settings) -> None:
    redis.Redis.from_url(settings.redis_url).rpush(ALERTS_WAKE_KEY, 0)


def unsent(sessions: sessionmaker[Session]) -> int:
    with transaction(sessions) as session:
        return len(session.scalars(select(Alert.id).where(Alert.sent_at.is_(None))).all())


async def test_only_subscribers_whose_filters_match_are_alerted(
    telegram: ReplicaServer,
    bot: Application,
    settings: Settings,
    sessions: sessionmaker[Session],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    inside, outside_window, other_weekdays, afternoons = 101, 102, 103, 104
    target = subscribe(sessions, inside, crud.Filters(date_to=MONDAY + dt.timedelta(days=6), weekdays=frozenset({0})))
    subscribe(sessions, outside_window, crud.Filters(date_to=MONDAY - dt.timedelta(days=1)))
    subscribe(sessions, other_weekdays, crud.Filters(weekdays=frozenset({1, 2, 3, 4})))
    subscribe(sessions, afternoons, crud.Filters(time_from=dt.time(12, 0)))

    check = slots_open(sessions, settings, target, munich(MONDAY, 9), munich(MONDAY, 9, 30), shot=screenshot(tmp_path))

    [alert] = await telegram.wait_for_calls_async("sendPhoto", inside, timeout=15)
    await wait_for(lambda: unsent(sessions) == 0, timeout=10)
    assert [c.chat_id for c in telegram.calls("sendPhoto") + telegram.calls("sendMessage")] == [inside]
    assert alert.params["caption"] == (
        f"Free appointment: Wohnsitzanmeldung\nBürgerbüro Ruppertstraße\nMo 04.03.2030 09:00, Mo 04.03.2030 09:30\n"
        f"seen {seen_clock(sessions, check)}\nBook now: {LINK}"
    )
    assert alert.files[0].data.startswith(b"\x89PNG")
    assert buttons(telegram.message(inside, alert.result["message_id"]) or {}) == {
        "Book 09:00": "book:1",
        "Book 09:30": "book:2",
        "Book now": LINK,
    }

    # A slot on Tuesday afternoon suits those who want afternoons, not the Monday-only subscriber.
    slots_open(sessions, settings, target, munich(MONDAY + dt.timedelta(days=1), 14), shot=screenshot(tmp_path))
    await telegram.wait_for_calls_async("sendPhoto", afternoons, timeout=15)
    await telegram.wait_for_calls_async("sendPhoto", other_weekdays, timeout=15)
    await wait_for(lambda: unsent(sessions) == 0, timeout=10)
    assert len(telegram.calls("sendPhoto", inside)) == 1
    assert telegram.calls("sendPhoto", outside_window) == []


async def test_one_upload_per_screenshot_and_times_in_each_language(
    telegram: ReplicaServer,
    bot: Application,
    settings: Settings,
    sessions: sessionmaker[Session],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    target = subscribe(sessions, 201, language="de")
    subscribe(sessions, 202, language="en")
    times = [munich(MONDAY, 8, 0) + dt.timedelta(minutes=15 * n) for n in range(SHOWN_TIMES + 3)]
    check = slots_open(sessions, settings, target, *times, shot=screenshot(tmp_path))

    [german] = await telegram.wait_for_calls_async("sendPhoto", 201, timeout=15)
    [english] = await telegram.wait_for_calls_async("sendPhoto", 202, timeout=15)
    assert german.params["caption"].startswith("Freier Termin: Wohnsitzanmeldung\nBürgerbüro Ruppertstraße\n")
    assert "Mo 04.03.2030 08:00, Mo 04.03.2030 08:15" in german.params["caption"]
    clock = seen_clock(sessions, check)
    assert f"Mo 04.03.2030 09:00 und 3 weitere\ngesehen {clock}\nJetzt buchen: {LINK}" in german.params["caption"]
    assert f"Mo 04.03.2030 09:00 and 3 more\nseen {clock}\nBook now: {LINK}" in english.params["caption"]
    assert sum(1 for c in (german, english) if c.files) == 1, "uploaded once, then sent by file_id"


async def test_a_chat_that_blocked_the_bot_is_deactivated_not_retried(
    telegram: ReplicaServer,
    bot: Application,
    settings: Settings,
    sessions: sessionmaker[Session],
    tmp_path: Path,  # type: ignore[type-arg]
) -> None:
    target = subscribe(sessions, 301)
    subscribe(sessions, 302)
    telegram.block_chat(302, notify=False)  # Telegram did not tell us; the send finds out
    slots_open(sessions, settings, target, munich(MONDAY, 9), shot=None)

    [text_alert] = await telegram.wait_for_calls_async("sendMessage", 301, timeout=15)
    assert text_alert.params["text"].startswith("Free appointment"), "without a screenshot, a text message"

    def deactivated() -> bool:
        with transaction(sessions) as session:
            return session.scalar(select(User.active).where(User.id == 302)) is False

    await wait_for(deactivated, timeout=10)
    slots_open(sessions, settings, target, munich(MONDAY, 10), shot=None)
    await telegram.wait_for_calls_async("sendMessage", 301, count=2, timeout=15)
    assert len(telegram.calls("sendMessage", 302, ok=False)) == 1, "tried once, never again"


async def test_retry_after_is_waited_out(
    telegram: ReplicaServer,
    bot: Application,
    settings: Settings,
    sessions: sessionmaker[Session],  # type: ignore[type-arg]
) -> None:
    telegram.configure(per_chat_limit=RateLimit(count=1, period=2.0))
    target = subscribe(sessions, 401)
    subscribe(sessions, 401)  # the same chat twice: two messages, the second over the chat's limit
    slots_open(sessions, settings, target, munich(MONDAY, 9), shot=None)

    _, second = await telegram.wait_for_calls_async("sendMessage", 401, count=2, timeout=20)
    [refused] = telegram.calls("sendMessage", 401, ok=False)
    assert refused.status == 429
    retry_after = int((refused.description or "").rsplit(" ", 1)[-1])
    assert second.time - refused.time >= retry_after
    await wait_for(lambda: unsent(sessions) == 0, timeout=10)


def message_of(times: tuple[dt.datetime, ...], *, language: str = "en", seen_at: dt.datetime) -> AlertMessage:
    return AlertMessage(
        alert_ids=(1,),
        chat_id=5,
        language=language,
        service_id=WOHNSITZ,
        office_id=RUPPERT,
        check_id=1,
        seen_at=seen_at,
        slot_times=times,
        screenshot_path=None,
    )


def test_caption_lists_a_few_times_then_how_many_more() -> None:
    times = tuple(munich(MONDAY, 8).astimezone(dt.UTC) + dt.timedelta(minutes=5 * n) for n in range(12))
    message = message_of(times, seen_at=munich(MONDAY, 7, 59).astimezone(dt.UTC))
    body = caption(message, catalogue=None, link_base="https://example.org/book")
    assert body == (
        f"Free appointment: {WOHNSITZ}\n{RUPPERT}\n"
        "Mo 04.03.2030 08:00, Mo 04.03.2030 08:05, Mo 04.03.2030 08:10, Mo 04.03.2030 08:15, Mo 04.03.2030 08:20"
        f" and 7 more\nseen 07:59:00\nBook now: https://example.org/book#/services/{WOHNSITZ}/locations/{RUPPERT}"
    )


def test_caption_names_the_moment_the_portal_was_asked_in_munich_time() -> None:
    asked = dt.datetime(2030, 7, 1, 7, 14, 3, 900_000, tzinfo=dt.UTC)  # summer time: 09:14:03 in Munich
    times = (munich(dt.date(2030, 7, 2), 9).astimezone(dt.UTC),)
    english = caption(message_of(times, seen_at=asked), catalogue=None, link_base="https://example.org/book")
    german = caption(message_of(times, language="de", seen_at=asked), catalogue=None, link_base="https://x.org")
    assert "\nseen 09:14:03\n" in english
    assert "\ngesehen 09:14:03\n" in german


async def test_alerts_no_longer_true_when_the_bot_delivers_are_never_sent(
    telegram: ReplicaServer,
    bot: Application,  # type: ignore[type-arg]
    settings: Settings,
    sessions: sessionmaker[Session],
) -> None:
    """As after an outage: alerts wait whose slot was taken, has begun, or whose subscription was paused."""
    live, taken, begun, paused = 701, 702, 703, 704
    now = dt.datetime.now(dt.UTC)
    asked = munich(MONDAY - dt.timedelta(days=3), 9, 14).astimezone(dt.UTC) + dt.timedelta(seconds=3)
    with transaction(sessions) as session:
        live_subscription = watch(session, live)
        found(session, live_subscription, munich(MONDAY, 9), asked=asked)
        found(session, watch(session, taken), munich(MONDAY, 9), gone=now)
        found(session, watch(session, begun), now - dt.timedelta(minutes=5), asked=now - dt.timedelta(hours=1))
        on_hold = watch(session, paused)
        found(session, on_hold, munich(MONDAY, 9))
        on_hold.active = False
    wake(settings)

    [alert] = await telegram.wait_for_calls_async("sendMessage", live, timeout=15)
    assert "\nMo 04.03.2030 09:00\nseen 09:14:03\n" in alert.params["text"], "the check's moment, not the send's"
    await wait_for(lambda: unsent(sessions) == 0, timeout=10)

    # Resumed, and another finding for the live chat: the stale alerts stay untold.
    with transaction(sessions) as session:
        session.get_one(Subscription, on_hold.id).active = True
        found(session, session.get_one(Subscription, live_subscription.id), munich(MONDAY, 10))
    wake(settings)
    await telegram.wait_for_calls_async("sendMessage", live, count=2, timeout=15)
    await wait_for(lambda: unsent(sessions) == 0, timeout=10)
    told = {c.chat_id for c in telegram.calls("sendMessage") + telegram.calls("sendPhoto")}
    assert told == {live}


async def test_a_screenshot_telegram_refuses_does_not_hold_the_alert_back(
    telegram: ReplicaServer,
    bot: Application,  # type: ignore[type-arg]
    settings: Settings,
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    target = subscribe(sessions, 601)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"")
    slots_open(
        sessions, settings, target, munich(MONDAY, 9), shot=EvidenceFile("screenshot", str(broken), "image/png", "", 0)
    )

    [alert] = await telegram.wait_for_calls_async("sendMessage", 601, timeout=15)
    assert alert.params["text"].startswith("Free appointment: Wohnsitzanmeldung")
    assert [c.status for c in telegram.calls("sendPhoto", 601)] == [400]
    await wait_for(lambda: unsent(sessions) == 0, timeout=10)

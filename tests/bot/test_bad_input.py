"""Bad input gets a clear answer in the user's language, and nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.formats import today_in_munich
from core import subscriptions as crud
from core.db import transaction
from core.models import Subscription, User
from tests.bot.helpers import FAMILY, RUPPERT, WOHNSITZ, Chat, message_id, text_of


def counts(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with transaction(sessions) as session:
        return session.scalar(select(func.count(User.id))) or 0, session.scalar(
            select(func.count(Subscription.id))
        ) or 0


async def test_unknown_commands_and_stray_text(anna: Chat, bernd: Chat, sessions: sessionmaker[Session]) -> None:
    [unknown] = await anna.send("/subscribe")
    assert text_of(anna.screen(unknown)) == "I don't know that command. /help lists what I can do."
    [stray] = await anna.send("hello?")
    assert text_of(anna.screen(stray)) == "I didn't understand that. /help lists what I can do."
    [unbekannt] = await bernd.send("/abonnieren")
    assert text_of(bernd.screen(unbekannt)) == "Diesen Befehl kenne ich nicht. /help zeigt, was ich kann."
    [irrläufer] = await bernd.send("hallo?")
    assert text_of(bernd.screen(irrläufer)) == "Das habe ich nicht verstanden. /help zeigt, was ich kann."
    assert counts(sessions) == (0, 0)


@pytest.mark.usefixtures("city_catalogue")
async def test_services_and_offices_that_do_not_exist(anna: Chat, bernd: Chat, sessions: sessionmaker[Session]) -> None:
    [no_service] = await anna.send(f"/watch xyzzy {RUPPERT}")
    assert text_of(anna.screen(no_service)) == 'I don\'t know a service called "xyzzy".'
    [no_office] = await anna.send(f"/watch {WOHNSITZ} 99999")
    assert text_of(anna.screen(no_office)) == '"99999" is not an office that offers Wohnsitzanmeldung.'
    [vague] = await anna.send(f"/watch anmeld {RUPPERT}")
    assert text_of(anna.screen(vague)).startswith('"anmeld" fits several services:')
    [keine] = await bernd.send(f"/watch {WOHNSITZ} 99999")
    assert text_of(bernd.screen(keine)) == '"99999" ist kein Standort, der Wohnsitzanmeldung anbietet.'

    await anna.send("/watch")
    [none_found] = await anna.send("xyzzy")
    assert text_of(anna.screen(none_found)) == 'No service matches "xyzzy". Try other letters, e.g. "anmeld" or "pass".'
    [still_asking] = await anna.send(FAMILY.lower())  # the step stays: another try works
    assert "Which offices?" in text_of(anna.screen(still_asking))
    assert counts(sessions) == (0, 0)


@pytest.mark.usefixtures("city_catalogue")
async def test_dates_in_the_past_too_far_or_unreadable_in_german(bernd: Chat, sessions: sessionmaker[Session]) -> None:
    await bernd.send("/watch")
    [offices] = await bernd.send(FAMILY.lower())
    await bernd.press(message_id(offices), "w:off:any")
    [until] = await bernd.press(message_id(offices), "w:win:date")
    assert "Bis zu welchem Tag?" in text_of(bernd.screen(until))
    [unreadable] = await bernd.send("nächsten Dienstag")
    assert text_of(bernd.screen(unreadable)).startswith('"nächsten Dienstag" kann ich nicht als Datum lesen.')
    yesterday = today_in_munich() - dt.timedelta(days=1)
    [past] = await bernd.send(f"{yesterday:%Y-%m-%d}")
    assert text_of(bernd.screen(past)) == (
        f"Der {yesterday:%d.%m.%Y} liegt in der Vergangenheit. Bitte einen Tag ab heute eingeben."
    )
    [far] = await bernd.send("31.12.2099")
    assert text_of(bernd.screen(far)).startswith("Der 31.12.2099 liegt über ein Jahr voraus")
    [weekdays] = await bernd.send(f"{today_in_munich():%d.%m.%Y}")  # today is fine
    assert "Welche Wochentage?" in text_of(bernd.screen(weekdays))
    assert counts(sessions) == (0, 0)


async def test_one_subscription_too_many(anna: Chat, bernd: Chat, sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        for chat in (anna, bernd):
            for _ in range(5):
                crud.create_subscription(
                    session, user_id=chat.id, service_id=WOHNSITZ, office_ids=[RUPPERT], language=chat.language_code
                )
    [refused] = await anna.send("/watch")
    assert text_of(anna.screen(refused)) == (
        "You already have 5 subscriptions, the most I keep per person. Delete one in /list first."
    )
    [refused] = await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    assert text_of(anna.screen(refused)).startswith("You already have 5 subscriptions")
    [abgelehnt] = await bernd.send("/watch")
    assert text_of(bernd.screen(abgelehnt)).startswith("Sie haben schon 5 Beobachtungen")
    assert counts(sessions) == (2, 10)


@pytest.mark.usefixtures("city_catalogue")
async def test_the_limit_is_checked_again_on_confirming(anna: Chat, sessions: sessionmaker[Session]) -> None:
    await anna.send("/watch")
    [offices] = await anna.send(FAMILY.lower())
    await anna.press(message_id(offices), "w:off:any")
    await anna.press(message_id(offices), "w:win:3m")
    await anna.press(message_id(offices), "w:day:any")
    await anna.press(message_id(offices), "w:time:any")
    with transaction(sessions) as session:  # meanwhile, in another chat window …
        for _ in range(5):
            crud.create_subscription(session, user_id=anna.id, service_id=WOHNSITZ, office_ids=[RUPPERT])
    [refused] = await anna.press(message_id(offices), "w:ok")
    assert text_of(anna.screen(refused)).startswith("You already have 5 subscriptions")
    assert counts(sessions) == (1, 5)


async def test_a_unicode_digit_is_no_number(anna: Chat, sessions: sessionmaker[Session]) -> None:
    """Issue 19: "²" is a digit to str.isdigit but not to int(): a clear answer, never an error."""
    [usage] = await anna.send("/unwatch ²")
    assert text_of(anna.screen(usage)) == "Usage: /unwatch <number> (see /list)."
    [unknown] = await anna.send("/watch ² ²")
    assert text_of(anna.screen(unknown)) == 'I don\'t know a service called "²".'
    assert counts(sessions)[1] == 0

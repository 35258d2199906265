"""/list with its buttons, /language, /mydata, /forget and /status, in English and German."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import subscriptions as crud
from core.db import transaction
from core.links import read_user_token, signing_key
from core.models import Subscription, User
from core.settings import Settings
from tests.bot.helpers import PASING, RUPPERT, WOHNSITZ, Chat, buttons, message_id, text_of

AUTO = "Book automatically"


def subscriptions_of(sessions: sessionmaker[Session], chat: Chat) -> list[crud.SubscriptionView]:
    with transaction(sessions) as session:
        return crud.subscription_views(session, user_id=chat.id)


async def test_list_pause_resume_delete_in_english(anna: Chat, sessions: sessionmaker[Session]) -> None:
    [empty] = await anna.send("/list")
    assert text_of(anna.screen(empty)) == "You are not watching anything. Start with /watch."
    await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    await anna.send(f"/watch {WOHNSITZ} {PASING}")

    header, first, second = await anna.send("/list", answers=3)
    assert text_of(anna.screen(header)) == "Your subscriptions (2 of at most 5):"
    assert text_of(anna.screen(first)) == "#1 Wohnsitzanmeldung\nBürgerbüro Ruppertstraße\nany date, any day, any time"
    assert buttons(anna.screen(first)) == {"Pause": "sub:pause:1", "Delete": "sub:delete:1", AUTO: "sub:auto:on:1"}
    assert text_of(anna.screen(second)).startswith("#2 Wohnsitzanmeldung\nBürgerbüro Pasing")

    [paused] = await anna.press(message_id(first), "sub:pause:1")
    assert anna.callback_answers()[-1].params["text"] == "Paused."
    assert text_of(anna.screen(paused)).endswith("\nPaused")
    assert buttons(anna.screen(paused)) == {"Resume": "sub:resume:1", "Delete": "sub:delete:1", AUTO: "sub:auto:on:1"}
    assert [s.active for s in subscriptions_of(sessions, anna)] == [False, True]

    [resumed] = await anna.press(message_id(first), "sub:resume:1")
    assert anna.callback_answers()[-1].params["text"] == "Resumed."
    assert buttons(anna.screen(resumed)) == {"Pause": "sub:pause:1", "Delete": "sub:delete:1", AUTO: "sub:auto:on:1"}
    assert [s.active for s in subscriptions_of(sessions, anna)] == [True, True]

    [deleted] = await anna.press(message_id(second), "sub:delete:2")
    assert text_of(anna.screen(deleted)) == "#2 deleted."
    assert buttons(anna.screen(deleted)) == {}
    assert [s.id for s in subscriptions_of(sessions, anna)] == [1]


async def test_list_and_buttons_in_german(bernd: Chat, sessions: sessionmaker[Session]) -> None:
    [watching] = await bernd.send(f"/watch {WOHNSITZ} {RUPPERT}")
    assert text_of(bernd.screen(watching)).startswith("Ich beobachte Wohnsitzanmeldung bei Bürgerbüro Ruppertstraße")
    header, item = await bernd.send("/list", answers=2)
    assert text_of(bernd.screen(header)) == "Ihre Beobachtungen (1 von höchstens 5):"
    assert (
        text_of(bernd.screen(item))
        == "#1 Wohnsitzanmeldung\nBürgerbüro Ruppertstraße\njedes Datum, jeder Tag, jederzeit"
    )
    assert buttons(bernd.screen(item)) == {
        "Pausieren": "sub:pause:1",
        "Löschen": "sub:delete:1",
        "Automatisch buchen": "sub:auto:on:1",
    }
    [paused] = await bernd.press(message_id(item), "sub:pause:1")
    assert bernd.callback_answers()[-1].params["text"] == "Pausiert."
    assert text_of(bernd.screen(paused)).endswith("\nPausiert")
    [deleted] = await bernd.press(message_id(item), "sub:delete:1")
    assert text_of(bernd.screen(deleted)) == "#1 gelöscht."
    assert subscriptions_of(sessions, bernd) == []


async def test_someone_elses_subscription_cannot_be_touched(anna: Chat, bernd: Chat) -> None:
    await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    [refused] = await bernd.send("/unwatch 1")
    assert text_of(bernd.screen(refused)) == "Sie haben keine Beobachtung #1."
    [mine] = await anna.send("/unwatch #1")
    assert text_of(anna.screen(mine)) == "Stopped watching #1."


async def test_language_switch_changes_every_later_text(anna: Chat, sessions: sessionmaker[Session]) -> None:
    [usage] = await anna.send("/language fr")
    assert text_of(anna.screen(usage)) == "Choose your language: /language de or /language en."
    [switched] = await anna.send("/language de")
    assert text_of(anna.screen(switched)) == "Ich schreibe Ihnen ab jetzt auf Deutsch."
    [empty] = await anna.send("/list")
    assert text_of(anna.screen(empty)) == "Sie beobachten nichts. Beginnen Sie mit /watch."

    [choose] = await anna.send("/language")
    assert buttons(anna.screen(choose)) == {"Deutsch": "lang:de", "English": "lang:en"}
    [back] = await anna.press(message_id(choose), "lang:en")
    assert text_of(anna.screen(back)) == "I'll write to you in English from now on."
    with transaction(sessions) as session:
        assert crud.user_language(session, user_id=anna.id) == "en"


async def test_language_is_kept_for_alerts_and_across_restarts(bernd: Chat, sessions: sessionmaker[Session]) -> None:
    await bernd.send("/language en")
    with transaction(sessions) as session:
        assert crud.user_language(session, user_id=bernd.id) == "en"
    [watching] = await bernd.send(f"/watch {WOHNSITZ} {RUPPERT}")
    assert text_of(bernd.screen(watching)).startswith("Watching")


async def test_mydata_shows_everything_and_forget_deletes_it(
    anna: Chat, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    [nothing] = await anna.send("/mydata")
    assert text_of(anna.screen(nothing)) == "I store nothing about you."
    await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")

    [data] = await anna.send("/mydata")
    shown = text_of(anna.screen(data))
    assert shown.startswith(f"What I store about you:\nTelegram id: {anna.id}\nLanguage: en\nAlerts: on\n")
    assert "Alerts sent: 0 (last: not yet)" in shown
    assert "#1 Wohnsitzanmeldung\nBürgerbüro Ruppertstraße\nany date, any day, any time" in shown
    link = shown.rsplit("\n", 1)[-1]
    assert link.startswith(f"{settings.api_url}/me/"), "the signed link to the same data as a web page"
    assert read_user_token(signing_key(settings.api_token), link.rsplit("/", 1)[-1]) == anna.id

    [ask] = await anna.send("/forget")
    assert buttons(anna.screen(ask)) == {"Yes, delete everything": "forget:yes", "No, keep it": "forget:no"}
    [kept] = await anna.press(message_id(ask), "forget:no")
    assert text_of(anna.screen(kept)) == "Nothing was deleted."
    assert len(subscriptions_of(sessions, anna)) == 1

    [ask] = await anna.send("/forget")
    [gone] = await anna.press(message_id(ask), "forget:yes")
    assert text_of(anna.screen(gone)).startswith("Done: I deleted everything I stored about you.")
    with transaction(sessions) as session:
        assert session.get(User, anna.id) is None
        assert session.scalar(select(func.count(Subscription.id))) == 0
    [nothing] = await anna.send("/mydata")
    assert text_of(anna.screen(nothing)) == "I store nothing about you."


async def test_mydata_and_forget_in_german(bernd: Chat, sessions: sessionmaker[Session]) -> None:
    await bernd.send(f"/watch {WOHNSITZ} {PASING}")
    [data] = await bernd.send("/mydata")
    assert text_of(bernd.screen(data)).startswith(f"Was ich über Sie speichere:\nTelegram-ID: {bernd.id}\nSprache: de")
    [ask] = await bernd.send("/forget")
    assert set(buttons(bernd.screen(ask))) == {"Ja, alles löschen", "Nein, behalten"}
    [gone] = await bernd.press(message_id(ask), "forget:yes")
    assert text_of(bernd.screen(gone)).startswith("Erledigt: Ich habe alles gelöscht")
    with transaction(sessions) as session:
        assert session.get(User, bernd.id) is None


async def test_help_and_the_command_menu_in_both_languages(anna: Chat, bernd: Chat) -> None:
    [english] = await anna.send("/help")
    assert text_of(anna.screen(english)).startswith("/watch: watch a service, step by step")
    [german] = await bernd.send("/help")
    assert text_of(bernd.screen(german)).startswith("/watch: eine Leistung beobachten")
    menus = {c.params.get("language_code"): c.params["commands"] for c in anna.server.calls("setMyCommands")}
    assert {"de", "en"} <= set(menus)

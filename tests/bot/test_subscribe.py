"""/watch as a conversation of buttons, in English and German, and the shortcut with arguments."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.formats import today_in_munich
from core import subscriptions as crud
from core.db import transaction
from tests.bot.helpers import FAMILY, PASING, RUPPERT, WOHNSITZ, Chat, buttons, message_id, text_of


def stored(sessions: sessionmaker[Session], chat: Chat) -> list[crud.SubscriptionView]:
    with transaction(sessions) as session:
        return crud.subscription_views(session, user_id=chat.id)


@pytest.mark.usefixtures("city_catalogue")
async def test_subscribe_step_by_step_in_english(anna: Chat, sessions: sessionmaker[Session]) -> None:
    [ask] = await anna.send("/watch")
    assert "Type a few letters" in text_of(anna.screen(ask))

    [services] = await anna.send("anmeld")
    choices = buttons(anna.screen(services))
    assert choices["Wohnsitzanmeldung"] == f"w:svc:{WOHNSITZ}"
    assert "Gewerbe-Anmeldung" in choices

    [offices] = await anna.press(message_id(services), f"w:svc:{WOHNSITZ}")
    screen = anna.screen(offices)
    assert text_of(screen).startswith("Wohnsitzanmeldung\nWhich offices?")
    assert {"Bürgerbüro Pasing", "Bürgerbüro Ruppertstraße", "Any office", "Done", "Cancel"} <= set(buttons(screen))

    [nothing_chosen] = await anna.send("Pasing please")
    assert "use the buttons" in text_of(anna.screen(nothing_chosen))
    await anna.press(message_id(services), f"w:off:{PASING}")
    await anna.press(message_id(services), f"w:off:{RUPPERT}")
    assert {"✅ Bürgerbüro Pasing", "✅ Bürgerbüro Ruppertstraße", "Bürgerbüro Scheidplatz"} <= set(
        buttons(anna.screen(offices))
    )

    [window] = await anna.press(message_id(services), "w:off:done")
    assert "Which dates suit you?" in text_of(anna.screen(window))
    assert set(buttons(anna.screen(window))) == {
        "Next 2 weeks",
        "Next month",
        "Next 3 months",
        "Until a date…",
        "Cancel",
    }
    [until] = await anna.press(message_id(services), "w:win:date")
    assert "Until which day?" in text_of(anna.screen(until))

    [unreadable] = await anna.send("sometime soon")
    assert 'can\'t read "sometime soon" as a date' in text_of(anna.screen(unreadable))
    [past] = await anna.send("01.02.2020")
    assert "01.02.2020 is in the past" in text_of(anna.screen(past))
    end = today_in_munich() + dt.timedelta(days=40)
    [weekdays] = await anna.send(end.strftime("%d.%m.%Y"))
    assert "Which weekdays?" in text_of(anna.screen(weekdays))
    assert {"Mo", "Tu", "We", "Th", "Fr", "Sa", "So", "Any day", "Done"} <= set(buttons(anna.screen(weekdays)))

    await anna.press(message_id(weekdays), "w:day:0")
    await anna.press(message_id(weekdays), "w:day:2")
    await anna.press(message_id(weekdays), "w:day:4")
    await anna.press(message_id(weekdays), "w:day:4")  # ticked twice: not chosen
    assert {"✅ Mo", "✅ We", "Fr"} <= set(buttons(anna.screen(weekdays)))
    [times] = await anna.press(message_id(weekdays), "w:day:done")
    assert text_of(anna.screen(times)) == "What time of day?"

    [summary] = await anna.press(message_id(weekdays), "w:time:am")
    assert text_of(anna.screen(summary)) == (
        "Please check:\nService: Wohnsitzanmeldung\nOffices: Bürgerbüro Pasing, Bürgerbüro Ruppertstraße\n"
        f"Dates: until {end:%d.%m.%Y}\nDays: Mo, We\nTimes: until 12:00\n\nWatch this?"
    )
    assert stored(sessions, anna) == [], "nothing is stored before the user confirms"

    [done] = await anna.press(message_id(weekdays), "w:ok")
    assert text_of(anna.screen(done)) == (
        "Watching Wohnsitzanmeldung at Bürgerbüro Pasing, Bürgerbüro Ruppertstraße (#1).\n"
        f"until {end:%d.%m.%Y}, Mo, We, until 12:00\nI'll message you as soon as a matching slot opens."
    )
    assert buttons(anna.screen(done)) == {}
    [subscription] = stored(sessions, anna)
    assert subscription.service_id == WOHNSITZ
    assert subscription.office_ids == (RUPPERT, PASING)  # by id
    assert subscription.filters == crud.Filters(None, end, frozenset({0, 2}), None, dt.time(12, 0))


@pytest.mark.usefixtures("city_catalogue")
async def test_subscribe_step_by_step_in_german(bernd: Chat, sessions: sessionmaker[Session]) -> None:
    [ask] = await bernd.send("/watch")
    assert "Welche Leistung brauchen Sie?" in text_of(bernd.screen(ask))

    [services] = await bernd.send("pass")
    assert text_of(bernd.screen(services)).startswith('Leistungen zu "pass" (8 von 13;')
    assert buttons(bernd.screen(services))["Reisepass"] == "w:svc:1063453"
    [offices] = await bernd.press(message_id(services), "w:svc:1063453")
    assert "Welche Standorte?" in text_of(bernd.screen(offices))

    chosen_none = len(bernd.callback_answers())
    await bernd.press(message_id(services), "w:off:done", answers=0)  # Fertig without an office
    assert bernd.callback_answers()[chosen_none].params["text"].startswith("Bitte mindestens einen Standort")

    [window] = await bernd.press(message_id(services), "w:off:any")
    assert text_of(bernd.screen(window)).startswith("Reisepass bei Bürgerbüro")
    assert set(buttons(bernd.screen(window))) == {
        "Nächste 2 Wochen",
        "Nächster Monat",
        "Nächste 3 Monate",
        "Bis zu einem Datum…",
        "Abbrechen",
    }
    [weekdays] = await bernd.press(message_id(services), "w:win:2w")
    assert {"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So", "Jeder Tag", "Fertig"} <= set(buttons(bernd.screen(weekdays)))
    [times] = await bernd.press(message_id(services), "w:day:any")
    assert set(buttons(bernd.screen(times))) == {
        "Jederzeit",
        "Vormittags (bis 12:00)",
        "Nachmittags (ab 12:00)",
        "Zwischen… (eintippen)",
        "Abbrechen",
    }
    [ask_range] = await bernd.press(message_id(services), "w:time:range")
    assert "Tippen Sie die Uhrzeiten ein" in text_of(bernd.screen(ask_range))
    [unreadable] = await bernd.send("nachmittags irgendwann")
    assert "kann ich nicht als Zeitraum lesen" in text_of(bernd.screen(unreadable))
    [summary] = await bernd.send("14-17:30")
    end = today_in_munich() + dt.timedelta(days=14)
    assert f"Zeitraum: bis {end:%d.%m.%Y}\nTage: jeder Tag\nUhrzeit: 14:00 bis 17:30" in text_of(bernd.screen(summary))

    [done] = await bernd.press(message_id(summary), "w:ok")
    assert text_of(bernd.screen(done)).startswith("Ich beobachte Reisepass bei Bürgerbüro")
    [subscription] = stored(sessions, bernd)
    assert len(subscription.office_ids) > 1, "any office: every office that offers it"
    assert subscription.filters == crud.Filters(None, end, None, dt.time(14, 0), dt.time(17, 30))


@pytest.mark.usefixtures("city_catalogue")
async def test_a_single_match_skips_the_list(anna: Chat) -> None:
    await anna.send("/watch")
    [offices] = await anna.send(FAMILY.lower())
    assert text_of(anna.screen(offices)).startswith(f"{FAMILY}\nWhich offices?")


@pytest.mark.usefixtures("city_catalogue")
async def test_cancel_stores_nothing_and_old_buttons_say_so(anna: Chat, sessions: sessionmaker[Session]) -> None:
    await anna.send("/watch")
    [services] = await anna.send("anmeld")
    [offices] = await anna.press(message_id(services), f"w:svc:{WOHNSITZ}")
    [cancelled] = await anna.press(message_id(offices), "w:cancel")
    assert text_of(anna.screen(cancelled)) == "Cancelled; nothing was saved."

    await anna.send("/watch")
    [services] = await anna.send("pass")
    [cancelled] = await anna.send("/cancel")
    assert text_of(anna.screen(cancelled)) == "Cancelled; nothing was saved."
    await anna.press(message_id(services), "w:svc:1063453", answers=0)  # a button of the finished conversation
    assert anna.callback_answers()[-1].params["text"] == "This button is no longer active."
    [after] = await anna.send("/cancel")
    assert text_of(anna.screen(after)) == "There is nothing to cancel."
    assert stored(sessions, anna) == []


async def test_shortcut_with_arguments_still_subscribes(anna: Chat, sessions: sessionmaker[Session]) -> None:
    [reply] = await anna.send(f"/watch {WOHNSITZ} {RUPPERT}")
    assert "Watching Wohnsitzanmeldung at Bürgerbüro Ruppertstraße (#1)" in text_of(anna.screen(reply))
    [subscription] = stored(sessions, anna)
    assert (subscription.service_id, subscription.office_ids) == (WOHNSITZ, (RUPPERT,))

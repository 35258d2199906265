"""/watch: a conversation of buttons that makes a subscription, and the ``/watch <service> <office>`` shortcut.

service (typed letters) → offices (multi-select or any) → date window → weekdays → time of day → confirm.
The choices so far live in ``user_data`` as a ``Draft``; nothing is stored before the user confirms.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import formats, keyboards
from bot.inputs import DateInPast, DateTooFar, check_until, parse_date, parse_time_range, window_end
from bot.replies import answer, language, say, show
from bot.texts import text
from bot.watching import at_limit, catalogue_or_apology, subscribe, watch_now
from core import subscriptions as crud
from core.catalogue import Catalogue, Office, Service

SERVICE, OFFICES, WINDOW, UNTIL, WEEKDAYS, TIMES, TIME_RANGE, CONFIRM = range(8)
END = ConversationHandler.END
SHOWN_SERVICES = 8
MORNING_END = AFTERNOON_START = dt.time(12, 0)


@dataclass
class Draft:
    """The subscription being put together."""

    service_id: int = 0
    office_ids: set[int] = field(default_factory=set)
    date_to: dt.date | None = None
    weekdays: set[int] = field(default_factory=set)
    time_from: dt.time | None = None
    time_to: dt.time | None = None

    def filters(self) -> crud.Filters:
        days = frozenset(self.weekdays) if self.weekdays else None
        return crud.Filters(None, self.date_to, days, self.time_from, self.time_to)


def draft_of(context: ContextTypes.DEFAULT_TYPE) -> Draft:
    assert context.user_data is not None
    draft: Draft = context.user_data.setdefault("draft", Draft())
    return draft


def _choice(update: Update) -> str:
    """The last part of the pressed button's data: ``w:off:10489`` → ``10489``."""
    data = update.callback_query.data if update.callback_query else None
    return (data or "").rsplit(":", 1)[-1]


def _typed(update: Update) -> str:
    message = update.message
    return (message.text or "").strip() if message else ""


async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/watch with arguments subscribes at once; without, it asks for the service."""
    if context.args:
        await watch_now(update, context)
        return END
    if await at_limit(update, context):
        return END
    assert context.user_data is not None
    context.user_data["draft"] = Draft()
    await say(update, context, "ask_service")
    return SERVICE


async def find_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Typed letters: the services whose names contain them, shortest names first."""
    query = _typed(update)
    catalogue = await catalogue_or_apology(update, context)
    if catalogue is None:
        return END
    found = sorted(catalogue.find_services(query), key=lambda s: (len(s.name), s.name))
    if len(found) == 1:
        return await _ask_offices(update, context, catalogue, found[0])
    if not found:
        await say(update, context, "no_service", query=query)
        return SERVICE
    lang = await language(update, context)
    key = "pick_service" if len(found) <= SHOWN_SERVICES else "pick_service_more"
    choices = keyboards.services(lang, found[:SHOWN_SERVICES])
    await say(update, context, key, query=query, shown=SHOWN_SERVICES, total=len(found), keyboard=choices)
    return SERVICE


async def pick_service(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    catalogue = await catalogue_or_apology(update, context)
    if catalogue is None:
        return END
    service = catalogue.services.get(int(_choice(update)))
    if service is None:
        await say(update, context, "unknown_service", query=_choice(update))
        return SERVICE
    return await _ask_offices(update, context, catalogue, service)


async def _ask_offices(
    update: Update, context: ContextTypes.DEFAULT_TYPE, catalogue: Catalogue, service: Service
) -> int:
    offered = _offered(catalogue, service.id)
    draft = draft_of(context)
    draft.service_id, draft.office_ids = service.id, set()
    if not offered:
        await say(update, context, "no_offices", service=service.name)
        return SERVICE
    if len(offered) == 1:
        draft.office_ids = {offered[0].id}
        return await _ask_window(update, context, catalogue)
    lang = await language(update, context)
    body = text(lang, "ask_offices", service=service.name)
    await show(update, context, body, keyboard=keyboards.offices(lang, offered, draft.office_ids))
    return OFFICES


def _offered(catalogue: Catalogue, service_id: int) -> list[Office]:
    return sorted(catalogue.offices_for(service_id), key=lambda o: o.name)


async def toggle_office(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    catalogue = await catalogue_or_apology(update, context)
    if catalogue is None:
        return END
    draft, office_id = draft_of(context), int(_choice(update))
    offered = _offered(catalogue, draft.service_id)
    if office_id in {o.id for o in offered}:
        draft.office_ids ^= {office_id}
    assert update.callback_query is not None
    markup = keyboards.offices(await language(update, context), offered, draft.office_ids)
    await update.callback_query.edit_message_reply_markup(markup)
    return OFFICES


async def any_office(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    catalogue = await catalogue_or_apology(update, context)
    if catalogue is None:
        return END
    draft = draft_of(context)
    draft.office_ids = {o.id for o in catalogue.offices_for(draft.service_id)}
    return await _ask_window(update, context, catalogue)


async def offices_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if not draft_of(context).office_ids:
        await answer(update, context, "choose_an_office")
        return OFFICES
    await answer(update, context)
    catalogue = await catalogue_or_apology(update, context)
    return END if catalogue is None else await _ask_window(update, context, catalogue)


async def _ask_window(update: Update, context: ContextTypes.DEFAULT_TYPE, catalogue: Catalogue) -> int:
    draft, lang = draft_of(context), await language(update, context)
    service = formats.service_name(catalogue, draft.service_id)
    offices = formats.office_names(catalogue, sorted(draft.office_ids))
    await show(
        update, context, text(lang, "ask_window", service=service, offices=offices), keyboard=keyboards.windows(lang)
    )
    return WINDOW


async def pick_window(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    draft_of(context).date_to = window_end(_choice(update), today=formats.today_in_munich())
    return await _ask_weekdays(update, context)


async def ask_until(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    example = formats.day(formats.today_in_munich() + dt.timedelta(days=30))
    await show(update, context, text(await language(update, context), "ask_until", example=example))
    return UNTIL


async def type_until(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A typed end date: readable, not in the past, not beyond what the portal shows."""
    typed, today = _typed(update), formats.today_in_munich()
    example = formats.day(today + dt.timedelta(days=30))
    try:
        draft_of(context).date_to = check_until(parse_date(typed, today=today), today=today)
    except DateInPast:
        await say(update, context, "date_past", date=formats.day(parse_date(typed, today=today)))
        return UNTIL
    except DateTooFar:
        await say(update, context, "date_too_far", date=formats.day(parse_date(typed, today=today)))
        return UNTIL
    except ValueError:
        await say(update, context, "date_unreadable", text=typed, example=example)
        return UNTIL
    return await _ask_weekdays(update, context)


async def _ask_weekdays(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    lang = await language(update, context)
    markup = keyboards.weekdays(lang, draft_of(context).weekdays)
    await show(update, context, text(lang, "ask_weekdays"), keyboard=markup)
    return WEEKDAYS


async def toggle_weekday(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    draft = draft_of(context)
    draft.weekdays ^= {int(_choice(update)) % 7}
    assert update.callback_query is not None
    markup = keyboards.weekdays(await language(update, context), draft.weekdays)
    await update.callback_query.edit_message_reply_markup(markup)
    return WEEKDAYS


async def weekdays_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Done (with the days ticked) or Any day (clears them)."""
    await answer(update, context)
    if _choice(update) == "any":
        draft_of(context).weekdays = set()
    lang = await language(update, context)
    await show(update, context, text(lang, "ask_times"), keyboard=keyboards.times(lang))
    return TIMES


async def pick_times(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    draft, choice = draft_of(context), _choice(update)
    draft.time_from = AFTERNOON_START if choice == "pm" else None
    draft.time_to = MORNING_END if choice == "am" else None
    return await _ask_confirmation(update, context)


async def ask_time_range(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await answer(update, context)
    await show(update, context, text(await language(update, context), "ask_time_range"))
    return TIME_RANGE


async def type_time_range(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    typed = _typed(update)
    try:
        start, end = parse_time_range(typed)
    except ValueError:
        await say(update, context, "time_range_unreadable", text=typed)
        return TIME_RANGE
    draft = draft_of(context)
    draft.time_from, draft.time_to = start, end
    return await _ask_confirmation(update, context)


async def _ask_confirmation(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    catalogue = await catalogue_or_apology(update, context)
    if catalogue is None:
        return END
    draft, lang = draft_of(context), await language(update, context)
    summary = text(
        lang,
        "confirm",
        service=formats.service_name(catalogue, draft.service_id),
        offices=formats.office_names(catalogue, sorted(draft.office_ids)),
        window=formats.window(lang, draft.filters()),
        weekdays=formats.weekdays(lang, draft.weekdays),
        times=formats.times(lang, draft.time_from, draft.time_to),
    )
    await show(update, context, summary, keyboard=keyboards.confirm(lang))
    return CONFIRM


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Confirmed: store the subscription, unless the user reached the limit meanwhile."""
    await answer(update, context)
    if await at_limit(update, context) or (catalogue := await catalogue_or_apology(update, context)) is None:
        return END
    draft = draft_of(context)
    office_ids = sorted(draft.office_ids)
    body = await subscribe(
        update, context, catalogue, service_id=draft.service_id, office_ids=office_ids, filters=draft.filters()
    )
    await show(update, context, body)
    _forget_draft(context)
    return END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel or the Cancel button: drop the draft, store nothing."""
    await answer(update, context)
    _forget_draft(context)
    await show(update, context, text(await language(update, context), "cancelled"))
    return END


async def use_the_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text where a button is expected: say so; the step stays as it was."""
    await say(update, context, "use_buttons")


def _forget_draft(context: ContextTypes.DEFAULT_TYPE) -> None:
    if context.user_data is not None:
        context.user_data.pop("draft", None)


Handlers = list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, Any]]


def conversation(
    *, entry_points: Handlers | None = None, states: dict[object, Handlers] | None = None
) -> ConversationHandler[ContextTypes.DEFAULT_TYPE]:
    """The steps and what each accepts; free text where buttons are expected gets a hint, not silence.

    Other conversations (``entry_points``, ``states``) join this one: a chat holds one conversation at a time,
    so starting one ends the other instead of both waiting for the same typed text.
    """
    typed = filters.TEXT & ~filters.COMMAND
    hint = MessageHandler(typed, use_the_buttons)
    steps: dict[object, Handlers] = {
        SERVICE: [MessageHandler(typed, find_service), CallbackQueryHandler(pick_service, pattern=r"^w:svc:\d+$")],
        OFFICES: [
            CallbackQueryHandler(toggle_office, pattern=r"^w:off:\d+$"),
            CallbackQueryHandler(any_office, pattern="^w:off:any$"),
            CallbackQueryHandler(offices_chosen, pattern="^w:off:done$"),
            hint,
        ],
        WINDOW: [
            CallbackQueryHandler(pick_window, pattern="^w:win:(2w|1m|3m)$"),
            CallbackQueryHandler(ask_until, pattern="^w:win:date$"),
            hint,
        ],
        UNTIL: [MessageHandler(typed, type_until)],
        WEEKDAYS: [
            CallbackQueryHandler(toggle_weekday, pattern="^w:day:[0-6]$"),
            CallbackQueryHandler(weekdays_chosen, pattern="^w:day:(any|done)$"),
            hint,
        ],
        TIMES: [
            CallbackQueryHandler(pick_times, pattern="^w:time:(any|am|pm)$"),
            CallbackQueryHandler(ask_time_range, pattern="^w:time:range$"),
            hint,
        ],
        TIME_RANGE: [MessageHandler(typed, type_time_range)],
        CONFIRM: [CallbackQueryHandler(confirm, pattern="^w:ok$"), hint],
    }
    with warnings.catch_warnings():
        # Typed text and buttons mix in one conversation, so it is tracked per chat and user, not per message.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("watch", watch), *(entry_points or [])],
            states={**steps, **(states or {})},
            fallbacks=[CommandHandler("cancel", cancel), CallbackQueryHandler(cancel, pattern="^w:cancel$")],
            allow_reentry=True,
            name="watch",
        )

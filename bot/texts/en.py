"""English."""

TEXTS: dict[str, str] = {
    # -- welcome and help
    "start": (
        "Hello! I watch the City of Munich's appointment portal and message you as soon as a slot opens "
        "that suits you, with a screenshot and the official booking link.\n\n"
        "Start with /watch and pick a service, the offices and when you have time."
    ),
    "help": (
        "/watch: watch a service, step by step (or /watch <service> <office>)\n"
        "/list: your subscriptions, to pause, resume or delete them, or to book automatically\n"
        "/bookings: your bookings, to cancel them\n"
        "/contact: your name and e-mail for bookings\n"
        "/status: how the city's portal is doing\n"
        "/language: Deutsch or English\n"
        "/mydata: everything I store about you\n"
        "/forget: delete all of it\n"
        "/cancel: stop what you are doing"
    ),
    "cmd_watch": "Watch a service for free appointments",
    "cmd_list": "Your subscriptions",
    "cmd_bookings": "Your bookings",
    "cmd_contact": "Your name and e-mail for bookings",
    "cmd_status": "How the portal is doing",
    "cmd_language": "Deutsch or English",
    "cmd_mydata": "Everything I store about you",
    "cmd_forget": "Delete all your data",
    "cmd_help": "What I can do",
    "cmd_cancel": "Stop what you are doing",
    # -- subscribing
    "ask_service": 'Which service do you need? Type a few letters of its name, e.g. "anmeld" or "pass".',
    "no_service": 'No service matches "{query}". Try other letters, e.g. "anmeld" or "pass".',
    "pick_service": 'Services matching "{query}", pick one:',
    "pick_service_more": 'Services matching "{query}" ({shown} of {total}; type more letters to narrow it down):',
    "ask_offices": "{service}\nWhich offices? Tap one or more, then Done; or take any office.",
    "no_offices": "{service} cannot be booked online at any office. Please choose another service.",
    "offices_any": "Any office",
    "done": "Done",
    "choose_an_office": "Select at least one office, or Any office.",
    "ask_window": "{service} at {offices}\nWhich dates suit you?",
    "window_2w": "Next 2 weeks",
    "window_1m": "Next month",
    "window_3m": "Next 3 months",
    "window_date": "Until a date…",
    "ask_until": "Until which day? Type a date, e.g. {example}.",
    "date_unreadable": 'I can\'t read "{text}" as a date. Please type it like {example}.',
    "date_past": "{date} is in the past. Please type a day from today on.",
    "date_too_far": "{date} is more than a year ahead; the portal does not show that far. Please type an earlier day.",
    "ask_weekdays": "Which weekdays? Tap the days that suit you, then Done; or Any day.",
    "any_day": "Any day",
    "ask_times": "What time of day?",
    "times_any": "Any time",
    "times_morning": "Mornings (until 12:00)",
    "times_afternoon": "Afternoons (from 12:00)",
    "times_range": "Between… (type it)",
    "ask_time_range": "Type the time range, e.g. 08:00-11:30.",
    "time_range_unreadable": 'I can\'t read "{text}" as a time range. Please type it like 08:00-11:30.',
    "confirm": (
        "Please check:\nService: {service}\nOffices: {offices}\nDates: {window}\nDays: {weekdays}\n"
        "Times: {times}\n\nWatch this?"
    ),
    "subscribe_button": "Watch it",
    "cancel_button": "Cancel",
    "watching": (
        "Watching {service} at {offices} (#{id}).\n{filters}\nI'll message you as soon as a matching slot opens."
    ),
    "cancelled": "Cancelled; nothing was saved.",
    "nothing_to_cancel": "There is nothing to cancel.",
    "use_buttons": "Please use the buttons above, or /cancel.",
    "too_many_subscriptions": (
        "You already have {limit} subscriptions, the most I keep per person. Delete one in /list first."
    ),
    "watch_usage": "Type /watch to choose step by step, or /watch <service> <office>, e.g. /watch 1063475 10489.",
    "unknown_service": 'I don\'t know a service called "{query}".',
    "ambiguous_service": '"{query}" fits several services: {names}. Please be more precise.',
    "unknown_office": '"{query}" is not an office that offers {service}.',
    "catalogue_down": "I can't read the portal's list of services right now. Please try again in a few minutes.",
    # -- describing a subscription
    "weekdays": "Mo,Tu,We,Th,Fr,Sa,So",
    "any_date": "any date",
    "until_date": "until {date}",
    "from_until_date": "{start} to {end}",
    "every_day": "any day",
    "any_time": "any time",
    "until_time": "until {time}",
    "from_time": "from {time}",
    "between_times": "{start} to {end}",
    "filters": "{window}, {weekdays}, {times}",
    # -- managing
    "list_empty": "You are not watching anything. Start with /watch.",
    "list_header": "Your subscriptions ({count} of at most {limit}):",
    "subscription": "#{id} {service}\n{offices}\n{filters}{state}",
    "state_paused": "\nPaused",
    "state_expired": "\nThe date window is over",
    "pause_button": "Pause",
    "resume_button": "Resume",
    "delete_button": "Delete",
    "paused": "Paused.",
    "resumed": "Resumed.",
    "deleted": "#{id} deleted.",
    "no_such_subscription": "You have no subscription #{id}.",
    "unwatch_usage": "Usage: /unwatch <number> (see /list).",
    "unwatched": "Stopped watching #{id}.",
    # -- language and personal data
    "language_usage": "Choose your language: /language de or /language en.",
    "language_set": "I'll write to you in English from now on.",
    "mydata_none": "I store nothing about you.",
    "mydata": (
        "What I store about you:\nTelegram id: {id}\nLanguage: {language}\nAlerts: {active}\n"
        "First contact: {created}\nAlerts sent: {alerts} (last: {last})\n\nSubscriptions:\n{subscriptions}\n\n"
        "Contact data for bookings: {contact}\n\nBookings:\n{bookings}\n\n/forget deletes all of it."
    ),
    "mydata_link": "The same as a web page, with the alerts sent to you (the link works for {minutes} min):\n{link}",
    "mydata_no_subscriptions": "none",
    "alerts_on": "on",
    "alerts_off": "off (the chat had blocked me)",
    "forget_confirm": (
        "Delete everything I store about you: your subscriptions, language, alert history, contact data and "
        "bookings? Appointments booked at the city stay booked (cancel them in /bookings first). This cannot be undone."
    ),
    "forget_yes": "Yes, delete everything",
    "forget_no": "No, keep it",
    "forgotten": "Done: I deleted everything I stored about you. /start brings you back any time.",
    "forget_kept": "Nothing was deleted.",
    # -- status
    "status": "Portal: {state}\nBreaker: {breaker}\n\n{targets}",
    "portal_up": "up",
    "portal_down": "down, it does not answer",
    "portal_blocked": "refusing our checks for now",
    "portal_changed": "changed; checks pause until we adapt",
    "breaker_closed": "closed, checks run",
    "breaker_open": "open, checks paused",
    "breaker_half-open": "trying again",
    "status_target": "{service} at {office}:\nlast check {last} ({outcome}), about every {interval}",
    "status_no_targets": "You watch nothing at the moment; /watch starts.",
    "never": "not yet",
    "outcome_slots": "free slots",
    "outcome_no_slots": "no free slots",
    "outcome_error": "failed",
    "outcome_none": "none",
    "seconds": "{n} s",
    "minutes": "{n} min",
    # -- alerts and portal news
    "alert": "Free appointment: {service}\n{office}\n{times}\nseen {seen}\nBook now: {link}",
    "proof": "The city's booking page, as seen {seen}",
    "more_times": "and {n} more",
    "book_button": "Book now",
    "book_slot_button": "Book {time}",
    "news_down": "The city's portal is down. I keep trying and tell you when it is back.",
    "news_blocked": "The city's portal refuses our checks for now. I tell you when it is back.",
    "news_changed": (
        "The city's portal has changed; my checks pause until they are adapted. I tell you when it is back."
    ),
    "news_up": "The city's portal is back; I am watching again.",
    # -- contact data
    "contact_intro": (
        "To book for you, I give the city your own name and e-mail address, and your phone number if you like. "
        "I book only ever for you; the city sends its activation e-mail to that address."
    ),
    "contact_first": (
        "To book, I need your own name and e-mail address first; the city sends its activation e-mail there. "
        "I book only ever for you."
    ),
    "contact_current": "Stored now: {contact}",
    "ask_name": "Your name, as on your ID:",
    "ask_email": "Your e-mail address:",
    "ask_phone": "Your phone number, in case the office needs to call you (e.g. +49 170 1234567), or Skip:",
    "skip_button": "Skip",
    "invalid_name": "Please type your name.",
    "invalid_email": (
        'The city\'s portal does not accept "{text}" as an e-mail address (it refuses a + in addresses, for example). '
        "Please type another one."
    ),
    "invalid_phone": (
        'The city\'s portal does not accept "{text}" as a phone number: 7 to 15 digits, with an optional + in front. '
        "Please type it again, or Skip."
    ),
    "contact_saved": "Saved: {contact}\n/contact changes it, /mydata shows it, /forget deletes it.",
    "contact_line": "{name}, {email}{phone}",
    "contact_phone": ", {phone}",
    "contact_none": "none",
    # -- booking
    "book_requested": "Booking {time} at {office} for you…",
    "book_active": (
        "You already have a booking for this service (see /bookings). Cancel it there before booking another time."
    ),
    "book_not_yours": "This time cannot be booked from here.",
    "book_gone": "This time is no longer free.",
    "book_no_contact": "I need your name and e-mail address first: /contact.",
    "booked": (
        "Reserved for you: {service}\n{office}\n{time}\n\n"
        "The city has sent an e-mail to {email}. Click the link in it {within}, or the reservation lapses."
    ),
    "within_minutes": "within {minutes} minutes",
    "within_soon": "soon",
    "book_failed": "I could not book {time} at {office}: {reason} Nothing was booked.",
    "booking_confirmed": "Confirmed: {service}\n{office}\n{time}",
    "booking_expired": (
        "{service} at {office}, {time}, is no longer reserved: the link in the city's e-mail was not clicked in time "
        "(or the appointment was cancelled at the city)."
    ),
    "booking_cancelled": "Cancelled: {service}\n{office}\n{time}",
    "cancel_failed": "I could not cancel {time} at {office}: {reason} /bookings lets you try again.",
    "reason_tooManyAppointmentsWithSameMail": (
        "the city allows only a limited number of appointments per e-mail address at this office, and {email} "
        "already has them."
    ),
    "reason_slotGone": "the time was taken before I could book it, and no other suitable time was free that day.",
    "reason_appointmentNotAvailable": "the time was taken before I could book it.",
    "reason_invalidEmail": "the portal does not accept your e-mail address (/contact changes it).",
    "reason_invalidFamilyName": "the portal does not accept your name (/contact changes it).",
    "reason_invalidTelephone": "the portal does not accept your phone number (/contact changes it).",
    "reason_emailIsRequired": "the portal needs an e-mail address (/contact).",
    "reason_noContact": "your contact data are gone (/contact).",
    "reason_portalBusy": "the portal is busy right now; please try again in a minute.",
    "reason_portalUnavailable": "the city's portal did not answer.",
    "reason_portalDown": "the city's portal is down.",
    "reason_portalBlocked": "the city's portal refused the request.",
    "reason_portalChanged": "the city's portal answered in a way I do not understand.",
    "reason_rateLimitExceeded": "the portal is busy right now; please try again in a minute.",
    "reason_interrupted": "the booking was interrupted.",
    "reason_appointmentCanNotBeCanceled": "the portal no longer allows cancelling it.",
    "reason_other": "the portal answered {code}.",
    "bookings_empty": "You have no bookings. Tap a Book button under an alert to book a time.",
    "bookings_header": "Your bookings:",
    "booking_item": "{service}\n{office}\n{time}\n{status}",
    "status_requested": "being booked…",
    "status_booking": "being booked…",
    "status_reserved": "reserved",
    "status_preconfirmed": "reserved; please click the link in the city's e-mail to {email}",
    "status_confirmed": "confirmed",
    "status_expired": "lapsed: not activated in time",
    "status_cancelling": "being cancelled…",
    "status_cancelled": "cancelled",
    "status_failed": "not booked: {reason}",
    "cancel_booking_button": "Cancel appointment",
    "cancelling": "Cancelling…",
    "no_such_booking": "This booking cannot be cancelled (any more).",
    # -- automatic booking
    "auto_button": "Book automatically",
    "state_auto": "\nBooks the first suitable time automatically",
    "auto_on": "I'll book the first suitable time automatically.",
    "auto_off": "No more automatic booking.",
    "auto_needs_contact": "To book automatically I need your name and e-mail address first: /contact.",
    # -- guards and bad input
    "not_allowed": "Sorry, this bot is private.",
    "slow_down": "That is a lot at once. Please wait a minute, then try again.",
    "unknown_command": "I don't know that command. /help lists what I can do.",
    "unexpected_text": "I didn't understand that. /help lists what I can do.",
    "stale_button": "This button is no longer active.",
    "error": "Something went wrong on my side. Please try again in a moment.",
}

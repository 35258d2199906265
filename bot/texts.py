"""Every text the bot sends, in German and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "start": (
            "Hello! I watch the City of Munich's appointment portal and tell you as soon as a slot opens.\n"
            "Watch a service at an office: /watch <service> <office>, e.g. /watch 1063475 10489\n"
            "/list shows what you watch, /unwatch <number> stops it, /status shows the portal."
        ),
        "watch_usage": "Usage: /watch <service> <office>, e.g. /watch 1063475 10489 (ids or a part of the name).",
        "unknown_service": 'I don\'t know a service called "{query}".',
        "ambiguous_service": '"{query}" fits several services: {names}. Please be more precise.',
        "unknown_office": '"{query}" is not an office that offers {service}.',
        "catalogue_down": "I can't read the portal's catalogue right now. Please try again in a few minutes.",
        "watching": "Watching {service} at {office}. I'll message you when a slot opens (#{id}).",
        "list_empty": "You are not watching anything. Start with /watch.",
        "list_item": "#{id} {service} at {offices}{paused}",
        "paused": " (paused)",
        "unwatch_usage": "Usage: /unwatch <number> (see /list).",
        "unwatched": "Stopped watching #{id}.",
        "no_such_subscription": "You have no subscription #{id}.",
        "status": "Portal: {breaker}.\nLast check of your targets: {last}.\nCheck interval: every {interval:.0f} s.",
        "never": "not yet",
        "breaker_closed": "reachable",
        "breaker_open": "not reachable, checks paused",
        "breaker_half-open": "recovering",
        "alert": "Free appointment: {service}\n{office}\n{times}\nBook now: {link}",
        "more_times": "and {n} more",
        "unknown_command": "I don't know that command. Try /start.",
    },
    "de": {
        "start": (
            "Hallo! Ich beobachte das Terminportal der Stadt München und melde mich, sobald ein Termin frei wird.\n"
            "Leistung an einem Standort beobachten: /watch <Leistung> <Standort>, z. B. /watch 1063475 10489\n"
            "/list zeigt Ihre Beobachtungen, /unwatch <Nummer> beendet eine, /status zeigt das Portal."
        ),
        "watch_usage": "So geht's: /watch <Leistung> <Standort>, z. B. /watch 1063475 10489 (Nummer oder Namensteil).",
        "unknown_service": 'Eine Leistung "{query}" kenne ich nicht.',
        "ambiguous_service": '"{query}" passt zu mehreren Leistungen: {names}. Bitte genauer.',
        "unknown_office": '"{query}" ist kein Standort, der {service} anbietet.',
        "catalogue_down": "Ich kann den Katalog des Portals gerade nicht lesen. Bitte in ein paar Minuten erneut.",
        "watching": "Ich beobachte {service} bei {office} und melde mich bei einem freien Termin (#{id}).",
        "list_empty": "Sie beobachten nichts. Beginnen Sie mit /watch.",
        "list_item": "#{id} {service} bei {offices}{paused}",
        "paused": " (pausiert)",
        "unwatch_usage": "So geht's: /unwatch <Nummer> (siehe /list).",
        "unwatched": "Beobachtung #{id} beendet.",
        "no_such_subscription": "Sie haben keine Beobachtung #{id}.",
        "status": "Portal: {breaker}.\nLetzte Prüfung Ihrer Ziele: {last}.\nPrüfintervall: alle {interval:.0f} s.",
        "never": "noch keine",
        "breaker_closed": "erreichbar",
        "breaker_open": "nicht erreichbar, Prüfungen pausiert",
        "breaker_half-open": "erholt sich",
        "alert": "Freier Termin: {service}\n{office}\n{times}\nJetzt buchen: {link}",
        "more_times": "und {n} weitere",
        "unknown_command": "Diesen Befehl kenne ich nicht. Versuchen Sie /start.",
    },
}


def language_of(code: str | None) -> str:
    """The catalogue for a Telegram ``language_code``: German for de*, English otherwise."""
    return "de" if code and code.lower().startswith("de") else "en"


def text(language: str, key: str, **values: object) -> str:
    return TEXTS.get(language, TEXTS["en"])[key].format(**values)

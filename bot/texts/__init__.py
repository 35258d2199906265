"""Every text the bot sends, in German and English: ``text(language, key, **values)``."""

from __future__ import annotations

from bot.texts.de import TEXTS as GERMAN
from bot.texts.en import TEXTS as ENGLISH

CATALOGUES: dict[str, dict[str, str]] = {"de": GERMAN, "en": ENGLISH}
LANGUAGES = tuple(CATALOGUES)
DEFAULT_LANGUAGE = "en"


def language_of(code: str | None) -> str:
    """The catalogue for a Telegram ``language_code``: German for de*, English otherwise."""
    return "de" if code and code.lower().startswith("de") else DEFAULT_LANGUAGE


def text(language: str, key: str, /, **values: object) -> str:
    return CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])[key].format(**values)


def weekday_names(language: str) -> list[str]:
    """Short names of Monday … Sunday."""
    return text(language, "weekdays").split(",")

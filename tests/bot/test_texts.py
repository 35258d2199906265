"""The two catalogues: the same keys, the same placeholders, and every key the code asks for."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.main import MENU
from bot.texts import CATALOGUES, language_of, text

BOT = Path(__file__).resolve().parents[2] / "bot"
TEXT_CALLS = {"text", "say", "answer"}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_both_catalogues() -> None:
    assert set(CATALOGUES) == {"de", "en"}
    assert set(CATALOGUES["de"]) == set(CATALOGUES["en"])


@pytest.mark.parametrize("key", sorted(CATALOGUES["en"]))
def test_both_languages_fill_in_the_same_values(key: str) -> None:
    assert placeholders(CATALOGUES["de"][key]) == placeholders(CATALOGUES["en"][key])
    assert CATALOGUES["de"][key]
    assert CATALOGUES["en"][key]


def keys_named_in_code() -> set[str]:
    """String literals passed as the key to text(), say() or answer() anywhere in bot/."""
    keys = set()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in TEXT_CALLS:
                keys |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return keys


def test_every_key_the_code_names_exists() -> None:
    named = keys_named_in_code()
    assert {"watching", "alert", "too_many_subscriptions"} <= named, "the scan finds the keys"
    assert named <= set(CATALOGUES["en"])


def test_every_key_the_code_builds_exists() -> None:
    built = (
        [f"portal_{s}" for s in ("up", "down", "blocked", "changed")]
        + [f"news_{s}" for s in ("up", "down", "blocked", "changed")]
        + [f"breaker_{s}" for s in ("closed", "open", "half-open")]
        + [f"outcome_{s}" for s in ("slots", "no_slots", "error", "none")]
        + [f"cmd_{name}" for name in MENU]
    )
    assert set(built) <= set(CATALOGUES["en"])


def test_watching_keeps_the_word_the_end_to_end_test_looks_for() -> None:
    assert "Watching" in text("en", "watching", service="S", offices="O", id=1, filters="F")


def test_telegram_language_codes_choose_the_catalogue() -> None:
    assert [language_of(code) for code in ("de", "de-AT", "en", "uk", None)] == ["de", "de", "en", "en", "en"]

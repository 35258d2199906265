"""The README keeps its promises: the two commands; docs/settings.md has a row for every setting."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
SETTINGS = (REPO / "docs" / "settings.md").read_text(encoding="utf-8")


def test_readme_names_both_commands() -> None:
    assert "make demo" in README
    assert "make test" in README


def test_docs_list_every_setting() -> None:
    missing = [name for name in Settings.model_fields if f"`MTA_{name.upper()}`" not in SETTINGS]
    assert not missing, f"settings missing from the table in docs/settings.md: {missing}"

"""The city's own files (its DLDB export and the fixtures of its tests), where this workplace has them.

Comparisons of the replica with them run when they are present (``MTA_TEST_CITY_FILES``, by default
``../shared/portal`` beside the repository) and are skipped with a reason otherwise; everything else runs on the
replica's built-in sample catalogue, so a fresh clone passes its tests alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CITY_FILES = Path(
    os.environ.get("MTA_TEST_CITY_FILES", Path(__file__).resolve().parents[1] / ".." / "shared" / "portal")
)
DLDB: Path | None = (CITY_FILES / "dldb").resolve() if (CITY_FILES / "dldb" / "locations_de.json").is_file() else None
FIXTURES: Path | None = (CITY_FILES / "fixtures").resolve() if (CITY_FILES / "fixtures").is_dir() else None


def city_dldb() -> Path:
    """The city's DLDB export, or the test is skipped: it compares the replica with the city's own catalogue."""
    if DLDB is None:
        pytest.skip(f"the city's DLDB export is not at {CITY_FILES / 'dldb'} (set MTA_TEST_CITY_FILES)")
    return DLDB


def city_fixture(name: str) -> Path:
    """One of the city's test fixtures, or the test is skipped."""
    if FIXTURES is None or not (FIXTURES / name).is_file():
        pytest.skip(f"the city's fixture {name} is not in {CITY_FILES / 'fixtures'} (set MTA_TEST_CITY_FILES)")
    return FIXTURES / name

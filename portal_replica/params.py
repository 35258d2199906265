"""Parsing of query parameters and JSON bodies the way the city's ValidationService accepts them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS = re.compile(r"^\d+$")
MAX_SERVICE_COUNT = 25


def parse_date(value: str | None) -> date | None:
    if value is None or not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def csv_ids(value: str | None) -> list[int] | None:
    """``10489,10503`` -> [10489, 10503]; None when empty or not all numeric."""
    if not value:
        return None
    items = [item.strip() for item in value.split(",")]
    if not items or not all(_DIGITS.match(item) for item in items):
        return None
    ids = [int(item) for item in items]
    return ids if all(i > 0 for i in ids) else None


def counts_for(raw: list[Any] | None, service_ids: list[int] | None) -> list[int] | None:
    """Service counts 1..25, padded with 1 to the number of services; None when invalid."""
    if not raw:
        return None
    counts: list[int] = []
    for item in raw:
        text = str(item).strip()
        if isinstance(item, bool) or not _DIGITS.match(text):
            return None
        counts.append(int(text))
    if any(c < 1 or c > MAX_SERVICE_COUNT for c in counts):
        return None
    wanted = len(service_ids) if service_ids else len(counts)
    return (counts + [1] * wanted)[:wanted]


def csv_counts(value: str | None, service_ids: list[int] | None) -> list[int] | None:
    return counts_for(value.split(",") if value else None, service_ids)


def positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        number = int(value.strip())
        return number if number > 0 else None
    return None


def id_list(value: Any) -> list[int] | None:
    """A JSON array of numeric ids (ints or numeric strings)."""
    if not isinstance(value, list) or not value:
        return None
    ids = [positive_int(item) for item in value]
    return None if any(i is None for i in ids) else [i for i in ids if i is not None]

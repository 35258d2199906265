"""Observations as task messages carry them: what goes in comes out."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from core.slots import Observation, SeenSlot, nothing_free

DAY = dt.date(2026, 12, 9)
AT = dt.datetime(2026, 12, 9, 8, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "observation",
    [
        Observation(
            frozenset({SeenSlot(AT, 10489), SeenSlot(AT + dt.timedelta(minutes=5), 10503)}),
            listed=frozenset({(DAY, 10489), (DAY, 10503), (DAY + dt.timedelta(days=30), 10489)}),
            timed=frozenset({(DAY, 10489), (DAY, 10503)}),
            painted_from=DAY,
            painted_to=DAY + dt.timedelta(days=180),
        ),
        Observation(frozenset({SeenSlot(AT, 10489)}), timed=frozenset({(DAY, 10489)})),
        nothing_free(),
    ],
)
def test_an_observation_survives_json(observation: Observation) -> None:
    assert Observation.from_json(json.loads(json.dumps(observation.to_json()))) == observation

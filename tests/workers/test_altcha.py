"""The farm's captcha solver (issue 20): native SHA-256 solving both ALTCHA versions the portal has served, as
the replica's verify checks them, and bounded in time."""

from __future__ import annotations

import base64
import json
import time

import pytest

from portal_replica.captcha import CaptchaParams, decode_payload, new_challenge, verify_solution
from workers.altcha import Unsolved, difficulty, solve

PARAMS = CaptchaParams(secret="test-secret")


@pytest.mark.parametrize(("version", "cost"), [("v1", 1000), ("v1", 100_000), ("v2", 1000)])
def test_a_solution_passes_the_portals_verify(version: str, cost: int) -> None:
    now = time.time()
    challenge = new_challenge(version, PARAMS, now, difficulty=cost)
    assert difficulty(challenge) == cost
    payload = decode_payload(solve(challenge, timeout_s=30))
    assert payload is not None
    assert verify_solution(payload, PARAMS, now)


def test_the_citys_own_challenge_is_solved_in_its_shape() -> None:
    """The v2 answer carries the challenge whole and the counter with its key, as the city's widget sends it."""
    challenge = new_challenge("v2", PARAMS, time.time(), difficulty=10)
    sent = json.loads(base64.b64decode(solve(challenge, timeout_s=5)))
    assert sent["challenge"] == challenge
    assert set(sent["solution"]) == {"counter", "derivedKey", "time"}
    assert sent["solution"]["derivedKey"].startswith(challenge["parameters"]["keyPrefix"])


def test_a_solve_past_its_time_stops_and_says_so() -> None:
    parameters = {"algorithm": "SHA-256", "nonce": "00", "salt": "00", "cost": 1000, "keyLength": 32}
    unsolvable = {"parameters": {**parameters, "keyPrefix": "f" * 64}, "signature": ""}
    started = time.monotonic()
    with pytest.raises(Unsolved, match="in the time allowed"):
        solve(unsolvable, timeout_s=0.5)
    assert time.monotonic() - started < 2.0


def test_a_challenge_of_another_shape_is_an_error_not_a_hang() -> None:
    with pytest.raises((KeyError, ValueError)):
        solve({"parameters": {"algorithm": "SCRYPT", "cost": 1}, "signature": ""}, timeout_s=1)

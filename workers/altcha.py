"""ALTCHA proof-of-work challenges (docs/portal.md, "Captcha") solved in native code: hashlib's SHA-256 in the
worker process, several times faster than SHA-256 in the page's JavaScript (``make bench``: captcha_solve_*).
The portal's captcha service raises the difficulty with our visits, so the solver's speed is what a token costs.

v1 ``{algorithm, challenge, maxnumber, salt, signature}``: the ``number`` up to ``maxnumber`` whose
``sha256_hex(salt + str(number))`` is the challenge. v2 ``{parameters, signature}``: the first counter whose key
(SHA-256 applied ``cost`` times to ``salt ‖ nonce ‖ uint32_be(counter)``, its first ``keyLength`` bytes) starts
with ``keyPrefix`` in hex.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

CHECK_EVERY = 4096  # candidates between two looks at the clock


class Unsolved(RuntimeError):
    """No solution in the challenge's range, or none found in the time allowed."""


def difficulty(challenge: Any) -> int:
    """The challenge's difficulty in the portal's own terms: ``maxnumber`` (v1) or ``cost`` (v2)."""
    if isinstance(challenge, dict) and isinstance(challenge.get("parameters"), dict):
        return int(challenge["parameters"]["cost"])
    return int(challenge["maxnumber"])


def solve(challenge: Any, *, timeout_s: float) -> str:
    """The base64 payload for ``captcha-verify/``; ``Unsolved`` past ``timeout_s``. ``KeyError``, ``TypeError`` or
    ``ValueError`` for a challenge of another shape."""
    deadline, started = time.monotonic() + timeout_s, time.monotonic()
    if isinstance(challenge.get("parameters"), dict):
        counter, key = _solve_v2(challenge["parameters"], deadline)
        took = round((time.monotonic() - started) * 1000)
        payload: dict[str, Any] = {
            "challenge": challenge,
            "solution": {"counter": counter, "derivedKey": key, "time": took},
        }
    else:
        number = _solve_v1(challenge, deadline)
        payload = {
            "algorithm": challenge["algorithm"],
            "challenge": challenge["challenge"],
            "number": number,
            "salt": challenge["salt"],
            "signature": challenge["signature"],
            "took": round((time.monotonic() - started) * 1000),
        }
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _solve_v1(challenge: dict[str, Any], deadline: float) -> int:
    if challenge["algorithm"] != "SHA-256":
        raise ValueError(f"unsupported ALTCHA algorithm {challenge['algorithm']}")
    target, salt = bytes.fromhex(challenge["challenge"]), challenge["salt"].encode()
    for number in range(int(challenge["maxnumber"]) + 1):
        if hashlib.sha256(salt + str(number).encode()).digest() == target:
            return number
        if number % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise Unsolved(f"no solution by number {number} of {challenge['maxnumber']} in the time allowed")
    raise Unsolved("the challenge has no solution up to its maxnumber")


def _solve_v2(parameters: dict[str, Any], deadline: float) -> tuple[int, str]:
    if parameters["algorithm"] != "SHA-256":
        raise ValueError(f"unsupported ALTCHA algorithm {parameters['algorithm']}")
    prefix, length, rounds = str(parameters["keyPrefix"]), int(parameters["keyLength"]), max(1, int(parameters["cost"]))
    start = bytes.fromhex(parameters["salt"]) + bytes.fromhex(parameters["nonce"])
    counter = 0
    while counter < 2**32:
        key = start + counter.to_bytes(4, "big")
        for _ in range(rounds):
            key = hashlib.sha256(key).digest()
        derived = key[:length].hex()
        if derived.startswith(prefix):
            return counter, derived
        counter += 1
        if counter % max(1, CHECK_EVERY // rounds) == 0 and time.monotonic() > deadline:
            raise Unsolved(f"no solution by counter {counter} in the time allowed")
    raise Unsolved("the challenge has no solution")

"""ALTCHA proof-of-work challenges and the captcha token (docs/portal.md, "Captcha").

- v1: ``{"algorithm","challenge","maxnumber","salt","signature"}``; solved by the ``number`` with
  ``sha256_hex(salt + str(number)) == challenge``.
- v2 (the fixture ``GET_captcha_challenge.json`` shape): ``{"parameters":{…},"signature"}``; a counter is a
  solution when ``hex(key)`` starts with ``keyPrefix``, where the key is the first ``keyLength`` bytes of
  SHA-256 applied ``cost`` times to ``salt_bytes ‖ nonce_bytes ‖ uint32_be(counter)`` (salt and nonce are
  hex strings, hex-decoded). This is what the official ALTCHA v2 libraries do for ``SHA-256``.

Challenges are signed with HMAC-SHA256 under the replica's secret so ``captcha-verify`` can trust them
without storing them. A verified solution yields an HS256 JWT ``{ip, iat, exp=iat+ttl}`` bound to the client IP.

The difficulty (``maxnumber`` in v1, ``cost`` in v2) follows the city's captcha service (it-at-m/captchaservice,
``DifficultyService``): each challenge is a visit of the client's network (its address masked to a net size),
counted over a sliding window; the step with the highest "from visit N" that the visit reaches sets the
difficulty, and a visit below every step gets the fallback. Verifying resets nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from . import jwt_hs256


@dataclass(frozen=True)
class CaptchaParams:
    secret: str
    v2_key_prefix: str = "00"
    challenge_ttl: int = 600
    token_ttl: int = 300


@dataclass(frozen=True)
class DifficultyRules:
    """captchaservice's difficulty map: ``steps`` are (from visit N, difficulty), N counting this visit."""

    steps: tuple[tuple[int, int], ...] = ((1, 1000), (10, 10000))  # the service's documented example
    fallback: int = 1_000_000
    window_s: float = 1800.0
    ipv4_net_size: int = 32
    ipv6_net_size: int = 128

    def for_visit(self, earlier: int) -> int:
        """The difficulty of a visit after ``earlier`` visits in the window."""
        for from_visit, difficulty in sorted(self.steps, reverse=True):
            if from_visit - 1 <= earlier:
                return difficulty
        return self.fallback

    def network(self, ip: str) -> str:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return ip
        size = self.ipv4_net_size if address.version == 4 else self.ipv6_net_size
        return str(ipaddress.ip_network(f"{address}/{size}", strict=False))


@dataclass
class Visits:
    """Challenge visits per client network, each forgotten ``window_s`` after it was made."""

    rules: DifficultyRules
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def difficulty(self, ip: str, now: float) -> int:
        """Count this visit and answer the difficulty it gets."""
        seen = self._seen.setdefault(self.rules.network(ip), deque())
        while seen and seen[0] <= now - self.rules.window_s:
            seen.popleft()
        difficulty = self.rules.for_visit(len(seen))
        seen.append(now)
        return difficulty


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _canonical(parameters: dict[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True, separators=(",", ":"))


def new_challenge(version: str, params: CaptchaParams, now: float, *, difficulty: int) -> dict[str, Any]:
    """A signed challenge: ``difficulty`` is its ``maxnumber`` (v1) or ``cost`` (v2)."""
    if version == "v1":
        expires = int(now) + params.challenge_ttl
        salt = f"{secrets.token_hex(12)}?expires={expires}"
        number = secrets.randbelow(difficulty + 1)
        challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
        return {
            "algorithm": "SHA-256",
            "challenge": challenge,
            "maxnumber": difficulty,
            "salt": salt,
            "signature": _sign(params.secret, challenge),
        }
    parameters: dict[str, Any] = {
        "algorithm": "SHA-256",
        "nonce": secrets.token_hex(32),
        "salt": secrets.token_hex(12),
        "cost": difficulty,
        "keyLength": 32,
        "keyPrefix": params.v2_key_prefix,
        "keySignature": None,
        "memoryCost": None,
        "parallelism": None,
        "expiresAt": int(now) + params.challenge_ttl,
        "data": None,
    }
    return {"parameters": parameters, "signature": _sign(params.secret, _canonical(parameters))}


def derive_key_v2(parameters: dict[str, Any], counter: int) -> bytes:
    data = bytes.fromhex(str(parameters["salt"])) + bytes.fromhex(str(parameters["nonce"])) + counter.to_bytes(4, "big")
    for _ in range(max(1, int(parameters["cost"]))):
        data = hashlib.sha256(data).digest()
    return data[: int(parameters["keyLength"])]


def solve_v1(challenge: dict[str, Any]) -> int | None:
    """Brute-force a v1 challenge (for tests and demo clients)."""
    for number in range(int(challenge["maxnumber"]) + 1):
        if hashlib.sha256(f"{challenge['salt']}{number}".encode()).hexdigest() == challenge["challenge"]:
            return number
    return None


def solve_v2(challenge: dict[str, Any], limit: int = 1_000_000) -> tuple[int, str]:
    """Brute-force a v2 challenge: the first counter whose key has the prefix, and that key in hex."""
    parameters = challenge["parameters"]
    for counter in range(limit):
        key = derive_key_v2(parameters, counter).hex()
        if key.startswith(str(parameters["keyPrefix"])):
            return counter, key
    raise ValueError("no solution within limit")


def decode_payload(payload: str) -> dict[str, Any] | None:
    try:
        text = payload.replace("-", "+").replace("_", "/")
        data = json.loads(base64.b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def verify_solution(data: dict[str, Any], params: CaptchaParams, now: float) -> bool:
    try:
        if "solution" in data:
            return _verify_v2(data, params, now)
        return _verify_v1(data, params, now)
    except (KeyError, TypeError, ValueError):
        return False


def _verify_v1(data: dict[str, Any], params: CaptchaParams, now: float) -> bool:
    challenge, salt = str(data["challenge"]), str(data["salt"])
    if not hmac.compare_digest(_sign(params.secret, challenge), str(data["signature"])):
        return False
    if "?expires=" in salt and int(salt.split("?expires=", 1)[1].split("&")[0]) < now:
        return False
    return hashlib.sha256(f"{salt}{int(data['number'])}".encode()).hexdigest() == challenge


def _verify_v2(data: dict[str, Any], params: CaptchaParams, now: float) -> bool:
    challenge, solution = data["challenge"], data["solution"]
    parameters = challenge["parameters"]
    if not hmac.compare_digest(_sign(params.secret, _canonical(parameters)), str(challenge["signature"])):
        return False
    if parameters.get("expiresAt") is not None and int(parameters["expiresAt"]) < now:
        return False
    key = derive_key_v2(parameters, int(solution["counter"])).hex()
    return key.startswith(str(parameters["keyPrefix"])) and key == str(solution["derivedKey"]).lower()


def issue_token(ip: str, params: CaptchaParams, now: float) -> str:
    iat = int(now)
    return jwt_hs256.encode({"ip": ip, "iat": iat, "exp": iat + params.token_ttl}, params.secret)


def check_token(token: str | None, ip: str, params: CaptchaParams, now: float) -> str | None:
    """None when the token is good for ``ip``; else the error key (captchaMissing/Invalid/Expired)."""
    if not token:
        return "captchaMissing"
    claims = jwt_hs256.decode(token, params.secret)
    if claims is None or claims.get("ip") != ip:
        return "captchaInvalid"
    if not isinstance(claims.get("exp"), int) or claims["exp"] < now:
        return "captchaExpired"
    return None

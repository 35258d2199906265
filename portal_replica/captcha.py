"""ALTCHA proof-of-work challenges and the captcha token (docs/portal.md, "Captcha").

- v1: ``{"algorithm","challenge","maxnumber","salt","signature"}``; solved by the ``number`` with
  ``sha256_hex(salt + str(number)) == challenge``.
- v2 (the fixture ``GET_captcha_challenge.json`` shape): ``{"parameters":{…},"signature"}``; a counter is a
  solution when ``hex(key)`` starts with ``keyPrefix``, where the key is the first ``keyLength`` bytes of
  SHA-256 applied ``cost`` times to ``salt_bytes ‖ nonce_bytes ‖ uint32_be(counter)`` (salt and nonce are
  hex strings, hex-decoded). This is what the official ALTCHA v2 libraries do for ``SHA-256``.

Challenges are signed with HMAC-SHA256 under the replica's secret so ``captcha-verify`` can trust them
without storing them. A verified solution yields an HS256 JWT ``{ip, iat, exp=iat+ttl}`` bound to the client IP.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from . import jwt_hs256


@dataclass(frozen=True)
class CaptchaParams:
    secret: str
    v1_max_number: int = 5000
    v2_cost: int = 8
    v2_key_prefix: str = "00"
    challenge_ttl: int = 600
    token_ttl: int = 300


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _canonical(parameters: dict[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True, separators=(",", ":"))


def new_challenge(version: str, params: CaptchaParams, now: float) -> dict[str, Any]:
    if version == "v1":
        expires = int(now) + params.challenge_ttl
        salt = f"{secrets.token_hex(12)}?expires={expires}"
        number = secrets.randbelow(params.v1_max_number + 1)
        challenge = hashlib.sha256(f"{salt}{number}".encode()).hexdigest()
        return {
            "algorithm": "SHA-256",
            "challenge": challenge,
            "maxnumber": params.v1_max_number,
            "salt": salt,
            "signature": _sign(params.secret, challenge),
        }
    parameters: dict[str, Any] = {
        "algorithm": "SHA-256",
        "nonce": secrets.token_hex(32),
        "salt": secrets.token_hex(12),
        "cost": params.v2_cost,
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

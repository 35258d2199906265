"""Who may call what: the operator's bearer token (or the review pages' cookie), and users' signed links.

- Operator endpoints need ``Authorization: Bearer <MTA_API_TOKEN>``: none gives 401, a wrong one 403. The review
  pages log in once with the token and then carry a signed, HttpOnly, SameSite=Strict session cookie instead.
- In demo mode without a token every operator endpoint is open; outside demo mode the service refuses to start
  with an empty or placeholder token (``require_safe_token``).
- A Telegram user reaches only their own data through ``/me/<token>``, a link the bot signs (``core.links``).
- Wrong tokens, logins and links are counted per client; too many get 429 for a while (``api.guesses``).
"""

from __future__ import annotations

import hmac
import math
import time
from collections import Counter
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.guesses import Guesses
from core.links import expiry, read_user_token, sign, verify
from core.settings import Settings

SESSION_COOKIE = "mta_session"
SESSION_TTL_S = 12 * 3600
MIN_TOKEN_LENGTH = 16
MIN_TOKEN_BITS = 64  # secrets.token_urlsafe(16) scores 70 or more by this estimate, token_urlsafe(32) about 220
PLACEHOLDER_WORDS = ("change", "placeholder", "replace", "example", "secret", "token", "password", "dummy")

bearer = HTTPBearer(
    auto_error=False, scheme_name="operator", description="The operator token, `MTA_API_TOKEN`, as a bearer token"
)


class InsecureSettings(RuntimeError):
    """The API would run without real protection outside demo mode."""


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot protect the operator endpoints, or None when it can."""
    if not token.strip():
        return "MTA_API_TOKEN is empty"
    if len(token) < MIN_TOKEN_LENGTH:
        return f"MTA_API_TOKEN is shorter than {MIN_TOKEN_LENGTH} characters"
    if token_bits(token) < MIN_TOKEN_BITS or any(word in token.lower() for word in PLACEHOLDER_WORDS):
        return f"MTA_API_TOKEN looks like a placeholder (about {token_bits(token):.0f} bits; random text has more)"
    return None


def token_bits(token: str) -> float:
    """An estimate of a token's strength: its length times the Shannon entropy of its characters. Repeated
    characters and short alphabets ("1234567890123456", "munich2024munich") score low; random text scores high."""
    counts = Counter(token)
    per_char = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return len(token) * per_char


def require_safe_token(settings: Settings) -> None:
    """Refuse to serve outside demo mode unless the operator token is set and not a placeholder."""
    if settings.demo:
        return
    token = settings.api_token.get_secret_value() if settings.api_token else ""
    if problem := token_problem(token):
        raise InsecureSettings(
            f"{problem}: set it to a long random value, e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`, or set MTA_DEMO=1 to run the open demo"
        )


def _link_key(request: Request) -> bytes:
    key: bytes = request.app.state.link_key
    return key


def guesses(request: Request) -> Guesses:
    counted: Guesses = request.app.state.guesses
    return counted


def _token(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.api_token.get_secret_value() if settings.api_token else ""


def new_session(key: bytes) -> str:
    expires = expiry(SESSION_TTL_S, step_s=1)
    return f"{expires}.{sign(key, 'session', expires)}"


def valid_session(key: bytes, value: str | None) -> bool:
    expires, _, signature = (value or "").partition(".")
    return (
        expires.isascii()
        and expires.isdigit()
        and verify(key, signature, "session", int(expires))
        and int(expires) > time.time()
    )


def csrf_token(key: bytes, session: str | None) -> str:
    """The hidden form field that proves a POST came from our own page."""
    return sign(key, "csrf", session or "open")


def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    """The operator, or 401 (no credentials) / 403 (a wrong token)."""
    token = _token(request)
    if not token:
        return "demo"
    if credentials is not None:
        guesses(request).refuse_if_blocked(request)
        if hmac.compare_digest(credentials.credentials.encode(), token.encode()):
            return "operator"
        guesses(request).wrong(request)
        raise HTTPException(403, "wrong bearer token")
    if valid_session(_link_key(request), request.cookies.get(SESSION_COOKIE)):
        return "operator"
    raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})


# The dependencies below are ``async`` though they never wait: FastAPI runs a plain ``def`` dependency in its
# thread pool, a hop per dependency per request that costs more than the check itself.


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def operator(request: Request, credentials: Credentials) -> str:
    return authenticate(request, credentials)


async def page_operator(request: Request, credentials: Credentials) -> str:
    """Like ``operator``, but a browser without a session is sent to the login page."""
    try:
        return authenticate(request, credentials)
    except HTTPException as exc:
        if exc.status_code != 401:
            raise
        here = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        raise HTTPException(303, "log in first", headers={"Location": f"/review/login?next={here}"}) from exc


async def link_user(
    request: Request,
    token: Annotated[str, Path(max_length=128, description="The signed token of the link the bot sent")],
) -> int:
    """The user a ``/me/<token>`` link was signed for, or 403 when it is forged or expired."""
    guesses(request).refuse_if_blocked(request)
    user = read_user_token(_link_key(request), token)
    if user is None:
        guesses(request).wrong(request)
        raise HTTPException(403, "this link is invalid or has expired; ask the bot for a new one")
    return user


OperatorDep = Annotated[str, Depends(operator)]
PageOperatorDep = Annotated[str, Depends(page_operator)]
LinkUserDep = Annotated[int, Depends(link_user)]

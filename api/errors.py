"""Error responses as the OpenAPI document describes them, and 422s in FastAPI's own validation shape."""

from __future__ import annotations

import math
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.schemas import ErrorOut

DESCRIPTIONS = {
    400: "The body is not JSON",
    401: "No credentials: send `Authorization: Bearer <MTA_API_TOKEN>`",
    403: "Wrong token, or a forged or expired signed link",
    404: "No such resource, or not yours",
    409: "The resource is not in a state that allows this",
    429: "Too many wrong tokens or links from this client: try again after `Retry-After` seconds",
    503: "A dependency (portal catalogue, Redis) is unavailable",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut, "description": DESCRIPTIONS[code]} for code in codes}


OPERATOR_ERRORS = error_responses(401, 403, 429)


def invalid(location: tuple[str | int, ...], message: str, value: Any) -> RequestValidationError:
    """A 422 for a value that is well-formed but not acceptable (an unknown service, say)."""
    return RequestValidationError([{"type": "value_error", "loc": location, "msg": message, "input": value}])


async def unprocessable(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, with inputs JSON cannot carry (NaN, Infinity, a number too large for a float) as text: the
    default handler answered those with a 500."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, status_code=422)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value

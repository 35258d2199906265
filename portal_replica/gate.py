"""The request path of every citizen API call: faults, blacklist, rate limiter, routing, request log.

Order: 429 storm → maintenance → outage (503 / hang) → IP blacklist → rate limiter → route → malformed
body. Storm, maintenance, outage and blacklist answers are not counted by the limiter; everything that
reaches the limiter is counted, including the catch-all 404 ``notFound`` (the city's middleware runs
before routing). Every answer is written to the request log with its arrival; a hanging request whose client
gave up ends there, as behind a proxy that closes the upstream then (status 499, nginx's "client closed").
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from . import citizen
from .errors import ApiError, error_body, error_response, json_response
from .replica import Replica
from .scenario import MALFORMED_HTML, MALFORMED_JSON

API_PREFIX = "/buergeransicht/api/citizen/"
PAGE_PATH = "/buergerservice/terminvereinbarung.html"


def client_ip(request: Request) -> str:
    """The peer address; the replica does not read Client-IP / X-Forwarded-For (clients must not set them)."""
    return request.client.host if request.client else "unknown"


CLIENT_CLOSED = 499


async def handle_api(request: Request) -> Response:
    replica: Replica = request.app.state.replica
    ip, arrived = client_ip(request), replica.now()
    response = await _answer(request, replica, ip)
    replica.record(request.method, request.url.path, request.url.query, response.status_code, ip, arrived=arrived)
    return response


async def _answer(request: Request, replica: Replica, ip: str) -> Response:
    faults = replica.faults
    if faults.storm_until > replica.now():
        return _rate_limited()
    if faults.maintenance:
        return error_response("serviceUnavailable")
    if faults.outage == "hang" and (ended := await _hang(request, replica)) is not None:
        return ended
    if faults.outage == "503":  # also for a request that hung until the portal began to answer 503
        return error_response("zmsClientCommunicationError")
    if replica.faults.is_blacklisted(ip):
        return error_response("ipBlacklisted")
    decision = replica.limiter.hit(ip, replica.now())
    if not decision.allowed:
        return _rate_limited()
    response = await _dispatch(request, replica, ip)
    if replica.faults.malformed is not None:
        response = _malformed(replica.faults.malformed)
    response.headers.update(decision.headers)
    return response


async def _hang(request: Request, replica: Replica) -> Response | None:
    """Wait while the outage mode is ``hang``: None when it ended, else the answer that ends the request (a 503
    when the cap ran out, 499 when the client went away)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + replica.config.hang_cap_seconds
    while replica.faults.outage == "hang":
        if loop.time() >= deadline:
            return error_response("zmsClientCommunicationError")
        if await request.is_disconnected():
            return Response(status_code=CLIENT_CLOSED)
        await asyncio.sleep(0.02)
    return None


def _rate_limited() -> Response:
    status, body = error_body(["rateLimitExceeded"])
    return JSONResponse(body, status_code=status, media_type="application/json")


def _malformed(kind: str) -> Response:
    if kind == "html":
        return HTMLResponse(MALFORMED_HTML)
    return json_response(MALFORMED_JSON)


async def _dispatch(request: Request, replica: Replica, ip: str) -> Response:
    path = request.url.path[len(API_PREFIX) :]
    handler = citizen.route(replica.generation, request.method, path)
    if handler is None:
        return error_response("notFound")
    call = citizen.Call(
        replica=replica,
        ip=ip,
        query=dict(request.query_params),
        body=await _json_body(request) if request.method == "POST" else None,
        page_url=replica.config.page_url or str(request.base_url).rstrip("/") + PAGE_PATH,
    )
    try:
        return json_response(handler(call))
    except ApiError as error:
        return error_response(*error.keys)


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None

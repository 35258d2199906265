"""The farm's health as the operator sees it: the portal (breaker, state, budget) and the workers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from fastapi import APIRouter, Depends, HTTPException

from api.auth import operator
from api.deps import RedisDep, SettingsDep
from api.errors import OPERATOR_ERRORS, error_responses
from api.schemas import PortalOut, WorkerOut
from core.budget import read_budget
from core.heartbeats import read_heartbeats
from core.portal_state import breaker_state, decode_portal_state, page_failures, portal_state_key
from core.settings import Settings

router = APIRouter(
    tags=["farm"], dependencies=[Depends(operator)], responses={**OPERATOR_ERRORS, **error_responses(503)}
)


@contextmanager
def redis_needed() -> Iterator[None]:
    try:
        yield
    except redis.RedisError as exc:
        raise HTTPException(503, f"redis is unreachable: {exc}") from exc


def portal_out(client: redis.Redis, settings: Settings) -> PortalOut:
    portal = settings.portal
    breaker = breaker_state(client, portal)
    return PortalOut(
        portal=portal,
        breaker=breaker if breaker in ("open", "half-open") else "closed",
        state=decode_portal_state(client.get(portal_state_key(portal)), breaker=breaker),
        budget=read_budget(client, portal),
        page_failures=(failures := page_failures(client, portal)),
        page="changed" if failures >= settings.page_changed_after else "ok",
    )


def workers_out(client: redis.Redis) -> list[WorkerOut]:
    return [WorkerOut.model_validate(beat) for beat in read_heartbeats(client)]


@router.get("/portal", response_model=PortalOut)
def get_portal(client: RedisDep, settings: SettingsDep) -> PortalOut:
    """The shared breaker, the portal's state as the workers last saw it, and the request budget."""
    with redis_needed():
        return portal_out(client, settings)


@router.get("/workers", response_model=list[WorkerOut])
def list_workers(client: RedisDep) -> list[WorkerOut]:
    """Every worker process heard from in the last day; ``alive`` while it beat within 90 s."""
    with redis_needed():
        return workers_out(client)

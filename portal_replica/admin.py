"""Scenario control under ``/__replica__/`` (plain JSON; the same as the ``Replica`` methods).

- ``POST /__replica__/slots/open``   ``{"officeId","serviceId","timestamps":[unix…]}`` or
  ``{"officeId","serviceId","date":"YYYY-MM-DD","times":["09:00",…]}`` (Munich time) → ``{"opened":[unix…]}``;
  400 when the office does not offer the service.
- ``POST /__replica__/slots/close``  ``{"officeId"?,"serviceId"?,"timestamps"?}`` (missing = all) → ``{"closed":n}``
- ``POST /__replica__/days/list``   ``{"officeId","serviceId","dates":["YYYY-MM-DD",…]}`` → ``{"listed":[…]}``:
  the day list names the office on those days although no time is free ("unverified" days: listed outside
  the slots window, dropped inside it); 400 when the office does not offer the service.
- ``POST /__replica__/days/unlist`` ``{"officeId"?,"serviceId"?}`` (missing = all) → ``{"unlisted":n}``
- ``POST /__replica__/scenario``     any of ``{"outage":"503"|"hang"|null, "maintenance":bool,
  "blacklist":["10.0.0.0/8"|"*"…], "malformed":"html"|"json"|null, "stormSeconds":n,
  "generation":"calendar"|"legacy", "captchaVersion":"v1"|"v2",
  "limiter":{"enabled","maxRequests","silenceSeconds"}}`` → state
- ``POST /__replica__/clock/advance`` ``{"seconds":n}`` → ``{"now":unix}``
- ``POST /__replica__/reset`` → state;  ``GET /__replica__/state``
- ``GET /__replica__/requests`` → ``[{"time","method","path","query","status","ip"}…]``
- ``GET /__replica__/counters`` → ``{"requests","rateLimited","rateLimitedRequests","captchaChallenges"}``
- ``GET /__replica__/outbox`` → ``[{"kind","to","subject","body","link","processId","sentAt"}…]``
- ``GET /__replica__/processes`` → ``[{"processId","authKey","officeId","serviceIds","timestamp","status",…}…]``

From another thread than the server's (a uvicorn thread in tests), prefer these routes over calling the
``Replica`` methods directly.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from .config import CaptchaVersion, Generation
from .replica import Replica
from .scenario import Malformed, Outage

router = APIRouter(prefix="/__replica__")


def _replica(request: Request) -> Replica:
    replica: Replica = request.app.state.replica
    return replica


ReplicaDep = Annotated[Replica, Depends(_replica)]


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class OpenSlots(_Camel):
    office_id: int = Field(alias="officeId")
    service_id: int = Field(alias="serviceId")
    timestamps: list[int] = []
    date: str | None = None
    times: list[str] = []


class CloseSlots(_Camel):
    office_id: int | None = Field(default=None, alias="officeId")
    service_id: int | None = Field(default=None, alias="serviceId")
    timestamps: list[int] | None = None


class ListDays(_Camel):
    office_id: int = Field(alias="officeId")
    service_id: int = Field(alias="serviceId")
    dates: list[str]


class UnlistDays(_Camel):
    office_id: int | None = Field(default=None, alias="officeId")
    service_id: int | None = Field(default=None, alias="serviceId")


class LimiterSettings(_Camel):
    enabled: bool | None = None
    max_requests: int | None = Field(default=None, alias="maxRequests")
    silence_seconds: float | None = Field(default=None, alias="silenceSeconds")


class Scenario(_Camel):
    outage: Outage | None = None
    maintenance: bool | None = None
    blacklist: list[str] | None = None
    malformed: Malformed | None = None
    storm_seconds: float | None = Field(default=None, alias="stormSeconds")
    generation: Generation | None = None
    captcha_version: CaptchaVersion | None = Field(default=None, alias="captchaVersion")
    limiter: LimiterSettings | None = None


class Advance(BaseModel):
    seconds: float


@router.get("/state")
def state(replica: ReplicaDep) -> dict[str, Any]:
    return replica.state()


@router.post("/slots/open")
def open_slots(body: OpenSlots, replica: ReplicaDep) -> dict[str, Any]:
    try:
        opened = replica.open_slots(body.office_id, body.service_id, body.timestamps, day=body.date, times=body.times)
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from error
    return {"opened": opened}


@router.post("/slots/close")
def close_slots(body: CloseSlots, replica: ReplicaDep) -> dict[str, Any]:
    return {"closed": replica.close_slots(body.office_id, body.service_id, body.timestamps)}


@router.post("/days/list")
def list_days(body: ListDays, replica: ReplicaDep) -> dict[str, Any]:
    try:
        listed = replica.list_days(body.office_id, body.service_id, body.dates)
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from error
    return {"listed": listed}


@router.post("/days/unlist")
def unlist_days(body: UnlistDays, replica: ReplicaDep) -> dict[str, Any]:
    return {"unlisted": replica.unlist_days(body.office_id, body.service_id)}


@router.post("/scenario")
def set_scenario(body: Scenario, replica: ReplicaDep) -> dict[str, Any]:
    """Only the fields present in the body change; ``"outage": null`` / ``"malformed": null`` end them."""
    given = body.model_fields_set
    changes: dict[str, Any] = {
        name: getattr(body, name) for name in given if name not in ("limiter", "outage", "malformed")
    }
    replica.set_scenario(**changes)
    if "outage" in given:
        replica.set_scenario(outage=body.outage)
    if "malformed" in given:
        replica.set_scenario(malformed=body.malformed)
    if body.limiter is not None:
        replica.set_limiter(
            max_requests=body.limiter.max_requests,
            silence_seconds=body.limiter.silence_seconds,
            enabled=body.limiter.enabled,
        )
    return replica.state()


@router.post("/clock/advance")
def advance_clock(body: Advance, replica: ReplicaDep) -> dict[str, Any]:
    return {"now": replica.advance_clock(body.seconds)}


@router.post("/reset")
def reset(replica: ReplicaDep) -> dict[str, Any]:
    replica.reset()
    return replica.state()


@router.get("/requests")
def requests(replica: ReplicaDep) -> list[dict[str, Any]]:
    return replica.requests()


@router.get("/counters")
def counters(replica: ReplicaDep) -> dict[str, Any]:
    return replica.counters()


@router.get("/outbox")
def outbox(replica: ReplicaDep) -> list[dict[str, Any]]:
    return replica.mails()


@router.get("/processes")
def processes(replica: ReplicaDep) -> list[dict[str, Any]]:
    return replica.processes()

"""Request and response models of the control API, with the examples the OpenAPI document shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

INT32 = 2**31 - 1
INT64 = 2**63 - 1
WHEN = "2030-03-04T08:00:05Z"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SIGNED = "http://127.0.0.1:8000/evidence/7?exp=1900000000&sig=q2t5mhM8m3bmwzYV2bT2Vg"

BodyId = Annotated[int, Field(strict=True, ge=1, le=INT32)]  # JSON numbers only: no booleans, no numeric text
Outcome = Literal["slots", "no_slots", "error"]
Verdict = Literal["confirmed", "false_positive"]


def _iso_text(value: Any) -> Any:
    """Dates and times come as ISO 8601 text; pydantic's lax mode would also read numbers as Unix times."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("expected ISO 8601 text, not a number")
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    """Naive times are UTC; a time that cannot be expressed in UTC is invalid, not a server error."""
    try:
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except OverflowError as exc:
        raise ValueError("the time is outside the representable range") from exc


def _not_a_number(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdecimal():
        raise ValueError("expected an ISO 8601 date-time, not a number")
    return _iso_text(value)


UTCTime = Annotated[dt.datetime, BeforeValidator(_not_a_number), AfterValidator(_utc)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]
IsoTime = Annotated[dt.time, BeforeValidator(_iso_text)]


class ErrorOut(BaseModel):
    detail: str = Field(examples=["no check 42"])


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int = Field(
        strict=True, ge=-INT64, le=INT64, description="Telegram chat id of the subscriber", examples=[123456789]
    )
    service_id: BodyId = Field(description="The portal's service id", examples=[1063475])
    office_ids: list[BodyId] = Field(
        min_length=1, max_length=50, description="The portal's office ids", examples=[[10489]]
    )
    date_from: IsoDate | None = Field(None, examples=["2030-03-01"])
    date_to: IsoDate | None = Field(None, examples=["2030-03-31"])
    weekdays: list[Annotated[int, Field(strict=True, ge=0, le=6)]] | None = Field(
        None, max_length=7, description="Monday=0 … Sunday=6", examples=[[0, 1, 4]]
    )
    time_from: IsoTime | None = Field(None, examples=["08:00:00"])
    time_to: IsoTime | None = Field(None, examples=["12:00:00"])


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "user_id": 123456789,
                    "service_id": 1063475,
                    "office_ids": [10489],
                    "active": True,
                    "created_at": WHEN,
                }
            ]
        }
    )

    id: int
    user_id: int
    service_id: int
    office_ids: list[int]
    active: bool
    created_at: dt.datetime


class TargetOut(BaseModel):
    """An (office, service) pair the farm asks the portal about."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    service_id: int = Field(examples=[1063475])
    office_id: int = Field(examples=[10489])
    created_at: dt.datetime
    mean_check_interval_s: float | None = Field(
        None, description="Mean seconds between two checks under the farm's current plan", examples=[7.7]
    )


class EvidenceOut(BaseModel):
    """A file that proves what a check saw; ``url`` and ``thumbnail_url`` are signed and expire."""

    id: int
    kind: str = Field(examples=["screenshot"], description="screenshot | thumbnail | raw_json | raw_body")
    content_type: str = Field(examples=["image/png"])
    sha256: str = Field(examples=[SHA])
    size: int = Field(examples=[183204])
    created_at: dt.datetime
    url: str = Field(examples=[SIGNED])
    thumbnail_url: str | None = Field(None, description="A small JPEG of a screenshot's top", examples=[None])


class CheckOut(BaseModel):
    """One look at the portal for one target and what came of it, with its evidence and review."""

    id: int = Field(examples=[42])
    target_id: int = Field(examples=[1])
    started_at: dt.datetime = Field(examples=[WHEN])
    finished_at: dt.datetime | None = Field(examples=["2030-03-04T08:00:09Z"])
    outcome: Outcome
    error: str | None = Field(examples=[None])
    render_error: str | None = Field(None, examples=[None], description="Why the evidence screenshot was not made")
    slot_count: int = Field(examples=[2])
    request_url: str | None = Field(examples=["https://portal/api/citizen/available-calendar/?officeId=10489"])
    worker: str | None = Field(examples=["worker@farm1:4242"], description="hostname:pid of the process")
    screenshot_url: str | None = Field(examples=[SIGNED], description="Signed URL of the screenshot, no auth needed")
    thumbnail_url: str | None = Field(examples=[None])
    verdict: Verdict | None = Field(examples=["confirmed"])
    reviewed_by: str | None = Field(examples=["anna"])
    reviewed_at: dt.datetime | None = Field(examples=["2030-03-04T09:12:00Z"])
    evidence: list[EvidenceOut]


class MyCheckOut(BaseModel):
    """A finding as its subscriber sees it (``/me``): what was found and its proof, nothing of the farm's
    workings (request URLs carry the farm's captcha token; workers and reviewers are the operator's)."""

    id: int = Field(examples=[42])
    target_id: int = Field(examples=[1])
    started_at: dt.datetime = Field(examples=[WHEN])
    outcome: Outcome
    slot_count: int = Field(examples=[2])
    screenshot_url: str | None = Field(examples=[SIGNED], description="Signed URL of the screenshot, no auth needed")
    thumbnail_url: str | None = Field(examples=[None])


class CheckPage(BaseModel):
    """One page of checks, newest first; pass ``next_cursor`` as ``cursor`` for the next, older page."""

    items: list[CheckOut]
    next_cursor: int | None = Field(examples=[41], description="None on the last page")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    reviewer: str = Field(
        min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$", description="Who judged", examples=["anna"]
    )


class SlotOut(BaseModel):
    """One appearance of a free time: first seen, last seen, and gone (None while still open)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    target_id: int
    office_id: int = Field(examples=[10489])
    starts_at: dt.datetime = Field(examples=["2030-03-05T08:00:00Z"])
    first_seen_at: dt.datetime = Field(examples=[WHEN])
    last_seen_at: dt.datetime = Field(examples=["2030-03-04T08:03:05Z"])
    gone_at: dt.datetime | None = Field(examples=[None])
    check_id: int = Field(description="The check that first saw it")


class PortalOut(BaseModel):
    """The farm's view of the portal: the shared breaker, the portal's state, and the request budget."""

    portal: str = Field(examples=["www48.muenchen.de"])
    breaker: Literal["closed", "open", "half-open"] = Field(examples=["closed"])
    state: str = Field(examples=["up"], description="up | down | blocked | changed, as the workers last saw it")
    budget: dict[str, str] = Field(
        examples=[{"count": "12", "last": "1900000000.5", "blocked_until": "0"}],
        description="The shared request budget as the workers keep it (core.budget), empty before the first request",
    )
    page_failures: int = Field(
        0,
        examples=[0],
        description="Evidence renders of the booking page that failed in a row (its last: a check's render_error)",
    )
    page: Literal["ok", "changed"] = Field(
        "ok", examples=["ok"], description="changed: so many renders failed in a row that the page seems changed"
    )


class WorkerOut(BaseModel):
    """A worker process as its heartbeats describe it."""

    model_config = ConfigDict(from_attributes=True)

    worker: str = Field(examples=["worker@farm1:4242"])
    seen_at: dt.datetime = Field(examples=[WHEN])
    alive: bool
    browsers_open: int = Field(examples=[1])
    checks_done: int = Field(examples=[318])
    browser_error: str | None = Field(
        None,
        examples=[None],
        description="Why the worker's Chromium cannot start: the farm's failure, not the portal's",
    )


class HealthOut(BaseModel):
    status: Literal["ok"]


class ReadyOut(BaseModel):
    status: Literal["ready", "unavailable"]
    checks: dict[str, bool] = Field(examples=[{"database": True, "redis": True, "broker": True}])
    down: list[str] = Field(examples=[[]], description="What is unreachable")
    farm: list[str] = Field(
        [],
        examples=[["worker@farm1:4242: browser unavailable: Chromium not found at /usr/bin/chromium"]],
        description="The farm's own failures, which leave the API ready and the portal's state untouched",
    )

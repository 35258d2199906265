"""Request and response models of the control API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: int = Field(description="Telegram chat id of the subscriber", examples=[123456789])
    service_id: int = Field(gt=0, examples=[1063475])
    office_ids: list[int] = Field(min_length=1, max_length=50, examples=[[10489]])
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    weekdays: list[int] | None = Field(None, description="Monday=0 … Sunday=6")
    time_from: dt.time | None = None
    time_to: dt.time | None = None


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    service_id: int
    office_ids: list[int]
    active: bool
    created_at: dt.datetime


class TargetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    service_id: int
    office_id: int


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    content_type: str
    sha256: str
    size: int
    url: str


class CheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target_id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    error: str | None
    slot_count: int
    request_url: str | None
    worker: str | None
    screenshot_url: str | None
    evidence: list[EvidenceOut]


class SlotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target_id: int
    office_id: int
    starts_at: dt.datetime
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    gone_at: dt.datetime | None
    check_id: int

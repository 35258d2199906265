"""The database schema: who watches which target, what each check saw, and what was sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every database, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A Telegram chat that talks to the bot; its id is the chat id."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Target(Base):
    """One (office, service) pair the portal is asked about; one check serves all its subscribers."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("service_id", "office_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


subscription_targets = Table(
    "subscription_targets",
    Base.metadata,
    Column("subscription_id", ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True),
)


class Subscription(Base):
    """A user's wish: one service at some offices, within optional date, weekday and time filters."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    date_from: Mapped[dt.date | None] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date)
    weekdays: Mapped[str | None] = mapped_column(String(20))  # "0,1,4": Monday=0, as date.weekday()
    time_from: Mapped[dt.time | None] = mapped_column(Time)
    time_to: Mapped[dt.time | None] = mapped_column(Time)
    auto_book: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # book the first match
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="subscriptions")
    targets: Mapped[list[Target]] = relationship(secondary=subscription_targets)


class Check(Base):
    """One look at the portal for one target, and what came of it."""

    __tablename__ = "checks"
    __table_args__ = (
        Index("ix_checks_target_started", "target_id", "started_at"),
        Index("ix_checks_target_newest", "target_id", "id"),  # a target's checks, newest first, by cursor
        Index("ix_checks_outcome_newest", "outcome", "id"),  # the findings grid: outcome "slots", newest first
        UniqueConstraint("task_id", "target_id"),  # one coalesced request records one check per target
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    task_id: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(128))  # hostname:pid of the process that checked
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # slots | no_slots | error
    error: Mapped[str | None] = mapped_column(Text)
    slot_count: Mapped[int] = mapped_column(Integer, default=0)
    request_url: Mapped[str | None] = mapped_column(Text)
    render_error: Mapped[str | None] = mapped_column(Text)  # why the evidence screenshot could not be made
    verdict: Mapped[str | None] = mapped_column(String(16))  # confirmed | false_positive, by an operator
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="check", cascade="all, delete-orphan", passive_deletes=True
    )


class Slot(Base):
    """One appearance of a free appointment time: it opens, stays while seen, and goes."""

    __tablename__ = "slots"
    __table_args__ = (Index("ix_slots_target_gone", "target_id", "gone_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    office_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    gone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))


class Evidence(Base):
    """A file that proves what a check saw: the screenshot or the raw portal answer."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # screenshot | thumbnail | raw_json | raw_body
    path: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    check: Mapped[Check] = relationship(back_populates="evidence")


class Alert(Base):
    """One subscriber told of one slot appearance; unique, so a redelivered check never alerts twice."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("subscription_id", "slot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)  # or dropped: no longer true
    message_id: Mapped[int | None] = mapped_column(BigInteger)  # the chat's message that told it; None if dropped
    proof_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # its screenshot reached the chat


class Contact(Base):
    """The user's own name, e-mail and phone, which bookings give the portal; only ever for the user themself."""

    __tablename__ = "contacts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Booking(Base):
    """One appointment booked at the portal for a user, from a tap on an alert or automatically.

    ``status``: requested → booking (a task claimed it) → reserved → preconfirmed (the city sent its activation
    mail) → confirmed, or expired when not activated in time; or failed; cancelling → cancelled. ``active_key``
    is ``user:service`` while the booking is active and NULL otherwise: its unique constraint allows one active
    booking per user and service.
    """

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id", ondelete="SET NULL"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="SET NULL"))
    service_id: Mapped[int] = mapped_column(Integer)
    office_id: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(8))  # tap | auto
    status: Mapped[str] = mapped_column(String(16), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    process_id: Mapped[int | None] = mapped_column(BigInteger)
    auth_key: Mapped[str | None] = mapped_column(String(128))  # the portal's credential; needed to cancel
    email: Mapped[str | None] = mapped_column(String(254))  # the address the activation mail went to
    activation_minutes: Mapped[int | None] = mapped_column(Integer)
    screenshot_path: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    told: Mapped[str | None] = mapped_column(Text)  # the outcome (``status:error``) the user was last told of
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

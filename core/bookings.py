"""Bookings: requested by a tap on an alert or automatically, run by a worker, told to the user by the bot.

Only ever for the user themself: a booking carries the requesting user's own contact data, and a tap books
only a slot that user was alerted about. One active booking per user and service (``active_key`` is unique).
A worker claims a booking (``requested`` → ``booking``) in its own transaction before its first portal call,
so a redelivered or concurrent task finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.contacts import ContactData, get_contact
from core.models import Alert, Booking, Slot, Subscription, Target, User, utcnow
from core.subscriptions import Filters, filters_of

BOOKINGS_WAKE_KEY = "mta:bookings:wake"  # workers push here when a booking has an outcome; the bot waits on it
CANCELLABLE = ("reserved", "preconfirmed", "confirmed")
OUTCOMES = ("preconfirmed", "confirmed", "expired", "failed", "cancelled")  # what the user is told of
STALE_AFTER = dt.timedelta(minutes=10)  # a booking still unfinished after this was lost with its worker


class BookingRefused(Exception):
    """A booking the user may not request; ``reason`` is the bot's text key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BookingJob:
    """What a worker needs to book, as plain values."""

    booking_id: int
    user_id: int
    service_id: int
    office_id: int
    starts_at: dt.datetime
    contact: ContactData | None
    filters: Filters


@dataclass(frozen=True)
class BookingView:
    id: int
    service_id: int
    office_id: int
    starts_at: dt.datetime
    status: str
    error: str | None
    email: str | None = field(repr=False)
    process_id: int | None
    auth_key: str | None = field(repr=False)  # with process_id it opens the appointment: never in a repr
    activation_minutes: int | None
    screenshot_path: str | None

    @property
    def cancellable(self) -> bool:
        return self.status in CANCELLABLE


@dataclass(frozen=True)
class Outcome:
    """A booking's news for its user: the outcome key marks it told."""

    booking: BookingView
    chat_id: int
    language: str
    key: str


def _active_key(user_id: int, service_id: int) -> str:
    return f"{user_id}:{service_id}"


def _view(booking: Booking) -> BookingView:
    return BookingView(
        id=booking.id,
        service_id=booking.service_id,
        office_id=booking.office_id,
        starts_at=booking.starts_at,
        status=booking.status,
        error=booking.error,
        email=booking.email,
        process_id=booking.process_id,
        auth_key=booking.auth_key,
        activation_minutes=booking.activation_minutes,
        screenshot_path=booking.screenshot_path,
    )


def _insert(session: Session, booking: Booking) -> Booking | None:
    """Add ``booking`` unless its idempotency key or the user's active booking for the service is taken."""
    if session.scalar(
        select(Booking.id).where(
            or_(Booking.idempotency_key == booking.idempotency_key, Booking.active_key == booking.active_key)
        )
    ):
        return None
    try:
        with session.begin_nested():  # a concurrent request may win the race: only this insert rolls back
            session.add(booking)
            session.flush()
    except IntegrityError:
        return None
    return booking


def is_gone(slot: Slot, *, now: dt.datetime | None = None) -> bool:
    """Whether a slot can no longer be booked: a check saw it taken, or its time has come."""
    return slot.gone_at is not None or slot.starts_at <= (now or utcnow())


def slot_gone(session: Session, *, slot_id: int) -> bool:
    """Whether the slot of a Book button can no longer be booked (an unknown slot is none to book)."""
    slot = session.get(Slot, slot_id)
    return slot is None or is_gone(slot)


def request_booking(session: Session, *, user_id: int, slot_id: int) -> BookingView:
    """A tap on "Book" under an alert: book that slot for the user who was alerted of it, while it is free."""
    row = session.execute(
        select(Subscription.id, Slot, Target.service_id)
        .join(Alert, Alert.subscription_id == Subscription.id)
        .join(Slot, Slot.id == Alert.slot_id)
        .join(Target, Target.id == Slot.target_id)
        .where(Alert.slot_id == slot_id, Subscription.user_id == user_id)
        .limit(1)
    ).first()
    if row is None:
        raise BookingRefused("book_not_yours")
    subscription_id, slot, service_id = row
    if is_gone(slot):
        raise BookingRefused("book_gone")
    if get_contact(session, user_id=user_id) is None:
        raise BookingRefused("book_no_contact")
    booking = _insert(
        session,
        _new(user_id, subscription_id, slot, service_id, source="tap", key=f"tap:{user_id}:{slot.id}"),
    )
    if booking is None:
        raise BookingRefused("book_active")
    return _view(booking)


def request_auto_booking(session: Session, *, subscription: Subscription, slot: Slot) -> Booking | None:
    """The first matching slot of an auto-book subscription: booked unless the user lacks contact data or
    already has an active booking of the service."""
    if get_contact(session, user_id=subscription.user_id) is None:
        return None
    key = f"auto:{subscription.id}:{slot.id}"
    return _insert(session, _new(subscription.user_id, subscription.id, slot, subscription.service_id, "auto", key))


def _new(user_id: int, subscription_id: int, slot: Slot, service_id: int, source: str, key: str) -> Booking:
    return Booking(
        user_id=user_id,
        subscription_id=subscription_id,
        slot_id=slot.id,
        service_id=service_id,
        office_id=slot.office_id,
        starts_at=slot.starts_at,
        source=source,
        status="requested",
        idempotency_key=key,
        active_key=_active_key(user_id, service_id),
    )


def requested_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Booking.id).where(Booking.status == "requested").order_by(Booking.id)))


def claim(session: Session, *, booking_id: int) -> bool:
    """Take the booking for this task; false when another task has (or had) it."""
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == "requested")
        .values(status="booking", updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def job(session: Session, *, booking_id: int) -> BookingJob | None:
    booking = session.get(Booking, booking_id)
    if booking is None:
        return None
    subscription = session.get(Subscription, booking.subscription_id) if booking.subscription_id else None
    return BookingJob(
        booking_id=booking.id,
        user_id=booking.user_id,
        service_id=booking.service_id,
        office_id=booking.office_id,
        starts_at=booking.starts_at,
        contact=get_contact(session, user_id=booking.user_id),
        filters=filters_of(subscription) if subscription else Filters(),
    )


def _set(session: Session, booking_id: int, **values: object) -> None:
    session.execute(update(Booking).where(Booking.id == booking_id).values(updated_at=utcnow(), **values))


def record_reserved(
    session: Session,
    *,
    booking_id: int,
    process_id: int,
    auth_key: str,
    office_id: int,
    starts_at: dt.datetime,
    email: str | None = None,
) -> None:
    """The portal reserved a time (perhaps not the one first asked for); ``email`` is the address it will get."""
    _set(
        session,
        booking_id,
        status="reserved",
        process_id=process_id,
        auth_key=auth_key,
        office_id=office_id,
        starts_at=starts_at,
        email=email,
    )


def record_preconfirmed(
    session: Session, *, booking_id: int, email: str, activation_minutes: int | None, screenshot_path: str | None
) -> None:
    _set(
        session,
        booking_id,
        status="preconfirmed",
        email=email,
        activation_minutes=activation_minutes,
        screenshot_path=screenshot_path,
        error=None,
    )


def prune_booking_screenshots(session: Session, *, appointments_before: dt.datetime) -> list[str]:
    """Forget the screenshots of bookings whose appointment was before ``appointments_before``: they show the
    citizen's name and e-mail and serve nothing once it has passed. Returns their files, for the caller to
    remove."""
    paths = []
    for booking in session.scalars(
        select(Booking).where(Booking.starts_at < appointments_before, Booking.screenshot_path.is_not(None))
    ):
        paths.append(str(booking.screenshot_path))
        booking.screenshot_path = None
    return paths


def record_failed(session: Session, *, booking_id: int, error: str) -> None:
    """Nothing is booked (any reservation was released): the user may book the service again."""
    _set(session, booking_id, status="failed", error=error, active_key=None)


def request_cancel(session: Session, *, booking_id: int, user_id: int) -> str | None:
    """The user's Cancel button: the booking goes to ``cancelling`` for a worker. Returns the status it had,
    or ``None`` when it is not the user's or not cancellable."""
    booking = session.get(Booking, booking_id)
    if booking is None or booking.user_id != user_id or booking.status not in CANCELLABLE:
        return None
    previous = booking.status
    booking.status, booking.error, booking.updated_at = "cancelling", None, utcnow()
    session.flush()
    return previous


def cancel_job(session: Session, *, booking_id: int) -> BookingView | None:
    booking = session.get(Booking, booking_id)
    return _view(booking) if booking is not None and booking.status == "cancelling" else None


def record_cancelled(session: Session, *, booking_id: int, error: str | None = None) -> None:
    _set(session, booking_id, status="cancelled", error=error, active_key=None)


def record_cancel_failed(session: Session, *, booking_id: int, status: str, error: str) -> None:
    """The portal did not cancel: the booking stays as it was, and the user hears why."""
    _set(session, booking_id, status=status, error=f"cancel:{error}")


def awaiting_activation(session: Session, *, user_id: int) -> list[int]:
    """The user's preconfirmed bookings: whether the link was clicked (or the time ran out) only the portal knows."""
    query = select(Booking.id).where(Booking.user_id == user_id, Booking.status == "preconfirmed")
    return list(session.scalars(query.order_by(Booking.id)))


def record_activation(session: Session, *, booking_id: int, confirmed: bool) -> None:
    """The portal says the user activated the booking (``confirmed``), or that it lapsed unactivated."""
    if confirmed:
        _set(session, booking_id, status="confirmed")
    else:
        _set(session, booking_id, status="expired", active_key=None)


def fail_stale(session: Session, *, now: dt.datetime | None = None) -> int:
    """Bookings a lost worker left unfinished are failed, so their users hear of it and may book again."""
    cutoff = (now or utcnow()) - STALE_AFTER
    result = session.execute(
        update(Booking)
        .where(Booking.status.in_(("requested", "booking", "reserved")), Booking.updated_at < cutoff)
        .values(status="failed", error="interrupted", active_key=None, updated_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def outcome_key(status: str, error: str | None) -> str:
    return f"{status}:{error or ''}"


def outcomes_to_tell(session: Session, *, limit: int = 500) -> list[Outcome]:
    """Outcomes not yet told: a booking preconfirmed, failed or cancelled, or a cancel that did not work."""
    key = Booking.status + ":" + func.coalesce(Booking.error, "")
    rows = session.execute(
        select(Booking, User.language)
        .join(User, User.id == Booking.user_id)
        .where(
            or_(Booking.status.in_(OUTCOMES), Booking.error.like("cancel:%")),
            or_(Booking.told.is_(None), Booking.told != key),
            User.active.is_(True),
        )
        .order_by(Booking.id)
        .limit(limit)
    ).all()
    return [
        Outcome(_view(booking), booking.user_id, language, outcome_key(booking.status, booking.error))
        for booking, language in rows
    ]


def mark_told(session: Session, *, booking_id: int, key: str) -> None:
    session.execute(update(Booking).where(Booking.id == booking_id).values(told=key))


def user_bookings(session: Session, *, user_id: int, limit: int = 10) -> list[BookingView]:
    """The user's newest bookings, newest first."""
    query = select(Booking).where(Booking.user_id == user_id).order_by(Booking.id.desc()).limit(limit)
    return [_view(b) for b in session.scalars(query)]


def get_booking(session: Session, *, booking_id: int) -> BookingView | None:
    booking = session.get(Booking, booking_id)
    return _view(booking) if booking else None

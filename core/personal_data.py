"""Everything MTA stores about one Telegram user, to show it to them and to delete it on request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.bookings import BookingView, user_bookings
from core.contacts import ContactData, get_contact
from core.models import Alert, Booking, Subscription, User
from core.subscriptions import SubscriptionView, subscription_views


@dataclass(frozen=True)
class PersonalData:
    user_id: int
    language: str
    active: bool
    created_at: dt.datetime
    subscriptions: tuple[SubscriptionView, ...]
    alerts_sent: int
    last_alert_at: dt.datetime | None
    contact: ContactData | None = None
    bookings: tuple[BookingView, ...] = ()


def personal_data(session: Session, *, user_id: int) -> PersonalData | None:
    """What is stored about ``user_id``; ``None`` when nothing is."""
    user = session.get(User, user_id)
    if user is None:
        return None
    alerts_sent, last_alert_at = session.execute(
        select(func.count(Alert.id), func.max(Alert.sent_at))
        .join(Subscription, Subscription.id == Alert.subscription_id)
        .where(Subscription.user_id == user_id, Alert.message_id.is_not(None))  # dropped alerts were never sent
    ).one()
    return PersonalData(
        user_id=user.id,
        language=user.language,
        active=user.active,
        created_at=user.created_at,
        subscriptions=tuple(subscription_views(session, user_id=user_id)),
        alerts_sent=alerts_sent,
        last_alert_at=last_alert_at,
        contact=get_contact(session, user_id=user_id),
        bookings=tuple(user_bookings(session, user_id=user_id)),
    )


def forget_user(session: Session, *, user_id: int) -> bool:
    """Delete the user with their subscriptions, the alerts sent to them, their contact data and bookings, and
    the screenshots of their bookings (which show their name and e-mail); whether there was anything.
    (Appointments booked at the portal stay there: /bookings cancels them.)"""
    shots = [p for p in session.scalars(select(Booking.screenshot_path).where(Booking.user_id == user_id)) if p]
    deleted = session.execute(delete(User).where(User.id == user_id))
    for shot in shots:
        Path(shot).unlink(missing_ok=True)
    return bool(deleted.rowcount)  # type: ignore[attr-defined]

"""A user's contact data for bookings: validated as the portal validates it (docs/portal.md, "Booking"), stored once.

The portal refuses an empty name (``invalidFamilyName``), an e-mail its regex rejects (no ``+``, no double
dots; ``invalidEmail``) and a phone number that is not 7-15 digits with an optional leading ``+``
(``invalidTelephone``). Checking the same here lets the bot ask again at once instead of failing a booking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.models import Contact, utcnow
from core.subscriptions import ensure_user

EMAIL = re.compile(r"^(?!.*\.\.)(?!\.)(?!.*\.$)[^\s@+]+(?<!\.)@(?!\.)[^\s@+]+\.[^\s@]{2,}$")
PHONE = re.compile(r"^\+?[0-9]\d{6,14}$")
PHONE_SEPARATORS = re.compile(r"[\s\-/().]")
MAX_NAME = 250


class InvalidContact(ValueError):
    """A value the portal would refuse; ``code`` is the portal's error code for it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ContactData:
    name: str = field(repr=False)  # personal data: never in a repr, hence never in a log
    email: str = field(repr=False)
    phone: str | None = field(repr=False)


def valid_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME:
        raise InvalidContact("invalidFamilyName")
    return name


def valid_email(raw: str) -> str:
    email = raw.strip()
    if len(email) > 254 or not EMAIL.match(email):
        raise InvalidContact("invalidEmail")
    return email


def valid_phone(raw: str) -> str:
    """The number without the spaces, dashes and brackets people type (``+49 170 123-4567``)."""
    phone = PHONE_SEPARATORS.sub("", raw)
    if not PHONE.match(phone):
        raise InvalidContact("invalidTelephone")
    return phone


def get_contact(session: Session, *, user_id: int) -> ContactData | None:
    contact = session.get(Contact, user_id)
    return ContactData(contact.name, contact.email, contact.phone) if contact else None


def save_contact(session: Session, *, user_id: int, data: ContactData, language: str = "en") -> ContactData:
    """Store (or replace) the user's contact data, validated once more."""
    clean = ContactData(valid_name(data.name), valid_email(data.email), valid_phone(data.phone) if data.phone else None)
    ensure_user(session, user_id=user_id, language=language)
    contact = session.get(Contact, user_id) or Contact(user_id=user_id)
    contact.name, contact.email, contact.phone, contact.updated_at = clean.name, clean.email, clean.phone, utcnow()
    session.add(contact)
    session.flush()
    return clean


def delete_contact(session: Session, *, user_id: int) -> bool:
    deleted = session.execute(delete(Contact).where(Contact.user_id == user_id))
    return bool(deleted.rowcount)  # type: ignore[attr-defined]

"""Appointment processes: reserve → update → preconfirm → confirm, read and cancel (docs/portal.md, "Booking").

State machine: ``reserved`` (expires after ``reservationDuration`` minutes) → ``preconfirmed`` (activation
mail; expires after ``activationDuration`` minutes) → ``confirmed``; ``deleted`` after a cancel. An expired
process is gone: its slot is free again, reading it answers ``appointmentNotFound``, continuing it
``processNotReservedAnymore`` / ``preconfirmationExpired``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from .catalogue import Catalogue
from .errors import ApiError
from .outbox import Outbox
from .slots import SlotBook

EMAIL_PATTERN = re.compile(r"^(?!.*\.\.)(?!\.)(?!.*\.$)[^\s@+]+(?<!\.)@(?!\.)[^\s@+]+\.[^\s@]{2,}$")
PHONE_PATTERN = re.compile(r"^\+?[0-9]\d{6,14}$")
PLACEHOLDER_EMAIL = "test@muenchen.de"


@dataclass
class Process:
    id: int
    auth_key: str
    office_id: int
    service_ids: list[int]
    service_counts: list[int]
    timestamp: int
    slot_count: int
    status: str = "reserved"
    family_name: str = ""
    email: str = PLACEHOLDER_EMAIL
    telephone: str = ""
    custom_textfield: str = ""
    custom_textfield2: str = ""
    captcha_token: str | None = None
    expires_at: float = 0.0
    expired: bool = False
    history: list[str] = field(default_factory=list)


class BookingDesk:
    def __init__(
        self,
        catalogue: Catalogue,
        slots: SlotBook,
        outbox: Outbox,
        *,
        reservation_minutes: int,
        activation_minutes: int,
        appointments_per_mail: int | None,
    ) -> None:
        self.catalogue = catalogue
        self.slots = slots
        self.outbox = outbox
        self.reservation_minutes = reservation_minutes
        self.activation_minutes = activation_minutes
        self.appointments_per_mail = appointments_per_mail
        self.processes: dict[int, Process] = {}
        self._next_id = 100001

    def reset(self) -> None:
        self.processes.clear()
        self._next_id = 100001

    def expire(self, now: float) -> None:
        for process in self.processes.values():
            live = process.status in ("reserved", "preconfirmed") and not process.expired
            if live and process.expires_at <= now:
                process.expired = True
                process.history.append(f"expired:{process.status}")
                self.slots.release(process.office_id, process.service_ids, process.timestamp)

    def reserve(self, office_id: int, service_ids: list[int], counts: list[int], timestamp: int, now: float) -> Process:
        self.expire(now)
        if not self.slots.is_free(office_id, service_ids, timestamp) or timestamp <= now:
            raise ApiError("appointmentNotAvailable")
        slot_count = sum(
            self.catalogue.relations[(office_id, sid)].slots * count
            for sid, count in zip(service_ids, counts, strict=True)
        )
        process = Process(
            id=self._next_id,
            auth_key=secrets.token_hex(32),
            office_id=office_id,
            service_ids=service_ids,
            service_counts=counts,
            timestamp=timestamp,
            slot_count=slot_count,
            expires_at=now + self.reservation_minutes * 60,
        )
        self._next_id += 1
        self.processes[process.id] = process
        self.slots.take(office_id, service_ids, timestamp)
        return process

    def find(self, process_id: int, auth_key: str, now: float) -> Process:
        self.expire(now)
        process = self.processes.get(process_id)
        if process is None:
            raise ApiError("appointmentNotFound")
        if not secrets.compare_digest(process.auth_key, auth_key):
            raise ApiError("authKeyMismatch")
        return process

    def read(self, process_id: int, auth_key: str, now: float) -> Process:
        process = self.find(process_id, auth_key, now)
        if process.expired or process.status == "deleted":
            raise ApiError("appointmentNotFound")
        return process

    def update(self, process_id: int, auth_key: str, contact: dict[str, Any], now: float) -> Process:
        process = self.find(process_id, auth_key, now)
        if process.status != "reserved" or process.expired:
            raise ApiError("processNotReservedAnymore")
        errors = _contact_errors(contact)
        if errors:
            raise ApiError(*errors)
        process.family_name = str(contact["familyName"]).strip()
        process.email = str(contact["email"]).strip()
        process.telephone = str(contact.get("telephone") or "")
        process.custom_textfield = str(contact.get("customTextfield") or "")
        process.custom_textfield2 = str(contact.get("customTextfield2") or "")
        process.history.append("updated")
        return process

    def preconfirm(self, process_id: int, auth_key: str, page_url: str, now: float) -> Process:
        process = self.find(process_id, auth_key, now)
        if process.status != "reserved" or process.expired:
            raise ApiError("processNotReservedAnymore")
        if not process.email or process.email == PLACEHOLDER_EMAIL:
            raise ApiError("emailIsRequired")
        if self._over_mail_limit(process):
            raise ApiError("tooManyAppointmentsWithSameMail")
        process.status = "preconfirmed"
        process.expires_at = now + self.activation_minutes * 60
        process.history.append("preconfirmed")
        self.outbox.activation(process, self.catalogue, page_url, self.activation_minutes, now)
        return process

    def confirm(self, process_id: int, auth_key: str, page_url: str, now: float) -> Process:
        process = self.find(process_id, auth_key, now)
        if process.status == "preconfirmed" and process.expired:
            raise ApiError("preconfirmationExpired")
        if process.status != "preconfirmed" or process.expired:
            raise ApiError("processNotPreconfirmedAnymore")
        process.status = "confirmed"
        process.history.append("confirmed")
        self.outbox.confirmation(process, self.catalogue, page_url, now)
        return process

    def cancel(self, process_id: int, auth_key: str, page_url: str, now: float) -> Process:
        process = self.read(process_id, auth_key, now)
        if process.timestamp <= now:
            raise ApiError("appointmentCanNotBeCanceled")
        process.status = "deleted"
        process.history.append("deleted")
        self.slots.release(process.office_id, process.service_ids, process.timestamp)
        if process.email != PLACEHOLDER_EMAIL:
            self.outbox.cancellation(process, self.catalogue, page_url, now)
        return process

    def _over_mail_limit(self, process: Process) -> bool:
        if not self.appointments_per_mail:
            return False
        same = [
            p
            for p in self.processes.values()
            if p.id != process.id
            and p.office_id == process.office_id
            and p.status in ("preconfirmed", "confirmed")
            and not p.expired
            and p.email.lower() == process.email.lower()
        ]
        return len(same) >= self.appointments_per_mail


def _contact_errors(contact: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    name = contact.get("familyName")
    if not isinstance(name, str) or not name.strip():
        errors.append("invalidFamilyName")
    email = contact.get("email")
    if not isinstance(email, str) or not EMAIL_PATTERN.match(email):
        errors.append("invalidEmail")
    phone = contact.get("telephone")
    if phone not in (None, "") and (not isinstance(phone, str) or not PHONE_PATTERN.match(phone)):
        errors.append("invalidTelephone")
    return errors


def thinned(process: Process, catalogue: Catalogue) -> dict[str, Any]:
    """The ThinnedProcess body of §2.4.4."""
    first_service = catalogue.services.get(process.service_ids[0]) if process.service_ids else None
    return {
        "processId": process.id,
        "timestamp": str(process.timestamp),
        "authKey": process.auth_key,
        "familyName": process.family_name,
        "customTextfield": process.custom_textfield,
        "customTextfield2": process.custom_textfield2,
        "email": process.email,
        "telephone": process.telephone,
        "officeName": catalogue.offices[process.office_id].display_name,
        "officeId": process.office_id,
        "status": "deleted" if process.expired else process.status,
        "scope": catalogue.scope_json(process.office_id),
        "subRequestCounts": [],
        "serviceId": first_service.id if first_service else 0,
        "serviceName": first_service.name if first_service else None,
        "serviceCount": process.service_counts[0] if process.service_counts else 0,
        "slotCount": process.slot_count,
        "displayNumber": None,
        "captchaToken": process.captcha_token,
        "icsContent": None,
    }

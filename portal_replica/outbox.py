"""The mails the portal would send: activation, confirmation and cancellation (docs/portal.md, "Booking")."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .slots import BERLIN

if TYPE_CHECKING:
    from .booking import Process
    from .catalogue import Catalogue


@dataclass(frozen=True)
class Mail:
    kind: str
    to: str
    subject: str
    body: str
    link: str
    process_id: int
    sent_at: float

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["processId"] = data.pop("process_id")
        data["sentAt"] = data.pop("sent_at")
        return data


def auth_hash(process_id: int, auth_key: str) -> str:
    """The ``#/appointment[/confirm]/<hash>`` value: base64 of ``{"id","authKey"}``."""
    raw = json.dumps({"id": str(process_id), "authKey": auth_key}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode("ascii")


def _when(process: Process) -> str:
    return datetime.fromtimestamp(process.timestamp, BERLIN).strftime("%d.%m.%Y um %H:%M Uhr")


def _what(process: Process, catalogue: Catalogue) -> str:
    office = catalogue.offices[process.office_id].display_name
    names = [catalogue.services[sid].name for sid in process.service_ids if sid in catalogue.services]
    return f"{', '.join(names)} am {_when(process)}, {office}"


class Outbox:
    def __init__(self) -> None:
        self.mails: list[Mail] = []

    def clear(self) -> None:
        self.mails.clear()

    def activation(self, process: Process, catalogue: Catalogue, page_url: str, minutes: int, now: float) -> Mail:
        link = f"{page_url}#/appointment/confirm/{auth_hash(process.id, process.auth_key)}"
        body = (
            f"Guten Tag {process.family_name},\n\n"
            f"bitte aktivieren Sie den folgenden Termin: {_what(process, catalogue)}.\n\n"
            f"Bitte aktivieren Sie den Termin innerhalb von {minutes} Minuten, sonst verfällt Ihre "
            f"Reservierung:\n{link}\n\nIhre Landeshauptstadt München"
        )
        return self._send("activation", process, "Bitte aktivieren Sie Ihren Termin", body, link, now)

    def confirmation(self, process: Process, catalogue: Catalogue, page_url: str, now: float) -> Mail:
        link = f"{page_url}#/appointment/{auth_hash(process.id, process.auth_key)}"
        body = (
            f"Guten Tag {process.family_name},\n\nIhr Termin ist bestätigt: {_what(process, catalogue)}.\n\n"
            f"Termin ansehen oder absagen:\n{link}\n\nIhre Landeshauptstadt München"
        )
        return self._send("confirmation", process, "Terminbestätigung", body, link, now)

    def cancellation(self, process: Process, catalogue: Catalogue, page_url: str, now: float) -> Mail:
        body = (
            f"Guten Tag {process.family_name},\n\nIhr Termin wurde abgesagt: {_what(process, catalogue)}.\n\n"
            "Ihre Landeshauptstadt München"
        )
        return self._send("cancellation", process, "Terminabsage", body, page_url, now)

    def _send(self, kind: str, process: Process, subject: str, body: str, link: str, now: float) -> Mail:
        mail = Mail(kind, process.email, subject, body, link, process.id, now)
        self.mails.append(mail)
        return mail

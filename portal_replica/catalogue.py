"""Offices, services and relations, built from the city's DLDB export (docs/portal.md, "Catalogue" and "Real IDs").

What comes from the DLDB data and what is a replica default:

- ``offices[].id`` / ``services[].id`` are the DLDB ids; ``relations[].slots`` is
  ``locations[].services[].appointment.slots``; relation ``public`` / ``maxQuantity`` come from the same
  entry (absent ``public`` = true).
- ``sharedBookingOfficeIds``, ``allowDisabledServicesMix`` and ``disabledByServices`` (DLDB
  ``dontShowByServices``) are taken as they are; offices without them get ``null`` / ``[]``. Only four
  Ruppertstraße offices carry a shared-booking group in the export (10489, 10491, 10500, 10503).
- ``office.name`` is the DLDB ``displayName`` (as in the API), ``scope.provider.name`` the full DLDB name;
  ``scope.shortName`` is the unit in brackets of that name (``KVR-II/22``).
- ``scope.captchaActivatedRequired``: the DLDB export does not say; the replica sets it for the offices in
  ``ReplicaConfig.captcha_office_ids`` (default the SZE offices 10461 and 10187259, §2.4.3).
- Other scope settings are not in the export either: e-mail required, telephone optional,
  no custom text fields, ``appointmentsPerMail`` / ``reservationDuration`` / ``activationDuration`` from
  the replica config; ``priority`` = DLDB ``prio`` or 1.
- Unpublished offices/services (``public: false``) are listed unless ``hide_unpublished`` is set, so the
  catalogue holds every office a test may ask about (the city hides them unless reached via its own domain).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import sample


@dataclass(frozen=True)
class ScopeSettings:
    captcha_office_ids: frozenset[int] = frozenset({10461, 10187259})
    reservation_minutes: int = 15
    activation_minutes: int = 60
    appointments_per_mail: int | None = 1
    hide_unpublished: bool = False


@dataclass(frozen=True)
class Office:
    id: int
    name: str
    display_name: str
    public: bool
    slot_time: int | None
    captcha_required: bool
    shared_booking_office_ids: tuple[int, ...] | None
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Service:
    id: int
    name: str
    public: bool
    max_quantity: int
    raw: dict[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Relation:
    office_id: int
    service_id: int
    slots: int
    public: bool
    max_quantity: int | None


@dataclass
class Catalogue:
    offices: dict[int, Office]
    services: dict[int, Service]
    relations: dict[tuple[int, int], Relation]
    settings: ScopeSettings

    def offers(self, office_id: int, service_id: int) -> bool:
        return (office_id, service_id) in self.relations

    def captcha_required(self, office_ids: list[int]) -> bool:
        return any(o.captcha_required for oid in office_ids if (o := self.offices.get(oid)) is not None)

    def booking_peers(self, office_id: int) -> tuple[int, ...]:
        """The shared-booking group of an office (itself alone when it has none)."""
        office = self.offices.get(office_id)
        if office is None or not office.shared_booking_office_ids:
            return (office_id,)
        return office.shared_booking_office_ids

    def scope_json(self, office_id: int) -> dict[str, Any]:
        return _scope_json(self.offices[office_id], self.settings)

    def to_json(self) -> dict[str, Any]:
        return {
            "offices": [_office_json(o, self.settings) for o in self.offices.values()],
            "services": [_service_json(s) for s in self.services.values()],
            "relations": [_relation_json(r) for r in self.relations.values()],
        }


def load_catalogue(dldb_path: Path | None, settings: ScopeSettings) -> Catalogue:
    """Read the DLDB export from ``dldb_path`` (a folder) or use the built-in sample."""
    if dldb_path is None:
        return build_catalogue(sample.LOCATIONS, sample.SERVICES, settings)
    locations = json.loads((dldb_path / "locations_de.json").read_text(encoding="utf-8"))["data"]
    services = json.loads((dldb_path / "services_de.json").read_text(encoding="utf-8"))["data"]
    return build_catalogue(locations, services, settings)


def build_catalogue(
    locations: list[dict[str, Any]], services: list[dict[str, Any]], settings: ScopeSettings
) -> Catalogue:
    hide = settings.hide_unpublished
    service_map = {
        int(s["id"]): _service(s) for s in sorted(services, key=lambda s: int(s["id"])) if s["public"] or not hide
    }
    offices: dict[int, Office] = {}
    relations: dict[tuple[int, int], Relation] = {}
    for loc in sorted(locations, key=lambda item: int(item["id"])):
        if hide and not loc.get("public", True):
            continue
        office = _office(loc, settings)
        offices[office.id] = office
        for entry in loc.get("services", []):
            relation = _relation(office.id, entry)
            if relation.service_id in service_map and (relation.public or not hide):
                relations[(relation.office_id, relation.service_id)] = relation
    return Catalogue(offices=offices, services=service_map, relations=relations, settings=settings)


def _office(loc: dict[str, Any], settings: ScopeSettings) -> Office:
    office_id = int(loc["id"])
    shared = loc.get("sharedBookingOfficeIds")
    return Office(
        id=office_id,
        name=str(loc["name"]),
        display_name=str(loc.get("displayName") or loc["name"]),
        public=bool(loc.get("public", True)),
        slot_time=loc.get("slotTimeInMinutes"),
        captcha_required=office_id in settings.captcha_office_ids,
        shared_booking_office_ids=tuple(int(x) for x in shared) if shared else None,
        raw=loc,
    )


def _service(raw: dict[str, Any]) -> Service:
    return Service(
        id=int(raw["id"]),
        name=str(raw["name"]),
        public=bool(raw.get("public", True)),
        max_quantity=int(raw.get("maxQuantity") or 1),
        raw=raw,
    )


def _relation(office_id: int, entry: dict[str, Any]) -> Relation:
    max_quantity = entry.get("maxQuantity")
    return Relation(
        office_id=office_id,
        service_id=int(entry["service"]),
        slots=int(entry.get("appointment", {}).get("slots") or 0),
        public=bool(entry.get("public", True)),
        max_quantity=int(max_quantity) if max_quantity is not None else None,
    )


def _short_name(name: str) -> str:
    match = re.search(r"\(([^()]*)\)\s*$", name)
    return match.group(1) if match else name


def _scope_json(office: Office, settings: ScopeSettings) -> dict[str, Any]:
    raw = office.raw
    address = raw.get("address") or {}
    geo = raw.get("geo") or {}
    return {
        "id": office.id,
        "provider": {
            "id": office.id,
            "name": office.name,
            "displayName": office.display_name,
            "lat": float(geo["lat"]) if geo.get("lat") else None,
            "lon": float(geo["lon"]) if geo.get("lon") else None,
            "source": "dldb",
            "contact": {
                "city": address.get("city", "München"),
                "country": "Germany",
                "name": office.name,
                "postalCode": address.get("postal_code", ""),
                "region": "München",
                "street": address.get("street", ""),
                "streetNumber": address.get("house_number", ""),
            },
        },
        "shortName": _short_name(office.name),
        "emailFrom": "no-reply@muenchen.de",
        "emailRequired": True,
        "telephoneActivated": True,
        "telephoneRequired": False,
        "customTextfieldActivated": False,
        "customTextfieldRequired": False,
        "customTextfieldLabel": None,
        "customTextfield2Activated": False,
        "customTextfield2Required": False,
        "customTextfield2Label": None,
        "captchaActivatedRequired": office.captcha_required,
        "infoForAppointment": None,
        "infoForAllAppointments": None,
        "slotsPerAppointment": None,
        "appointmentsPerMail": settings.appointments_per_mail,
        "whitelistedMails": None,
        "reservationDuration": settings.reservation_minutes,
        "activationDuration": settings.activation_minutes,
        "hint": None,
    }


def _office_json(office: Office, settings: ScopeSettings) -> dict[str, Any]:
    raw = office.raw
    shared = office.shared_booking_office_ids
    mix = raw.get("allowDisabledServicesMix")
    return {
        "id": office.id,
        "name": office.display_name,
        "address": raw.get("address"),
        "showAlternativeLocations": bool(raw.get("showAlternativeLocations", False)),
        "displayNameAlternatives": list(raw.get("displayNameAlternatives") or []),
        "organization": raw.get("organization"),
        "organizationUnit": raw.get("organizationUnit"),
        "slotTimeInMinutes": office.slot_time,
        "geo": raw.get("geo"),
        "disabledByServices": [int(x) for x in raw.get("dontShowByServices") or []],
        "priority": int(raw.get("prio") or 1),
        "scope": _scope_json(office, settings),
        "slotsPerAppointment": None,
        "parentId": None,
        "allowDisabledServicesMix": [int(x) for x in mix] if mix else None,
        "sharedBookingOfficeIds": list(shared) if shared else None,
    }


def _service_json(service: Service) -> dict[str, Any]:
    raw = service.raw
    return {
        "id": service.id,
        "name": service.name,
        "maxQuantity": service.max_quantity,
        "combinable": [int(x) for x in raw.get("combinable") or []],
        "parentId": None,
        "variantId": None,
        "rootParentId": service.id,
        "showOnStartPage": bool(raw.get("showOnStartPage", True)),
    }


def _relation_json(relation: Relation) -> dict[str, Any]:
    return {
        "officeId": relation.office_id,
        "serviceId": relation.service_id,
        "slots": relation.slots,
        "public": relation.public,
        "maxQuantity": relation.max_quantity,
    }

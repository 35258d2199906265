"""The city's error catalogue (docs/portal.md, "Conventions" and "Errors") and the error body builder.

Messages follow ``zmscitizenapi/src/Zmscitizenapi/Utils/ErrorMessages.php``; keys that are missing there
(``startDateAfterEndDate``, ``dateRangeTooLarge``) fall back to ``unknownError`` / 520 as on the portal.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

JSON_TYPE = "application/json; charset=utf-8"

_W, _E, _I = "warning", "error", "info"

# key -> (errorCode, statusCode, errorType, errorMessage)
CATALOGUE: dict[str, tuple[str, int, str, str]] = {
    "notFound": ("notFound", 404, _E, "Endpoint not found."),
    "invalidRequest": ("invalidRequest", 400, _W, "Invalid request."),
    "invalidStartDate": ("invalidStartDate", 400, _W, "startDate is required and must be a valid date."),
    "invalidEndDate": ("invalidEndDate", 400, _W, "endDate is required and must be a valid date."),
    "invalidSlotsStartDate": ("invalidSlotsStartDate", 400, _W, "slotsStartDate must be a valid date."),
    "invalidSlotsEndDate": ("invalidSlotsEndDate", 400, _W, "slotsEndDate must be a valid date."),
    "slotsStartDateAfterEndDate": (
        "slotsStartDateAfterEndDate",
        400,
        _W,
        "slotsStartDate must not be after slotsEndDate.",
    ),
    "invalidDate": ("invalidDate", 400, _W, "date is required and must be a valid date."),
    "invalidOfficeId": ("invalidOfficeId", 400, _W, "officeId should be a 32-bit integer."),
    "invalidServiceId": ("invalidServiceId", 400, _W, "serviceId should be a 32-bit integer."),
    "invalidServiceCount": (
        "invalidServiceCount",
        400,
        _W,
        "serviceCounts should be an array of numeric values.",
    ),
    "invalidProcessId": ("invalidProcessId", 400, _W, "processId should be a positive 32-bit integer."),
    "invalidAuthKey": ("invalidAuthKey", 400, _W, "authKey should be a string."),
    "invalidTimestamp": (
        "invalidTimestamp",
        400,
        _W,
        "Missing timestamp or invalid timestamp format. It should be a positive numeric value.",
    ),
    "invalidFamilyName": ("invalidFamilyName", 400, _W, "familyName should be a non-empty string."),
    "invalidEmail": ("invalidEmail", 400, _W, "email should be a valid email address."),
    "invalidTelephone": (
        "invalidTelephone",
        400,
        _W,
        "telephone should be a numeric string between 7 and 15 digits.",
    ),
    "invalidCustomTextfield": ("invalidCustomTextfield", 400, _W, "customTextfield should be a string."),
    "invalidCustomTextfield2": ("invalidCustomTextfield2", 400, _W, "customTextfield2 should be a string."),
    "invalidLocationAndServiceCombination": (
        "invalidLocationAndServiceCombination",
        400,
        _W,
        "The provided service(s) do not exist at the given location.",
    ),
    "captchaMissing": ("captchaMissing", 400, _E, "Missing captcha token."),
    "captchaInvalid": ("captchaInvalid", 400, _E, "Invalid captcha token."),
    "captchaExpired": ("captchaExpired", 400, _E, "Captcha token expired."),
    "tooManySlotsPerAppointment": (
        "tooManySlotsPerAppointment",
        400,
        _E,
        "The number of slots exceeds the maximum allowed slots per appointment.",
    ),
    "tooManyServicesPerAppointment": (
        "tooManyServicesPerAppointment",
        400,
        _E,
        "The quantity of a service exceeds the maximum allowed quantity.",
    ),
    "preconfirmationExpired": (
        "preconfirmationExpired",
        400,
        _E,
        "Unfortunately, the time for activating your appointment has expired. Please schedule the appointment again.",
    ),
    "ipBlacklisted": ("IP_BLACKLISTED", 403, _E, "Access denied - IP address is blacklisted."),
    "appointmentNotAvailable": (
        "appointmentNotAvailable",
        404,
        _E,
        "The selected appointment is unfortunately no longer available.",
    ),
    "appointmentNotFound": (
        "appointmentNotFound",
        404,
        _E,
        "Maybe you have already canceled your appointment? Otherwise, please check that you have used "
        "the correct link.",
    ),
    "noAppointmentForThisDay": (
        "noAppointmentForThisDay",
        404,
        _I,
        "No available days found for the given criteria.",
    ),
    "appointmentCanNotBeCanceled": (
        "appointmentCanNotBeCanceled",
        406,
        _W,
        "The selected appointment cannot be canceled.",
    ),
    "emailIsRequired": ("emailIsRequired", 406, _W, "Email address is required."),
    "authKeyMismatch": ("authKeyMismatch", 406, _W, "Invalid authentication key."),
    "tooManyAppointmentsWithSameMail": (
        "tooManyAppointmentsWithSameMail",
        406,
        _E,
        "You can only book a limited number of appointments with your e-mail address. Please cancel "
        "another appointment before you book a new one.",
    ),
    "processNotReservedAnymore": (
        "processNotReservedAnymore",
        409,
        _E,
        "The appointment is no longer reserved.",
    ),
    "processNotPreconfirmedAnymore": (
        "processNotPreconfirmedAnymore",
        409,
        _E,
        "The appointment is no longer preconfirmed.",
    ),
    "rateLimitExceeded": ("rateLimitExceeded", 429, _W, "Rate limit exceeded. Please try again later."),
    "zmsClientCommunicationError": (
        "zmsClientCommunicationError",
        503,
        _E,
        "The service is temporarily unavailable. Please try again later.",
    ),
    "serviceUnavailable": (
        "serviceUnavailable",
        503,
        _E,
        "Service Unavailable: The application is under maintenance.",
    ),
    "unknownError": ("unknownError", 520, _E, "An unknown error occurred."),
}


def error_item(key: str) -> dict[str, Any]:
    code, status, kind, message = CATALOGUE.get(key, CATALOGUE["unknownError"])
    return {"errorCode": code, "errorMessage": message, "statusCode": status, "errorType": kind}


def error_body(keys: list[str]) -> tuple[int, dict[str, Any]]:
    """The errors array and its HTTP status (the highest statusCode, as ``getHighestStatusCode``)."""
    items = [error_item(key) for key in keys]
    return max(int(item["statusCode"]) for item in items), {"errors": items}


class ApiError(Exception):
    """Raised by the domain code; turned into the city's error body by the route layer."""

    def __init__(self, *keys: str) -> None:
        super().__init__(", ".join(keys))
        self.keys = list(keys)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers, media_type=JSON_TYPE)


def error_response(*keys: str) -> JSONResponse:
    status, body = error_body(list(keys))
    return json_response(body, status)

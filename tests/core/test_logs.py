"""core.logs: JSON lines, ids from context, and what never reaches a log."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog
from pydantic import SecretStr

from core.bookings import BookingView
from core.contacts import ContactData
from core.logs import REDACTED, Redact, configure_logging
from core.settings import Settings

BOT_TOKEN = "123456:AAH-secret_bot-token"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root, pool = logging.getLogger(), logging.getLogger("multiprocessing")
    saved, saved_pool = (root.handlers[:], root.level), (pool.handlers[:], pool.level)
    out = io.StringIO()
    settings = Settings(telegram_token=SecretStr(BOT_TOKEN), api_token=SecretStr("operator-token-xyz"))
    configure_logging(settings, process="test", stream=out)
    yield out
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    pool.handlers[:], _ = saved_pool
    pool.setLevel(saved_pool[1])
    logging.captureWarnings(False)
    sys.excepthook = sys.__excepthook__
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_stdlib_and_structlog_lines_are_json_with_bound_ids(stream: io.StringIO) -> None:
    structlog.contextvars.bind_contextvars(task_id="t-1", target_id=7)
    logging.getLogger("celery.app.trace").info("Task %s succeeded", "t-1")
    structlog.get_logger("workers.check").info("check recorded", check_id=42)
    first, second = lines(stream)
    assert first["event"] == "Task t-1 succeeded"
    assert first["logger"] == "celery.app.trace"
    assert (first["task_id"], first["target_id"], first["process"], first["level"]) == ("t-1", 7, "test", "info")
    assert (second["event"], second["check_id"], second["task_id"]) == ("check recorded", 42, "t-1")


def test_the_celery_pool_lines_are_json_too(stream: io.StringIO) -> None:
    pool = logging.getLogger("multiprocessing")  # billiard's logger, which it sets not to propagate
    pool.propagate = False
    pool.error("Process %r pid:%r exited with %r", "ForkPoolWorker-2", 28098, "signal 15 (SIGTERM)")
    [line] = lines(stream)
    assert line["event"] == "Process 'ForkPoolWorker-2' pid:28098 exited with 'signal 15 (SIGTERM)'"
    assert (line["logger"], line["level"]) == ("multiprocessing", "error")


def test_secrets_in_urls_and_settings_are_redacted(stream: io.StringIO) -> None:
    log = logging.getLogger("httpx")
    log.warning("HTTP Request: POST https://api.telegram.org/bot%s/sendMessage failed", BOT_TOKEN)
    log.warning("GET https://api.telegram.org/file/bot%s/photos/1.jpg", BOT_TOKEN)
    log.warning("calendar https://portal/x/?officeId=1&captchaToken=eyJhbGciOi.abc-def_9&serviceId=2")
    log.warning(
        "evidence /evidence/3?exp=1900000000&sig=q2t5mhM8m3bmwzYV2bT2Vg and /me/4242.1900000000.q2t5mhM8m3b-wzYV2bT2V_"
    )
    log.warning("header Authorization: Bearer operator-token-xyz, db postgresql://mta:hunter22@db/mta")
    log.warning("the token itself: %s", BOT_TOKEN)
    text = stream.getvalue()
    for secret in (
        BOT_TOKEN,
        "eyJhbGciOi",
        "q2t5mhM8m3bmwzYV2bT2Vg",
        "4242.1900000000",
        "operator-token-xyz",
        "hunter22",
    ):
        assert secret not in text
    assert f"/bot{REDACTED}/sendMessage" in text
    assert f"captchaToken={REDACTED}&serviceId=2" in text


def test_personal_data_never_reaches_a_log(stream: io.StringIO) -> None:
    structlog.get_logger().info("contact saved", first_name="Zuzanna", email="z@example.net", user={"username": "zz"})
    logging.getLogger("bot").info("reply to zuzanna.w+mta@example.co.uk")
    text = stream.getvalue()
    for datum in ("Zuzanna", "z@example.net", "zz", "zuzanna.w+mta@example.co.uk"):
        assert datum not in text


def test_exceptions_are_rendered_into_the_line_and_redacted(stream: io.StringIO) -> None:
    try:
        raise RuntimeError(f"POST /bot{BOT_TOKEN}/getUpdates: 502")
    except RuntimeError:
        logging.getLogger("telegram.ext.Updater").exception("network error")
    (record,) = lines(stream)
    assert "RuntimeError" in str(record["exception"])
    assert BOT_TOKEN not in stream.getvalue()


def test_the_redactor_leaves_ordinary_values_alone() -> None:
    redact = Redact()
    event = {"event": "check recorded", "check_id": 3, "worker": "worker@farm1:4242", "slots": [1, 2]}
    assert redact(None, "info", event) == event


def test_the_portals_appointment_keys_and_contacts_never_reach_a_log(stream: io.StringIO) -> None:
    """Issue 19: ``authKey`` with ``processId`` opens a citizen's appointment; it appears in the refresh's URL,
    in the portal's JSON and in the repr of a booking outcome, and none of them may be written."""
    url = "https://portal/api/citizen/appointment/?processId=4711&authKey=f00dfeed"
    logging.getLogger("celery").error("task failed: PortalUnavailable('no answer', %r)", url)
    structlog.get_logger().warning("send failed", item="Outcome(booking_id=3, process_id=4711, auth_key='f00dfeed')")
    logging.getLogger("workers").info('portal said {"authKey": "f00dfeed", "familyName": "Nowak", "telephone": "x1"}')
    logging.getLogger("bot").info("call me at +49 89 1234567 or 0171-2345678")
    structlog.get_logger().info("contact", telephone="+4917112345678", auth_key="f00dfeed")
    text = stream.getvalue()
    for datum in ("f00dfeed", "Nowak", "x1", "1234567", "2345678", "4917112345678"):
        assert datum not in text, datum
    assert "processId=4711" in text, "the process id alone opens nothing: it stays for the operator"


def test_numbers_that_are_no_phone_numbers_stay() -> None:
    redact = Redact()
    line = "slot 1796661222 at office 10489 on 2026-12-09 09:30, took 0.52 s"
    assert redact.text(line) == line


def test_reprs_of_bookings_and_contacts_hold_no_secret_nor_personal_data() -> None:
    contact = ContactData(name="Zuzanna Nowak", email="z@example.net", phone="+4917112345678")
    view = BookingView(
        id=1, service_id=2, office_id=3, starts_at=dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC), status="preconfirmed",
        error=None, email="z@example.net", process_id=4711, auth_key="f00dfeed", activation_minutes=30,
        screenshot_path=None,
    )  # fmt: skip
    for text in (repr(contact), repr(view)):
        for datum in ("Zuzanna", "z@example.net", "+4917112345678", "f00dfeed"):
            assert datum not in text

"""Issue 6: every farm process logs JSON lines carrying the ids of its work, and no secret or personal datum.

A user with a first name and contact data watches two offices (one behind the portal's captcha, so captcha
tokens travel in calendar URLs), one with auto-booking, so the farm books a slot with the user's name, e-mail and
phone; the user gets the alerts, opens /mydata's signed link and an evidence URL; then every process stops and
each line of the api, worker, beat and bot logs is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest

from core.contacts import ContactData, save_contact
from core.db import make_engine, make_sessionmaker, transaction
from core.subscriptions import list_subscriptions, set_auto_book
from tests.e2e.conftest import ALERT, API_TOKEN, RUPPERT, TOKEN, WOHNSITZ, Farm, next_weekday, wait_until

pytestmark = pytest.mark.e2e

CHAT = 6001
FIRST_NAME = "Zuzanna-Wiebke"
FAMILY_NAME = "Quastenflosser"
EMAIL = "zuzanna.wiebke@example.net"
PHONE = "+4915112345678"
SZE, NOTFALL = 10461, 10339028  # an office behind the portal's captcha
MTA_PROCESSES = ("api", "worker", "beat", "bot")  # the replica and the Bot API server are the outside world
# Celery prints this (after a blank line) from its signal handler, past any logging; all else must be JSON.
CELERY_SHUTDOWN_NOTICES = {"worker: Warm shutdown (MainProcess)"}


def watch(farm: Farm, service: int, office: int) -> None:
    before = len(farm.telegram.calls("sendMessage", CHAT))
    farm.telegram.send_text(CHAT, f"/watch {service} {office}", user_id=CHAT, first_name=FIRST_NAME)
    farm.telegram.wait_for_calls("sendMessage", CHAT, count=before + 1, timeout=30)


def book_automatically(database_url: str, service: int) -> None:
    """The user's contact data, and auto-booking on their subscription to ``service`` (what /contact and the
    subscription's button store)."""
    engine = make_engine(database_url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            contact = ContactData(f"{FIRST_NAME} {FAMILY_NAME}", EMAIL, PHONE)
            save_contact(session, user_id=CHAT, data=contact)
            (subscription,) = [s for s in list_subscriptions(session, user_id=CHAT) if s.service_id == service]
            assert set_auto_book(session, subscription_id=subscription.id, user_id=CHAT, auto_book=True)
    finally:
        engine.dispose()


def visit_signed_links(farm: Farm) -> None:
    """/mydata's signed link and a signed evidence URL, so both pass through the API's access log."""
    farm.telegram.send_text(CHAT, "/mydata", user_id=CHAT, first_name=FIRST_NAME)
    reply = wait_until(
        lambda: [c for c in farm.telegram.calls("sendMessage", CHAT) if "/me/" in c.params.get("text", "")],
        timeout=20,
        what="the /mydata link",
    )[0]
    token = re.search(r"/me/([^\s]+)", reply.params["text"])
    assert token, reply.params["text"]
    assert httpx.get(f"{farm.api}/me/{token[1]}", timeout=10).status_code == 200
    target = farm.api_get("/targets")[0]
    found = [c for c in farm.api_get(f"/targets/{target['id']}/checks?limit=500") if c["screenshot_url"]]
    assert found, "a finding with its screenshot"
    assert httpx.get(str(found[0]["screenshot_url"]), timeout=10).status_code == 200


def captcha_tokens(farm: Farm) -> set[str]:
    tokens = {v for r in farm.admin("requests") for v in parse_qs(r.get("query") or "").get("captchaToken", [])}
    assert tokens, "the farm asked the portal with captcha tokens"
    return tokens


def read_lines(farm: Farm, name: str) -> list[str]:
    return (farm.group.log_dir / f"{name}.log").read_text(errors="replace").splitlines()


def test_logs_are_json_with_ids_and_without_secrets(start_farm: Callable[..., Farm], sqlite_url: str) -> None:
    farm = start_farm(sqlite_url, replica_env={"REPLICA_CAPTCHA_VERSION": "v2"})
    watch(farm, WOHNSITZ, RUPPERT)
    watch(farm, NOTFALL, SZE)
    book_automatically(sqlite_url, WOHNSITZ)
    farm.admin("slots/open", {"officeId": RUPPERT, "serviceId": WOHNSITZ, "date": next_weekday(2), "times": ["10:00"]})
    farm.admin("slots/open", {"officeId": SZE, "serviceId": NOTFALL, "date": next_weekday(3), "times": ["08:30"]})
    farm.telegram.wait_for_said(CHAT, ALERT, count=2, timeout=60)
    wait_until(
        lambda: [m for m in farm.admin("outbox") if m["to"] == EMAIL], timeout=45, what="the portal's mail to the user"
    )
    farm.telegram.send_text(CHAT, f"my address is {EMAIL}", user_id=CHAT, first_name=FIRST_NAME)
    visit_signed_links(farm)
    tokens = captcha_tokens(farm)
    farm.group.stop_all()  # shutdown lines count too

    secrets = {TOKEN, TOKEN.split(":", 1)[1], API_TOKEN, FIRST_NAME, FAMILY_NAME, EMAIL, PHONE, *tokens}
    records = []
    for name in MTA_PROCESSES:
        for number, line in enumerate(read_lines(farm, name), 1):
            leaked = [s for s in secrets if s in line]
            assert not leaked, f"{name}.log:{number} leaks {leaked}: {line[:300]}"
            assert not re.search(r"captchaToken=(?!<redacted>)", line), f"{name}.log:{number}: {line[:300]}"
            if not line.strip() or line.strip() in CELERY_SHUTDOWN_NOTICES:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                pytest.fail(f"{name}.log:{number} is not JSON: {line[:300]}")
            assert {"event", "level", "timestamp", "process", "pid"} <= record.keys(), line
            records.append(record)

    assert {r["process"] for r in records} == set(MTA_PROCESSES)
    recorded = [r for r in records if r["event"].startswith("check recorded")]
    assert recorded, "the workers log each check they record"
    assert all({"task_id", "target_id", "check_id", "service_id", "worker"} <= r.keys() for r in recorded)
    assert any("sig=<redacted>" in r["event"] for r in records if r["process"] == "api"), "evidence URL, redacted"

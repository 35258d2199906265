"""The whole farm as real processes: portal replica, Bot API server, API, Celery worker (prefork) and beat, bot."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from launch.farm import farm_env, start_api, start_beat, start_bot, start_replica, start_telegram, start_worker
from launch.processes import ProcessGroup
from telegram_replica.client import TelegramReplicaClient
from telegram_replica.records import Call

TOKEN = "123456:TEST-TOKEN"
API_TOKEN = secrets.token_urlsafe(32)
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
WOHNSITZ, RUPPERT = 1063475, 10489
ALERT = "Free appointment"  # how an alert begins (bot/texts/en.py)


def next_weekday(days_ahead: int = 1) -> str:
    day = dt.datetime.now(ZoneInfo("Europe/Berlin")).date() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def wait_until(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.5, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise TimeoutError(f"not within {timeout:.0f} s: {what}")


def screenshot_of(telegram: TelegramReplicaClient, chat: int, alert: Call, *, timeout: float = 60) -> Call:
    """The photo that shows the alert's screenshot: the alert itself, or the reply that followed it."""
    if alert.method == "sendPhoto":
        return alert
    message_id = int(alert.result["message_id"])
    replies = wait_until(lambda: telegram.replies_to(chat, message_id), timeout=timeout, what="the screenshot")
    photo: Call = replies[0]
    return photo


@dataclass
class Farm:
    group: ProcessGroup
    replica: str
    api: str
    telegram: TelegramReplicaClient

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.replica}/__replica__/{path}"
        response = httpx.post(url, json=body) if body is not None else httpx.get(url)
        response.raise_for_status()
        return response.json()

    def admin_get_catalogue(self) -> list[tuple[int, list[int]]]:
        """(service, up to three offices offering it) for every service of the replica's catalogue."""
        data = httpx.get(f"{self.replica}/buergeransicht/api/citizen/offices-and-services/").json()
        offices: dict[int, list[int]] = {}
        for relation in data["relations"]:
            offices.setdefault(int(relation["serviceId"]), []).append(int(relation["officeId"]))
        return [(service, sorted(found)[:3]) for service, found in sorted(offices.items())]

    def calendar_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.admin("requests") if "available-calendar" in r["path"]]

    def api_get(self, path: str) -> Any:
        response = httpx.get(f"{self.api}{path}", headers=AUTH, timeout=10)
        response.raise_for_status()
        return response.json()

    def api_post(self, path: str, body: Any) -> httpx.Response:
        return httpx.post(f"{self.api}{path}", json=body, headers=AUTH, timeout=30)

    def api_delete(self, path: str) -> None:
        httpx.delete(f"{self.api}{path}", headers=AUTH, timeout=30).raise_for_status()

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{self.group.tail(n, 30)}" for n in self.group.children)


def launch_farm(
    group: ProcessGroup,
    folder: Path,
    *,
    dldb: Path | None,
    redis_url: str,
    database_url: str,
    bot: bool = True,
    beat: bool = True,
    replica_env: dict[str, str] | None = None,
    **settings: str,
) -> Farm:
    """Start the farm's processes in ``group``. Without other settings, neither the replica nor the farm limit
    the request rate: checks every 2 s."""
    replica = start_replica(group, dldb=dldb, extra={"REPLICA_RATE_LIMIT_ENABLED": "false", **(replica_env or {})})
    telegram = start_telegram(group, token=TOKEN)
    group.env = {
        **farm_env(urls_replica=replica, database_url=database_url, redis_url=redis_url, evidence_dir=folder / "ev"),
        "MTA_TELEGRAM_TOKEN": TOKEN,
        "MTA_TELEGRAM_BASE_URL": telegram.base_url,
        "MTA_TELEGRAM_BASE_FILE_URL": telegram.base_file_url,
        "MTA_CHECK_INTERVAL_S": "2",
        "MTA_PORTAL_RATE_LIMIT": "0",
        "MTA_API_TOKEN": API_TOKEN,
        **{f"MTA_{k.upper()}": v for k, v in settings.items()},
    }
    api = start_api(group)
    start_worker(group, concurrency=2)
    if beat:
        start_beat(group, schedule_dir=folder)
    if bot:
        start_bot(group)
    return Farm(group, replica, api, telegram)


@pytest.fixture
def start_farm(
    tmp_path: Path, dldb: Path, redis_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Farm]]:
    """Start the farm on the given database; extra MTA_* settings as keyword arguments."""
    group = ProcessGroup(tmp_path / "logs")

    def start(database_url: str, **options: Any) -> Farm:
        return launch_farm(group, tmp_path, dldb=dldb, redis_url=redis_url, database_url=database_url, **options)

    yield start
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        for name in group.children:
            print(f"--- {name}.log ---\n{group.tail(name, 60)}")
    group.stop_all()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report

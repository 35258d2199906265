"""``make demo``: the whole farm on this machine, a demo slot opened, the finding printed.

SQLite under ``var/demo``, a private redis-server unless ``MTA_REDIS_URL`` is set, the portal replica
with its built-in sample catalogue (or ``--dldb PATH``), API, one Celery worker, beat, and the bot when
``MTA_TELEGRAM_TOKEN`` is set. Runs until Ctrl-C and leaves no process behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from core.migrate import upgrade
from launch.farm import farm_env, start_api, start_beat, start_bot, start_redis, start_replica, start_worker
from launch.processes import ProcessGroup

DEMO_SERVICE, DEMO_OFFICE = 1063475, 10489  # Wohnsitzanmeldung at Bürgerbüro Ruppertstraße
DEMO_CHAT = 4242


def _tomorrow_morning() -> str:
    day = dt.datetime.now(ZoneInfo("Europe/Berlin")).date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


def _wait_for_finding(api: str, target_id: int, timeout: float) -> dict[str, object]:
    """The first finding once its screenshot is made (it follows the finding) or has failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for check in httpx.get(f"{api}/targets/{target_id}/checks", timeout=5).json():
            if check["outcome"] == "slots" and (check["screenshot_url"] or check["render_error"]):
                return dict(check)
        time.sleep(1)
    raise TimeoutError("no finding within the time limit; see the logs under var/demo/logs")


def run(dldb: Path | None, interval: float) -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # like Ctrl-C: every process started is stopped
    root = Path("var/demo").resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / "mta.db").unlink(missing_ok=True)
    with ProcessGroup(root / "logs") as group:
        redis_url = os.environ.get("MTA_REDIS_URL") or start_redis(group)
        replica = start_replica(group, dldb=dldb)
        database_url = f"sqlite:///{root / 'mta.db'}"
        upgrade(database_url)
        group.env = {
            **farm_env(
                urls_replica=replica, database_url=database_url, redis_url=redis_url, evidence_dir=root / "evidence"
            ),
            "MTA_CHECK_INTERVAL_S": str(interval),
            "MTA_DEMO": "1",  # the control API is open, for this machine only
        }
        api = start_api(group)
        start_worker(group, concurrency=1)
        start_beat(group, schedule_dir=root)
        if os.environ.get("MTA_TELEGRAM_TOKEN"):
            start_bot(group)
        print(f"portal replica  {replica}/buergerservice/terminvereinbarung.html")
        print(f"control API     {api}/docs")
        subscription = httpx.post(
            f"{api}/subscriptions",
            json={"user_id": DEMO_CHAT, "service_id": DEMO_SERVICE, "office_ids": [DEMO_OFFICE]},
            timeout=30,
        ).raise_for_status()
        target = next(t for t in httpx.get(f"{api}/targets").json() if t["office_id"] == DEMO_OFFICE)
        day = _tomorrow_morning()
        httpx.post(
            f"{replica}/__replica__/slots/open",
            json={"officeId": DEMO_OFFICE, "serviceId": DEMO_SERVICE, "date": day, "times": ["09:00", "09:15"]},
        ).raise_for_status()
        print(f"subscription    #{subscription.json()['id']}: Wohnsitzanmeldung at Ruppertstraße")
        print(f"demo slots      opened on the replica for {day} 09:00 and 09:15; waiting for the farm …")
        started = time.monotonic()
        check = _wait_for_finding(api, target["id"], timeout=90)
        print(
            f"FOUND           {check['slot_count']} free slot(s) in check #{check['id']} "
            f"after {time.monotonic() - started:.1f} s"
        )
        print(f"screenshot      {check['screenshot_url'] or 'not made: ' + str(check['render_error'])}")
        print(f"check           {api}/checks/{check['id']}")
        print("The farm keeps watching. Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nstopping …")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dldb", type=Path, default=None, help="the city's dldb folder (default: built-in sample)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between checks of a target")
    args = parser.parse_args()
    run(args.dldb, args.interval)


if __name__ == "__main__":
    main()

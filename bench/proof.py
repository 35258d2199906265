"""The alert when its screenshot fails: from the check that saw a slot to the message at the Bot API server.

The booking page is a page that loads but never shows "Weiter" (a changed or broken page of the city), so every
render fails after the browser's timeout; the alert must not wait for it (issue 16). Slots open one at a time
at two offices; ``alert_p95_when_render_fails_s`` is the 95th percentile of alert time minus the check's start (the
moment its portal request left), over ``OPENINGS`` alerts.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import select

from bench.detect import ALERT, WOHNSITZ, _day
from bench.farm import bench_farm, start_checking
from core.db import transaction
from core.models import Alert, Check, Subscription
from launch.broken_page import broken_page

OFFICES = [10489, 102522]
OPENINGS = 20
CHAT = 950


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="mta-bench-proof-") as tmp, broken_page() as page:
        settings = {
            "portal_rate_limit": "0",
            "check_interval_s": "2",
            "portal_page_url": page,
            "browser_timeout_s": "3",
        }
        with bench_farm(Path(tmp), replica_env={}, settings=settings) as farm:
            farm.subscribe(chat=CHAT, service=WOHNSITZ, offices=OFFICES)
            start_checking(farm, Path(tmp))
            for n in range(OPENINGS):
                office = OFFICES[n % len(OFFICES)]
                at = f"{8 + n // 6:02d}:{(n % 6) * 10:02d}"
                farm.admin("slots/open", {"officeId": office, "serviceId": WOHNSITZ, "date": _day(4), "times": [at]})
                farm.telegram.wait_for_said(CHAT, ALERT, count=n + 1, timeout=120)
                farm.admin("slots/close", {"officeId": office, "serviceId": WOHNSITZ})
            alerts = farm.telegram.said(CHAT, ALERT)
            with transaction(farm.sessions) as session:
                started = list(
                    session.scalars(
                        select(Check.started_at)
                        .join(Alert, Alert.check_id == Check.id)
                        .join(Subscription, Subscription.id == Alert.subscription_id)
                        .where(Subscription.user_id == CHAT)
                        .group_by(Check.id, Check.started_at)
                        .order_by(Check.id)
                    )
                )
                failed = session.scalar(select(Check.id).where(Check.render_error.is_not(None)).limit(1))
    if failed is None:
        raise RuntimeError("no render failed: the bench did not measure what it says")
    delays = [a.time - s.replace(tzinfo=dt.UTC).timestamp() for a, s in zip(alerts, started, strict=True)]
    return {
        "alert_p95_when_render_fails_s": round(statistics.quantiles(delays, n=20)[18], 3),
        "alert_p50_when_render_fails_s": round(statistics.median(delays), 3),
        "alert_text_share_when_render_fails": round(sum(a.method == "sendMessage" for a in alerts) / len(alerts), 2),
    }

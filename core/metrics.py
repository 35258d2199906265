"""Every Prometheus metric of MTA, declared once. Prefork workers use multiprocess mode."""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

CHECKS = Counter("mta_checks_total", "Checks done, by outcome", ["outcome"])
CHECK_SECONDS = Histogram(
    "mta_check_duration_seconds", "Duration of one check", buckets=(0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)
)
SLOTS_FOUND = Counter("mta_slots_found_total", "Slot appearances opened")
ALERTS_SENT = Counter("mta_alerts_sent_total", "Alert messages delivered to chats")
BROWSER_LAUNCHES = Counter("mta_browser_launches_total", "Chromium launches")
BROWSER_RETIREMENTS = Counter("mta_browser_retirements_total", "Chromium browsers retired, by reason", ["reason"])
PAGES_OPEN = Gauge("mta_browser_pages_open", "Warm browser pages held by worker processes", multiprocess_mode="livesum")
BREAKER_OPEN = Gauge("mta_breaker_open", "1 while the portal breaker is open", multiprocess_mode="max")
BUDGET_REQUESTS = Counter(
    "mta_budget_requests_total", "Portal requests asked of the budget, by priority and answer", ["priority", "granted"]
)
CAPTCHA_CHALLENGES = Counter("mta_captcha_challenges_total", "ALTCHA challenges fetched and solved")
HTTP_SECONDS = Histogram(
    "mta_http_request_duration_seconds", "Control API request latency", ["method", "route", "status"]
)


def render() -> bytes:
    """The exposition text; aggregated over processes when PROMETHEUS_MULTIPROC_DIR is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()

"""Every Prometheus metric of MTA, declared once. Prefork workers use multiprocess mode."""

from __future__ import annotations

import os

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.registry import REGISTRY, Collector

CHECKS = Counter("mta_checks_total", "Checks done, by outcome", ["outcome"])
CHECK_SECONDS = Histogram(
    "mta_check_duration_seconds", "Duration of one check", buckets=(0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)
)
SLOTS_FOUND = Counter("mta_slots_found_total", "Slot appearances opened")
RENDER_FAILURES = Counter(
    "mta_render_failures_total", "Evidence screenshots of the booking page that could not be made (alerts went without)"
)
VERIFICATIONS = Counter(
    "mta_verifications_total", "Newly listed days asked for their times, by result (times, no_time)", ["result"]
)
ALERTS_SENT = Counter("mta_alerts_sent_total", "Alert messages delivered to chats")
BROWSER_UNAVAILABLE = Counter(
    "mta_browser_unavailable_total", "Checks that could not run because our Chromium could not start"
)
BROWSER_LAUNCHES = Counter("mta_browser_launches_total", "Chromium launches")
BROWSER_RETIREMENTS = Counter("mta_browser_retirements_total", "Chromium browsers retired, by reason", ["reason"])
PAGES_OPEN = Gauge("mta_browser_pages_open", "Warm browser pages held by worker processes", multiprocess_mode="livesum")
BREAKER_OPEN = Gauge("mta_breaker_open", "1 while the portal breaker is open", multiprocess_mode="max")
BUDGET_REQUESTS = Counter(
    "mta_budget_requests_total", "Portal requests asked of the budget, by priority and answer", ["priority", "granted"]
)
CAPTCHA_VISITS = Counter(
    "mta_captcha_visits_total", "captcha-challenge/ calls; the portal's captcha service raises the difficulty with them"
)
CAPTCHA_DIFFICULTY = Gauge(
    "mta_captcha_difficulty",
    "The difficulty of the last captcha challenge: maxnumber (ALTCHA v1) or cost (v2)",
    multiprocess_mode="mostrecent",
)
CAPTCHA_SOLVE_SECONDS = Histogram(
    "mta_captcha_solve_seconds", "Time to solve a captcha challenge", buckets=(0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60)
)
PORTAL_CHANGED = Counter(
    "mta_portal_changed_total", "Portal answers of an unexpected shape: the portal changed, an operator must look"
)
HTTP_SECONDS = Histogram(
    "mta_http_request_duration_seconds", "Control API request latency", ["method", "route", "status"]
)


def _registry() -> CollectorRegistry:
    """Every process's metrics when PROMETHEUS_MULTIPROC_DIR is set, else this process's own."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def render(*extra: Collector) -> bytes:
    """The exposition text; aggregated over processes when PROMETHEUS_MULTIPROC_DIR is set; ``extra``
    collectors (read at scrape time, such as the API's view of Redis and the database) follow."""
    text = generate_latest(_registry())
    if extra:
        registry = CollectorRegistry(auto_describe=True)
        for collector in extra:
            registry.register(collector)
        text += generate_latest(registry)
    return text


def serve(port: int) -> None:
    """Serve /metrics on ``port`` from a thread: a worker's main process, for its prefork children."""
    start_http_server(port, registry=_registry())


def mark_process_dead(pid: int) -> None:
    """Drop a finished process's live gauges (pages open) from the multiprocess totals."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]

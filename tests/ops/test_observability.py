"""Prometheus configuration, alert rules and the Grafana dashboard refer only to metrics the code defines.

Every PromQL expression is parsed (promql-parser) and its metric names looked up among ``core.metrics`` and
the families the API exports at scrape time (``api.farm_metrics.FarmState``). With promtool (Debian's
``prometheus`` package, which .ci/run installs) the rules and config are checked and the alerts unit-tested.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from api.farm_metrics import FarmState
from core import metrics
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = json.loads((ROOT / "deploy" / "grafana" / "dashboards" / "mta.json").read_text())
DATASOURCES = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text())
RULES = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
CONFIG = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
}
PROMETHEUS_OWN = {"up"}  # written by Prometheus for every scrape target
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def families() -> Iterator[tuple[str, str]]:
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            for family in value.describe():
                yield family.name, family.type
    farm_state = FarmState(client=None, sessions=None, settings=Settings())  # type: ignore[arg-type]  # describe() reads nothing
    for family in farm_state.describe():
        yield family.name, family.type


DEFINED = {name + suffix for name, kind in families() for suffix in SUFFIXES[kind]} | PROMETHEUS_OWN


def metric_names(node: Any) -> set[str]:
    """Every metric a parsed PromQL expression selects."""
    if isinstance(node, promql_parser.VectorSelector):
        return {node.name} if node.name else set()
    if isinstance(node, promql_parser.MatrixSelector):
        return metric_names(node.vector_selector)
    if isinstance(node, promql_parser.BinaryExpr):
        return metric_names(node.lhs) | metric_names(node.rhs)
    if isinstance(node, promql_parser.AggregateExpr):
        return metric_names(node.expr) | (metric_names(node.param) if node.param is not None else set())
    if isinstance(node, promql_parser.Call):
        return set().union(*(metric_names(arg) for arg in node.args))
    if isinstance(node, promql_parser.ParenExpr | promql_parser.UnaryExpr | promql_parser.SubqueryExpr):
        return metric_names(node.expr)
    return set()


def parse(expr: str) -> set[str]:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return metric_names(promql_parser.parse(expr))


def dashboard_exprs() -> list[tuple[str, str]]:
    return [(panel["title"], target["expr"]) for panel in DASHBOARD["panels"] for target in panel["targets"]]


def rules() -> list[dict[str, Any]]:
    return [rule for group in RULES["groups"] for rule in group["rules"]]


def test_the_metric_names_are_known() -> None:
    assert {"mta_checks_total", "mta_check_duration_seconds_bucket", "mta_portal_breaker_state"} <= DEFINED
    assert parse("sum by (x) (rate(mta_checks_total[5m])) / on() group_left max(up)") == {"mta_checks_total", "up"}


@pytest.mark.parametrize(("panel", "expr"), dashboard_exprs())
def test_each_dashboard_query_parses_and_uses_defined_metrics(panel: str, expr: str) -> None:
    names = parse(expr)
    assert names, f"{panel}: selects no metric"
    assert names <= DEFINED, f"{panel}: unknown metrics {names - DEFINED}"


def test_the_dashboard_shows_what_the_operator_asked_for() -> None:
    used: dict[str, set[str]] = {}
    for title, expr in dashboard_exprs():
        used.setdefault(title, set()).update(parse(expr))
    wanted = {
        "Checks per minute, by outcome": {"mta_checks_total"},
        "Detection latency": {"mta_target_success_age_seconds", "mta_check_duration_seconds_bucket"},
        "Breaker state": {"mta_portal_breaker_state"},
        "Request budget use": {"mta_budget_run_requests", "mta_budget_run_limit"},
        "Browsers open": {"mta_browser_pages_open"},
        "Alerts sent per minute": {"mta_alerts_sent_total"},
    }
    for title, names in wanted.items():
        assert names <= used.get(title, set()), title


def test_the_dashboard_uses_the_provisioned_data_source() -> None:
    (source,) = DATASOURCES["datasources"]
    assert source["url"] == "http://prometheus:9090"
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] == source["uid"], panel["title"]
    assert len({panel["id"] for panel in DASHBOARD["panels"]}) == len(DASHBOARD["panels"])


def test_alert_rules_have_the_shape_prometheus_reads() -> None:
    assert set(RULES) == {"groups"}
    for group in RULES["groups"]:
        assert set(group) <= {"name", "interval", "rules"}
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
            assert re.fullmatch(r"\d+[smh]", rule["for"])
            assert rule["annotations"]["summary"]


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_each_alert_rule_parses_and_uses_defined_metrics(rule: dict[str, Any]) -> None:
    names = parse(rule["expr"])
    assert names, "selects no metric"
    assert names <= DEFINED, f"unknown metrics {names - DEFINED}"


def test_the_three_alerts_the_operator_asked_for() -> None:
    by_name = {rule["alert"]: rule for rule in rules()}
    assert "mta_portal_breaker_state" in by_name["PortalBreakerOpen"]["expr"]
    assert by_name["PortalBreakerOpen"]["for"] == "5m"
    assert "3 * mta_target_check_interval_seconds" in by_name["TargetNotChecked"]["expr"]
    assert "mta_worker_heartbeat_age_seconds" in by_name["WorkerHeartbeatMissing"]["expr"]


def test_prometheus_scrapes_the_api_every_worker_and_the_bot() -> None:
    jobs = {job["job_name"]: job for job in CONFIG["scrape_configs"]}
    services = COMPOSE["services"]
    assert jobs["mta-api"]["static_configs"][0]["targets"] == ["api:8000"]
    assert "--port" in services["api"]["command"]
    assert services["api"]["command"][services["api"]["command"].index("--port") + 1] == "8000"
    (workers,) = jobs["mta-worker"]["dns_sd_configs"]
    assert workers["names"] == ["worker", "proof"], "one address per replica: --scale needs no change here"
    assert str(workers["port"]) == services["worker"]["environment"]["MTA_METRICS_PORT"]
    assert jobs["mta-bot"]["static_configs"][0]["targets"] == [
        f"bot:{services['bot']['environment']['MTA_METRICS_PORT']}"
    ]
    assert CONFIG["rule_files"] == ["alerts.yml"]


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing: .ci/run installs Debian's prometheus package")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "args",
    [("check", "rules", "alerts.yml"), ("check", "config", "prometheus.yml"), ("test", "rules", "alerts_test.yml")],
    ids=" ".join,
)
def test_promtool_accepts_the_configuration(args: tuple[str, ...]) -> None:
    done = promtool(*args)
    assert done.returncode == 0, done.stdout + done.stderr

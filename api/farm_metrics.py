"""The farm's shared state as Prometheus gauges, read from Redis and the database at scrape time by the API.

The breaker, the budget and the node heartbeats live in Redis and belong to no single worker process, and a
target's last successful check lives in the database; so the API, which reads both, exports them. The workers'
own counters and histograms are ``core.metrics``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator

import redis
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.budget import Priority, budget_for, read_budget
from core.db import transaction
from core.models import Check, Subscription, Target, User, subscription_targets
from core.nodes import node_ages
from core.portal_state import breaker_state, planned_intervals
from core.settings import Settings

log = logging.getLogger(__name__)
BREAKER_STATES = ("closed", "open", "half-open")
SUCCESS_WINDOW_S = 86400.0  # older successes count as none: the query stays on the recent checks


class FarmState(Collector):
    def __init__(self, *, client: redis.Redis, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.client, self.sessions, self.settings = client, sessions, settings
        self.portal = settings.portal

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The families without samples, so a registry (and the tests) know the names without Redis."""
        yield from self._portal_families()
        yield from self._node_families()
        yield from self._target_families()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = time.time()
        try:
            yield from self._portal_families(now)
            yield from self._node_families(now)
        except redis.RedisError as exc:
            log.warning("metrics without the farm's Redis state: %s", exc)
        try:
            yield from self._target_families(now)
        except Exception as exc:  # a scrape must not fail because the database is away for a moment
            log.warning("metrics without the targets' checks: %s", exc)

    def _portal_families(self, now: float | None = None) -> Iterator[GaugeMetricFamily]:
        breaker = GaugeMetricFamily(
            "mta_portal_breaker_state", "1 for the shared breaker's current state", labels=["portal", "state"]
        )
        used = GaugeMetricFamily(
            "mta_budget_run_requests", "Portal requests counted in the current run", labels=["portal"]
        )
        limit = GaugeMetricFamily(
            "mta_budget_run_limit", "Requests a run holds for checks (0: the portal has no limit)", labels=["portal"]
        )
        blocked = GaugeMetricFamily(
            "mta_budget_blocked_seconds", "Seconds of silence left after the portal refused (429)", labels=["portal"]
        )
        if now is not None:
            state = breaker_state(self.client, self.portal)
            for name in BREAKER_STATES:
                breaker.add_metric([self.portal, name], 1.0 if state == name else 0.0)
            budget = budget_for(self.settings, self.client).config
            raw = read_budget(self.client, self.portal)
            last, count = float(raw.get("last", 0)), float(raw.get("count", 0))
            used.add_metric([self.portal], count if now - last < budget.silence else 0.0)
            limit.add_metric([self.portal], float(budget.run_limit(Priority.VERIFY)))  # checks and verifications
            blocked.add_metric([self.portal], max(0.0, float(raw.get("blocked_until", 0)) - now))
        yield from (breaker, used, limit, blocked)

    def _node_families(self, now: float | None = None) -> Iterator[GaugeMetricFamily]:
        ages = GaugeMetricFamily(
            "mta_worker_heartbeat_age_seconds", "Seconds since a worker node's latest heartbeat", labels=["node"]
        )
        if now is not None:
            for node, age in sorted(node_ages(self.client, now=now).items()):
                ages.add_metric([node], age)
        yield ages

    def _target_families(self, now: float | None = None) -> Iterator[GaugeMetricFamily]:
        labels = ["target", "service", "office"]
        age = GaugeMetricFamily(
            "mta_target_success_age_seconds", "Seconds since a watched target's latest successful check", labels=labels
        )
        interval = GaugeMetricFamily(
            "mta_target_check_interval_seconds", "Seconds the plan means to leave between two checks", labels=labels
        )
        if now is not None:
            intervals = planned_intervals(self.client, self.portal)
            since = dt.datetime.fromtimestamp(now - SUCCESS_WINDOW_S, dt.UTC)
            with transaction(self.sessions) as session:
                rows = watched_successes(session, since=since)
            for target_id, service_id, office_id, last in rows:
                key = [str(target_id), str(service_id), str(office_id)]
                age.add_metric(key, now - (last.timestamp() if last else since.timestamp()))
                interval.add_metric(key, intervals.get(service_id, self.settings.check_interval_s))
        yield from (age, interval)


def watched_successes(session: Session, *, since: dt.datetime) -> list[tuple[int, int, int, dt.datetime | None]]:
    """(target, service, office, latest successful check since ``since`` or None) of every watched target."""
    watched = (
        select(Target.id, Target.service_id, Target.office_id)
        .join(subscription_targets, subscription_targets.c.target_id == Target.id)
        .join(Subscription, Subscription.id == subscription_targets.c.subscription_id)
        .join(User, User.id == Subscription.user_id)
        .where(Subscription.active.is_(True), User.active.is_(True))
        .distinct()
        .subquery()
    )
    newest = (
        select(Check.target_id, func.max(Check.finished_at).label("last"))
        .where(Check.outcome != "error", Check.started_at >= since, Check.target_id.in_(select(watched.c.id)))
        .group_by(Check.target_id)
        .subquery()
    )
    rows = session.execute(
        select(watched.c.id, watched.c.service_id, watched.c.office_id, newest.c.last)
        .outerjoin(newest, newest.c.target_id == watched.c.id)
        .order_by(watched.c.id)
    ).all()
    return [(t, s, o, last) for t, s, o, last in rows]

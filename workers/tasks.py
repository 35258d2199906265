"""Celery tasks: thin wrappers that take ids and call the plain functions of the farm."""

from __future__ import annotations

import os
from typing import Any

from core.db import transaction
from core.subscriptions import watched_targets
from workers.celery_app import app
from workers.check import check_target as run_check
from workers.farm import current_farm


@app.task(name="workers.tasks.check_target", bind=True)
def check_target(self: Any, target_id: int) -> int | None:
    """Check one target once; a redelivered task returns the check it already recorded."""
    worker = f"{self.request.hostname}:{os.getpid()}"
    return run_check(current_farm(), target_id=target_id, task_id=self.request.id, worker=worker)


@app.task(name="workers.tasks.schedule_checks")
def schedule_checks() -> int:
    """Enqueue one check per watched target, unless one is still queued or running for it."""
    farm = current_farm()
    with transaction(farm.sessions) as session:
        target_ids = [t.id for t in watched_targets(session)]
    hold = max(1, int(farm.settings.check_interval_s * 0.9))
    queued = 0
    for target_id in target_ids:
        if farm.redis.set(f"mta:queued:{target_id}", 1, nx=True, ex=hold):
            check_target.delay(target_id)
            queued += 1
    return queued

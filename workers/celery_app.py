"""The Celery application: Redis broker, late acks, one task at a time per process, the beat schedule."""

from __future__ import annotations

from celery import Celery

from core.settings import Settings, get_settings

LONGEST_TASK_S = 120


def make_celery(settings: Settings) -> Celery:
    app = Celery("mta", broker=settings.redis_url, include=["workers.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_retry_on_worker_lost=True,  # a check whose process died is sent again at once, same task id
        worker_prefetch_multiplier=1,
        task_soft_time_limit=LONGEST_TASK_S - 30,
        task_time_limit=LONGEST_TASK_S,
        # Planned checks wait in the worker until their send time (eta, at most a few seconds ahead).
        broker_transport_options={"visibility_timeout": LONGEST_TASK_S * 3},
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        worker_hijack_root_logger=False,
        beat_schedule={
            "plan-checks": {"task": "workers.tasks.plan_checks", "schedule": 1.0},
            "prune-checks": {"task": "workers.tasks.prune_checks", "schedule": 3600.0},
        },
    )
    return app


app = make_celery(get_settings())

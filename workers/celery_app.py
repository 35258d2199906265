"""The Celery application: Redis broker, late acks, one task at a time per process, the beat schedule.

Its signal handlers make every worker and beat process log JSON lines (``core.logs``), refuse to start on an
unmigrated database, bind each task's ids to its log lines, beat a node heartbeat, and serve /metrics when
``MTA_METRICS_PORT`` is set.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from typing import Any

import redis
import structlog
from celery import Celery, signals

from core import metrics
from core.db import make_engine
from core.logs import configure_logging
from core.migrate import require_current
from core.nodes import beat_node, forget_node
from core.queue import CHECKS_QUEUE, PROOF_QUEUE, ROUTES
from core.settings import Settings, get_settings
from workers.browser import chromium_problem

LONGEST_TASK_S = 120
NODE_BEAT_S = 10.0

log = logging.getLogger(__name__)


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
        # A worker takes both queues unless started with ``-Q``: one for checks, one for renders (``core.queue``).
        task_queues={name: {"exchange": name, "routing_key": name} for name in (CHECKS_QUEUE, PROOF_QUEUE)},
        task_default_queue=CHECKS_QUEUE,
        task_routes={name: {"queue": queue} for name, queue in ROUTES.items()},
        # A pool process launches its Chromium as it starts (``workers.tasks``): allow it the launch's bound.
        worker_proc_alive_timeout=settings.browser_timeout_s * 2 + 5,
        worker_hijack_root_logger=False,
        beat_schedule={
            "plan-checks": {"task": "workers.tasks.plan_checks", "schedule": 1.0},
            "prune-checks": {"task": "workers.tasks.prune_checks", "schedule": 3600.0},
        },
    )
    return app


app = make_celery(get_settings())

_process = "celery"  # "worker" or "beat" once Celery says which
_node = ""  # the worker's node name, as its tasks see it (``worker@host``)
_node_stop = threading.Event()
_heartbeat: tuple[threading.Thread, redis.Redis] | None = None  # the main process's node heartbeat


def _setup_logging(**_: Any) -> None:
    """Celery leaves logging to us (also in each prefork child): JSON lines through core.logs."""
    if _process == "celery":  # beat sets logging up before its first signal: name it from its command line
        _log_as("beat" if "beat" in sys.argv[1:] else "worker")
    else:
        _log_as(_process)


def _log_as(process: str) -> None:
    global _process
    _process = process
    settings = get_settings()
    configure_logging(settings, process=process, level=settings.log_level)


def _celeryd_init(sender: str | None = None, **_: Any) -> None:
    global _node
    _node = sender or ""  # the pool's processes inherit it
    _log_as("worker")  # the worker's first signal: Celery's own start-up warnings become JSON lines too


def process_name() -> str:
    """This worker process as heartbeats and checks name it: ``node:pid``."""
    return f"{_node}:{os.getpid()}"


def _start(process: str) -> None:
    """Log as ``process`` and stop, naming the command to run, unless the database schema is current."""
    _log_as(process)
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        require_current(engine)
    except Exception as exc:  # an old schema or no database at all: either way this process cannot work
        log.critical("mta %s refuses to start: %s", process, exc)
        raise SystemExit(1) from exc  # Celery's signal dispatch swallows exceptions, not SystemExit
    finally:
        engine.dispose()  # nothing of it may cross the fork into the pool


def _worker_init(**_: Any) -> None:
    _start("worker")  # the main process, before the pool forks
    if problem := chromium_problem(get_settings().chromium_path):  # found now, not after the first checks
        log.critical("mta worker refuses to start: %s", problem)
        print(f"mta worker refuses to start: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(1)


def _beat_init(**_: Any) -> None:
    _start("beat")


def _beat_node_forever(client: redis.Redis, node: str) -> None:
    while not _node_stop.is_set():
        try:
            beat_node(client, node)
        except redis.RedisError as exc:
            log.warning("node heartbeat failed: %s", exc)
        _node_stop.wait(NODE_BEAT_S)


def _worker_ready(sender: Any, **_: Any) -> None:
    global _heartbeat
    settings = get_settings()
    if settings.metrics_port:
        metrics.serve(settings.metrics_port)
        log.info("serving /metrics of this worker's processes on port %d", settings.metrics_port)
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=5)
    _heartbeat = threading.Thread(target=_beat_node_forever, args=(client, sender.hostname), daemon=True), client
    _heartbeat[0].start()


def _worker_shutdown(sender: Any, **_: Any) -> None:
    """A clean shutdown (scaling down, a deploy) is no missing heartbeat: the node takes its beat away."""
    _node_stop.set()
    if _heartbeat is not None:
        thread, client = _heartbeat
        thread.join(timeout=NODE_BEAT_S)
        with contextlib.suppress(redis.RedisError):
            forget_node(client, sender.hostname)


def _process_shutdown(pid: int, **_: Any) -> None:
    metrics.mark_process_dead(pid)


def _bind_task(task_id: str, task: Any, **_: Any) -> None:
    worker = f"{task.request.hostname}:{os.getpid()}"
    structlog.contextvars.bind_contextvars(task_id=task_id, task=task.name, worker=worker)


def _unbind_task(**_: Any) -> None:
    structlog.contextvars.clear_contextvars()


signals.setup_logging.connect(_setup_logging)
signals.celeryd_init.connect(_celeryd_init)
signals.worker_init.connect(_worker_init)
signals.beat_init.connect(_beat_init)
signals.worker_ready.connect(_worker_ready)
signals.worker_shutdown.connect(_worker_shutdown)
signals.worker_process_shutdown.connect(_process_shutdown)
signals.task_prerun.connect(_bind_task)
signals.task_postrun.connect(_unbind_task)

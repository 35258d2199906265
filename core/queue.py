"""Enqueueing the farm's Celery tasks by name, for processes that must not import the workers (the bot)."""

from __future__ import annotations

import datetime as dt

from celery import Celery

CHECK_SERVICE = "workers.tasks.check_service"
BOOK_SLOT = "workers.tasks.book_slot"
CANCEL_BOOKING = "workers.tasks.cancel_booking"
REFRESH_BOOKING = "workers.tasks.refresh_booking"
ADD_THUMBNAIL = "workers.tasks.add_thumbnail"
ADD_PROOF = "workers.tasks.add_proof"
RENEW_CAPTCHA = "workers.tasks.renew_captcha"

CHECKS_QUEUE = "celery"  # Celery's default: checks, bookings, beat's tasks
PROOF_QUEUE = "proof"
# Renders of the booking page and captcha solves take seconds; on their own queue a farm can give them processes
# of their own (``-Q proof``), so a planned check never waits behind one. A worker without ``-Q`` takes both.
ROUTES = {ADD_PROOF: PROOF_QUEUE, ADD_THUMBNAIL: PROOF_QUEUE, RENEW_CAPTCHA: PROOF_QUEUE}


class TaskQueue:
    """A Celery client on the farm's broker; it sends tasks and runs none."""

    def __init__(self, broker_url: str) -> None:
        self._app = Celery("mta", broker=broker_url, set_as_current=False)
        self._app.conf.broker_connection_retry_on_startup = True

    def send(self, name: str, *args: object, countdown: float | None = None, at: float | None = None) -> None:
        """Blocking (a Redis round trip): async callers run it in a thread. ``countdown``: run it no sooner than
        that many seconds from now; ``at``: no sooner than that Unix time."""
        eta = dt.datetime.fromtimestamp(at, dt.UTC) if at is not None else None
        self._app.send_task(name, args=args, countdown=countdown, eta=eta, queue=ROUTES.get(name, CHECKS_QUEUE))

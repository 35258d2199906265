"""Portal requests from the browser's own HTTP client: same identity, cookies and egress as its pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import APIResponse, Page
from playwright.sync_api import Error as PlaywrightError

from core.budget import Budget, Priority
from workers.browser import BrowserGone
from workers.portal import PortalError, PortalUnavailable, backend_failure, raise_for_answer

TIMEOUT_MS = 15_000


class NoBudget(Exception):
    """The request budget has no request for this now; try again after ``wait_s``. ``new_count``: the wait is for
    the portal's count to reset (not for an answer in flight or a booking)."""

    def __init__(self, wait_s: float, *, new_count: bool = True) -> None:
        super().__init__(f"no request budget for {wait_s:.2f} s")
        self.wait_s = wait_s
        self.new_count = new_count


@dataclass(frozen=True)
class Answer:
    url: str
    status: int
    headers: dict[str, str]
    raw: bytes
    body: Any  # the parsed JSON, or None when the body is not JSON


def _answer(url: str, response: APIResponse, budget: Budget, ticket: str) -> Answer:
    """The answer, read; its ticket is given back whatever happens, or it would hold back every other request."""
    headers, failed = dict(response.headers), response.status >= 500
    try:
        raw = response.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        failed = backend_failure(response.status, body)
    finally:
        budget.answered(headers, ticket=ticket, failed=failed)
    return Answer(url, response.status, headers, raw, body)


def _ask_budget(budget: Budget, priority: Priority, wait_s: float) -> str:
    """Take a request from the budget right before sending it (bookings and captchas may wait for one); returns
    its ticket, which the answer, or its absence, gives back."""
    grant = budget.wait_for(priority, timeout_s=wait_s) if wait_s > 0 else budget.take(priority)
    if not grant.granted:
        raise NoBudget(grant.wait_s, new_count=grant.waits_for == "count")
    return grant.ticket


def _failure(page: Page, url: str, exc: PlaywrightError) -> Exception:
    browser = page.context.browser
    if browser is None or not browser.is_connected():
        return BrowserGone(f"the browser died during a request to {url}")
    return PortalUnavailable(f"no answer: {exc.message.splitlines()[0]}", url)


def raise_for(answer: Answer, budget: Budget) -> None:
    """A refusal or failure of the portal as the typed error it stands for, with its raw body kept; a 429 also
    silences the budget until the portal's limiter has surely reset."""
    if answer.status == 429:
        budget.silence_after_refusal()
    try:
        raise_for_answer(url=answer.url, status=answer.status, body=answer.body)
    except PortalError as exc:
        exc.body = answer.raw
        raise


def get_json(
    page: Page,
    url: str,
    *,
    budget: Budget,
    priority: Priority = Priority.CHECK,
    wait_s: float = 0.0,
    timeout_ms: float = TIMEOUT_MS,
) -> Answer:
    def send() -> APIResponse:
        return page.request.get(url, timeout=timeout_ms, fail_on_status_code=False)

    return _exchange(page, url, send, budget=budget, priority=priority, wait_s=wait_s)


def post_json(
    page: Page,
    url: str,
    payload: Any,
    *,
    budget: Budget,
    priority: Priority = Priority.CHECK,
    wait_s: float = 0.0,
    timeout_ms: float = TIMEOUT_MS,
) -> Answer:
    def send() -> APIResponse:
        return page.request.post(url, data=payload, timeout=timeout_ms, fail_on_status_code=False)

    return _exchange(page, url, send, budget=budget, priority=priority, wait_s=wait_s)


def _exchange(
    page: Page, url: str, send: Callable[[], APIResponse], *, budget: Budget, priority: Priority, wait_s: float
) -> Answer:
    """One request within the budget: a ticket taken right before it is sent, given back by its answer or by its
    failure (a failure of our browser is not counted against the portal)."""
    ticket = _ask_budget(budget, priority, wait_s)
    try:
        response = send()
    except PlaywrightError as exc:
        failure = _failure(page, url, exc)
        budget.unanswered(ticket=ticket, portal_failed=not isinstance(failure, BrowserGone))
        raise failure from exc
    return _answer(url, response, budget, ticket)

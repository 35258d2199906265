"""The shared catalogue: the farm's processes that find no copy fetch it from the portal once, not each."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis

from core.catalogue import CachedCatalogue, Catalogue

CATALOGUE = {
    "offices": [{"id": 10489, "name": "Bürgerbüro Ruppertstraße"}],
    "services": [{"id": 1063475, "name": "Meldebescheinigung"}],
    "relations": [{"officeId": 10489, "serviceId": 1063475}],
}


class Portal(ThreadingHTTPServer):
    """Answers ``offices-and-services/`` slowly (so fetches overlap), failing the first ``failures`` times."""

    def __init__(self, failures: int = 0) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.failures = failures
        self.requests = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Portal

    def do_GET(self) -> None:  # http.server calls it by this name
        with self.server.lock:
            self.server.requests += 1
            failing = self.server.requests <= self.server.failures
        time.sleep(0.3)
        body = b'{"errors": []}' if failing else json.dumps(CATALOGUE).encode()
        self.send_response(503 if failing else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        return


def serving(failures: int = 0) -> Iterator[Portal]:
    portal = Portal(failures)
    thread = threading.Thread(target=portal.serve_forever, daemon=True)
    thread.start()
    try:
        yield portal
    finally:
        portal.shutdown()
        portal.server_close()


@pytest.fixture
def portal() -> Iterator[Portal]:
    yield from serving()


@pytest.fixture
def flaky_portal() -> Iterator[Portal]:
    yield from serving(failures=1)


def _processes_reading(portal: Portal, redis_url: str, count: int) -> list[Catalogue | Exception]:
    """``count`` readers, each with its own cache and Redis connection (as processes have), reading at once."""
    api = f"http://127.0.0.1:{portal.server_address[1]}"

    def read() -> Catalogue | Exception:
        cache = CachedCatalogue(api, ttl=600, client=redis.Redis.from_url(redis_url))
        try:
            return cache.get()
        except Exception as exc:  # the test reports what each reader got
            return exc

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: read(), range(count)))


def test_processes_that_find_no_copy_fetch_the_catalogue_once(portal: Portal, redis_url: str) -> None:
    got = _processes_reading(portal, redis_url, 5)
    assert portal.requests == 1
    assert all(isinstance(c, Catalogue) and c.offers(1063475, 10489) for c in got), got


def test_when_the_fetching_process_fails_another_fetches_for_the_rest(flaky_portal: Portal, redis_url: str) -> None:
    got = _processes_reading(flaky_portal, redis_url, 3)
    assert sum(isinstance(c, Catalogue) for c in got) == 2, got  # the one whose fetch failed has no copy yet
    assert flaky_portal.requests == 2  # the failed fetch, then one for both readers that waited

"""Fixtures of the worker tests: the portal replica, serving the city's catalogue, in this process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from tests.bot.conftest import serve_in_thread
from tests.city import DLDB


@pytest.fixture(scope="module")
def replica_url() -> Iterator[str]:
    with serve_in_thread(create_app(ReplicaConfig(dldb_path=DLDB, rate_limit_enabled=False))) as url:
        yield url

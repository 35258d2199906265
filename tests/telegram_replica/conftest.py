"""A replica per test, served in a background thread; the token is the one the bot uses."""

from collections.abc import Iterator

import pytest

from telegram_replica.config import ReplicaConfig
from telegram_replica.server import ReplicaServer, run_server


@pytest.fixture
def token() -> str:
    return "123:ABC"


@pytest.fixture
def server(token: str) -> Iterator[ReplicaServer]:
    with run_server(ReplicaConfig(token=token)) as running:
        yield running

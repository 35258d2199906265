"""Replica fixtures: an in-process app on a settable clock, and httpx clients against it (ASGI, no sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from portal_replica.replica import Replica
from tests.portal_replica.replica_helpers import DLDB, Clock, client_for


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config() -> ReplicaConfig:
    return ReplicaConfig(dldb_path=DLDB, rate_limit_enabled=False)


@pytest.fixture
def replica(config: ReplicaConfig, clock: Clock) -> Replica:
    return Replica(config, clock=clock)


@pytest.fixture
def app(replica: Replica) -> FastAPI:
    return create_app(replica=replica)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c

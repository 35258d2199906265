"""Numbers the API cannot hold get 422 with a readable body, never a 500 (issue 19): NaN and Infinity in JSON
bodies, and a last day whose next day does not exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from portal_replica.app import create_app
from portal_replica.config import ReplicaConfig
from tests.api.conftest import AUTH
from tests.bot.conftest import serve_in_thread


@pytest.fixture(scope="module")
def replica_url() -> Iterator[str]:
    with serve_in_thread(create_app(ReplicaConfig(rate_limit_enabled=False))) as url:
        yield url


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_non_finite_numbers_in_a_body_get_422(
    make_client: Callable[..., httpx.AsyncClient], replica_url: str, number: str
) -> None:
    body = f'{{"user_id": {number}, "service_id": 1063475, "office_ids": [10489]}}'
    async with make_client(portal_api_url=f"{replica_url}/buergeransicht/api/citizen") as client:
        answer = await client.post("/subscriptions", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert "user_id" in answer.text


async def test_the_last_representable_day_as_a_filter_gets_422(client: httpx.AsyncClient) -> None:
    answer = await client.get("/review?until=9999-12-31", headers=AUTH)
    assert answer.status_code == 422, answer.text

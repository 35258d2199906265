"""Bodies are bounded before anything reads them (issue 19): 413 for a large body, with or without credentials,
whether its length is declared or it comes in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from api.limits import MAX_BODY_BYTES
from tests.api.conftest import AUTH

BIG = b"x" * (7 * 2**20)


async def test_a_large_unauthenticated_body_gets_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/subscriptions", content=BIG, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["detail"]


async def test_a_large_chunked_body_gets_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"x" * 2**20

    response = await client.post("/subscriptions", content=chunks(), headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 413


async def test_an_ordinary_body_goes_through(client: httpx.AsyncClient) -> None:
    response = await client.post("/checks/1/review", json={"verdict": "confirmed", "reviewer": "anna"}, headers=AUTH)
    assert response.status_code != 413

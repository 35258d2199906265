"""Shared constants and helpers of the replica tests (a uniquely named module: tests have no packages)."""

from __future__ import annotations

from datetime import date, datetime

import httpx
from fastapi import FastAPI

from portal_replica.slots import BERLIN, berlin_timestamp
from tests import city

DLDB = city.DLDB  # the city's catalogue where present, else the replica's built-in sample
API = "/buergeransicht/api/citizen"
START = datetime(2026, 8, 21, 8, 0, tzinfo=BERLIN).timestamp()
"""The replica's 'now' in these tests: Friday 2026-08-21, 08:00 in Munich."""


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def client_for(app: FastAPI, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://replica.test")


def ts(day: str, clock_time: str) -> int:
    """Unix seconds of ``HH:MM`` on ``YYYY-MM-DD`` in Munich."""
    return berlin_timestamp(date.fromisoformat(day), clock_time)

"""The farm's locks (``core.locks``): processes racing for one never both hold it, and a holder whose lease ran
out cannot free the lock its successor took (issue 21)."""

from __future__ import annotations

import multiprocessing
import time

import redis

from core.locks import held

NAME = "mta:test:lock"
ROUNDS = 200


def _race(url: str, rounds: int) -> tuple[int, int]:
    """Take the lock ``rounds`` times where possible; count rounds held, and rounds someone else was inside too."""
    client = redis.Redis.from_url(url)
    took = overlapped = 0
    for _ in range(rounds):
        with held(client, NAME, lease_s=5) as mine:
            if mine:
                took += 1
                overlapped += int(client.incr(f"{NAME}:inside")) != 1
                time.sleep(0.0005)
                client.decr(f"{NAME}:inside")
    return took, overlapped


def test_two_processes_racing_never_both_hold_the_lock(redis_url: str) -> None:
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_race, [(redis_url, ROUNDS)] * 2)
    assert sum(overlapped for _, overlapped in results) == 0
    assert all(took > 0 for took, _ in results), f"both took it in turn: {results}"


def test_a_holder_whose_lease_ran_out_cannot_free_its_successors_lock(redis_url: str) -> None:
    first, second, third = (redis.Redis.from_url(redis_url) for _ in range(3))  # three processes' connections
    with held(first, NAME, lease_s=0.2) as slow:
        assert slow
        time.sleep(0.4)  # frozen past its lease: the lock is free for another
        successor = held(second, NAME, lease_s=5)
        assert successor.__enter__()
    # the slow holder's block has ended (its release refused): the successor still holds the lock
    with held(third, NAME, lease_s=5) as another:
        assert not another
    successor.__exit__(None, None, None)

"""Worker node heartbeats: ages, a clean goodbye, and nodes silent for a day forgotten."""

from __future__ import annotations

import redis

from core.nodes import FORGET_AFTER_S, NODES_KEY, beat_node, forget_node, node_ages


def test_nodes_age_until_they_beat_again_and_leave_cleanly(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    beat_node(client, "worker@a", now=1000.0)
    beat_node(client, "worker@b", now=1030.0)
    assert node_ages(client, now=1060.0) == {"worker@a": 60.0, "worker@b": 30.0}
    beat_node(client, "worker@a", now=1059.0)
    forget_node(client, "worker@b")
    assert node_ages(client, now=1060.0) == {"worker@a": 1.0}


def test_a_node_silent_for_a_day_is_forgotten(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    beat_node(client, "worker@gone", now=0.0)
    client.hset(NODES_KEY, "worker@garbled", "not a time")
    assert node_ages(client, now=FORGET_AFTER_S + 1) == {}
    assert client.hkeys(NODES_KEY) == [b"worker@garbled"]

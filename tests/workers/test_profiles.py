"""Two browsers never share a profile's runtime storage."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from workers.profiles import NoFreeProfile, lease_profile


def test_leases_are_exclusive_and_come_back_when_released(redis_url: str, tmp_path: Path) -> None:
    client = redis.Redis.from_url(redis_url)
    first = lease_profile(client, profile="default", slots=2, root=tmp_path)
    second = lease_profile(client, profile="default", slots=2, root=tmp_path)
    assert first.folder != second.folder
    with pytest.raises(NoFreeProfile):
        lease_profile(client, profile="default", slots=2, root=tmp_path)
    first.release()
    again = lease_profile(client, profile="default", slots=2, root=tmp_path)
    assert again.folder == first.folder
    assert not first.renew(), "a released lease cannot be renewed by its old holder"
    assert again.renew()

"""Runtime profile storage, leased: a browser keeps its cookies in a folder of ``browser_profiles/storage``
that no other browser uses while it holds the lease (a Redis key with a TTL, renewed while in use)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import redis

from browser_profiles import STORAGE_DIR

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class NoFreeProfile(RuntimeError):
    """Every storage slot is leased by another browser."""


@dataclass
class ProfileLease:
    client: redis.Redis
    key: str
    token: str
    folder: Path
    ttl_s: int

    @property
    def storage_state(self) -> Path:
        """Cookies and local storage of the farm's identity, kept between contexts."""
        return self.folder / "storage-state.json"

    def renew(self) -> bool:
        return bool(self.client.eval(RENEW, 1, self.key, self.token, self.ttl_s))

    def release(self) -> None:
        self.client.eval(RELEASE, 1, self.key, self.token)


def lease_profile(
    client: redis.Redis, *, profile: str, slots: int = 64, ttl_s: int = 600, root: Path = STORAGE_DIR
) -> ProfileLease:
    """The first storage slot of ``profile`` nobody holds, leased for ``ttl_s`` seconds."""
    token = secrets.token_hex(8)
    for slot in range(slots):
        key = f"mta:profile-lease:{profile}:{slot}"
        if client.set(key, token, nx=True, ex=ttl_s):
            folder = root / profile / str(slot)
            folder.mkdir(parents=True, exist_ok=True)
            return ProfileLease(client, key, token, folder, ttl_s)
    raise NoFreeProfile(f"all {slots} storage slots of profile {profile!r} are leased")

"""Signed user links and worker heartbeats: the plain functions the bot and the workers call."""

from __future__ import annotations

import redis
from pydantic import SecretStr

from core.heartbeats import HEARTBEATS_KEY, beat, read_heartbeats
from core.links import DEMO_KEY, expiry, read_user_token, signing_key, user_link, user_token
from core.settings import Settings

KEY = signing_key(SecretStr("a-long-operator-token-0123456789"))


def test_a_user_token_names_its_user_until_it_expires() -> None:
    token = user_token(KEY, user_id=-100123, expires=2000)
    assert read_user_token(KEY, token, now=1999) == -100123
    assert read_user_token(KEY, token, now=2001) is None


def test_a_user_token_signed_with_another_key_is_refused() -> None:
    token = user_token(signing_key(SecretStr("another-operator-token-987654")), user_id=5, expires=2000)
    assert read_user_token(KEY, token, now=0) is None


def test_without_a_token_the_key_is_the_public_demo_key() -> None:
    assert signing_key(None) == DEMO_KEY
    assert KEY != DEMO_KEY


def test_expiry_is_rounded_up_so_links_repeat() -> None:
    assert expiry(3600, now=1000, step_s=600) == expiry(3600, now=1100, step_s=600) == 4800


def test_the_bot_links_to_the_api() -> None:
    settings = Settings(_env_file=None, api_url="https://mta.example/", api_token=SecretStr("x" * 8 + "yz0123456789"))  # type: ignore[call-arg]  # pydantic-settings init arg
    link = user_link(settings, user_id=42, now=0)
    assert link.startswith("https://mta.example/me/42.")
    assert read_user_token(signing_key(settings.api_token), link.rsplit("/", 1)[1], now=0) == 42


def test_heartbeats_say_who_is_alive(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    beat(client, worker="w@a:1", browsers_open=1, checks_done=9, now=1000)
    beat(client, worker="w@b:2", browsers_open=0, checks_done=2, now=850)
    beat(client, worker="w@gone:3", browsers_open=0, checks_done=0, now=1000 - 2 * 86400)
    beats = read_heartbeats(client, now=1000, alive_within_s=90)
    assert [(b.worker, b.alive, b.checks_done) for b in beats] == [("w@a:1", True, 9), ("w@b:2", False, 2)]
    assert not client.hexists(HEARTBEATS_KEY, "w@gone:3"), "a worker silent for a day is forgotten"

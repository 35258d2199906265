"""Flood control and blocked chats as PTB meets them: 429 with retry_after, 403 Forbidden."""

import asyncio

from telegram import Bot
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from telegram_replica.config import RateLimit
from telegram_replica.ratelimit import FloodControl, SlidingWindow
from telegram_replica.server import ReplicaServer


def test_sliding_window_says_how_long_to_wait() -> None:
    window = SlidingWindow(RateLimit(count=2, period=1.0))
    window.record(10.0)
    window.record(10.4)

    assert window.retry_after(10.5) == 1
    assert window.retry_after(11.0) is None  # the first message left the window


def test_per_chat_limit_does_not_hold_up_other_chats() -> None:
    flood = FloodControl(global_limit=None, per_chat_limit=RateLimit(count=1, period=1.0))

    assert flood.admit(1, 0.0) is None
    assert flood.admit(1, 0.5) == 1
    assert flood.admit(2, 0.5) is None
    assert flood.admit(1, 1.0) is None


async def test_sending_faster_than_the_global_limit_is_refused_with_retry_after(
    server: ReplicaServer, token: str
) -> None:
    # A 10 s window, so the count is exact however slowly a loaded machine sends the 100.
    server.configure(global_limit=RateLimit(count=30, period=10.0))

    async with Bot(token, base_url=server.base_url) as bot:
        results = await asyncio.gather(
            *(bot.send_message(1000 + n % 10, f"slot {n}") for n in range(100)), return_exceptions=True
        )

    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 70
    assert all(isinstance(r, RetryAfter) for r in refused)
    rejected = server.calls("sendMessage", ok=False)
    waits = {int((c.description or "").removeprefix("Too Many Requests: retry after ")) for c in rejected}
    assert all(1 <= wait <= 10 for wait in waits)
    assert server.rate_limited.total() == 70
    assert server.deliveries.total() == 30


async def test_per_chat_limit_refuses_a_second_message_within_the_window(server: ReplicaServer, token: str) -> None:
    server.configure(per_chat_limit=RateLimit(count=1, period=10.0))

    async with Bot(token, base_url=server.base_url) as bot:
        await bot.send_message(5, "first")
        try:
            await bot.send_message(5, "second")
        except RetryAfter:
            pass
        else:
            raise AssertionError("the second message within a second should be refused")
        await bot.send_message(6, "other chat")

    assert server.rate_limited == {5: 1}


async def test_aio_rate_limiter_delivers_every_message_exactly_once(server: ReplicaServer, token: str) -> None:
    # One message per chat per 2 s, and each chat is sent two back to back: the second is refused with a 429
    # however slowly a loaded machine sends (PTB's default pool sends one request at a time), and PTB must
    # wait and retry it. The global limit stays in the way too.
    server.configure(global_limit=RateLimit(count=30, period=1.0), per_chat_limit=RateLimit(count=1, period=2.0))
    limiter = AIORateLimiter(overall_max_rate=40, overall_time_period=1, max_retries=10)
    sends = [(2000 + chat, f"slot {chat}.{n}") for chat in range(12) for n in range(2)]

    async with ExtBot(token, base_url=server.base_url, rate_limiter=limiter) as bot:
        await asyncio.gather(*(bot.send_message(chat_id, text) for chat_id, text in sends))

    delivered = [c.params["text"] for c in server.calls("sendMessage", ok=True)]
    assert sorted(delivered) == sorted(text for _, text in sends)  # all of them, none twice
    assert server.deliveries.total() == len(sends)
    assert server.rate_limited.total() >= 12  # every chat's second message met the limit at least once

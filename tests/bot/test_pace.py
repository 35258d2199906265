"""EvenPace: messages to chats leave evenly spaced; a retry_after holds every one of them, not the rest."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.pace import EvenPace


class Recorder:
    """A stand-in for PTB's request callback: notes when each call started; can answer 429 first."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.starts: list[tuple[str, float]] = []
        self.refuse = refuse_first

    def __call__(self, name: str) -> Any:
        async def call() -> dict[str, Any]:
            self.starts.append((name, asyncio.get_running_loop().time()))
            if self.refuse > 0:
                self.refuse -= 1
                raise RetryAfter(1)
            return {"ok": True}

        return call


async def send(pace: EvenPace, recorder: Recorder, name: str, *, chat: bool = True) -> object:
    data = {"chat_id": 1} if chat else {}
    return await pace.process_request(recorder(name), (), {}, "sendMessage", data, None)


async def test_no_three_messages_within_one_interval() -> None:
    pace, recorder = EvenPace(50, max_retries=0), Recorder()
    await asyncio.gather(*(send(pace, recorder, str(n)) for n in range(12)))
    starts = [t for _, t in recorder.starts]
    assert all(later - earlier >= 1 / 50 for earlier, later in zip(starts, starts[2:], strict=False))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PTB's own RetryAfter warns about its int seconds
async def test_retry_after_holds_every_message_to_a_chat_but_not_other_calls() -> None:
    pace, recorder = EvenPace(100, max_retries=2), Recorder(refuse_first=1)
    first = asyncio.create_task(send(pace, recorder, "refused then retried"))
    await asyncio.sleep(0.05)  # the 429 has come back by now
    await asyncio.gather(send(pace, recorder, "queued behind it"), send(pace, recorder, "no chat", chat=False))
    await first
    when = dict(recorder.starts[1:])
    refused_at = recorder.starts[0][1]
    assert when["no chat"] - refused_at < 1.0, "calls without a chat are not held"
    assert when["refused then retried"] - refused_at >= 1.0
    assert when["queued behind it"] - refused_at >= 1.0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_a_request_refused_too_often_raises() -> None:
    pace, recorder = EvenPace(100, max_retries=0), Recorder(refuse_first=1)
    with pytest.raises(RetryAfter):
        await send(pace, recorder, "once")

"""Tier-1 numbers are not queued behind everyone's bubbles (safety.md invariant 10)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.campaign.limiter import PriorityRateLimiter, urgent_sends

PERSON, OTHER = 4242, 4343


def limiter_and_log(rate: float) -> tuple[PriorityRateLimiter, list[tuple[str, int]], Any]:
    """A limiter of `rate` sends a second, what went through it, and a way to send."""
    limiter = PriorityRateLimiter(rate=rate, bulk_rate=rate, max_retries=0)
    sent: list[tuple[str, int]] = []

    async def call(text: str, chat_id: int) -> bool:
        sent.append((text, chat_id))
        return True

    async def send(text: str, chat_id: int) -> Any:
        data = {"chat_id": chat_id, "text": text}
        return await limiter.process_request(call, (text, chat_id), {}, "sendMessage", data, None)

    return limiter, sent, send


async def test_urgent_sends_skip_a_full_send_queue() -> None:
    limiter, sent, send = limiter_and_log(rate=1)  # one token, then one a second
    await asyncio.wait_for(send("topic bubble", OTHER), 1)
    waiting = asyncio.ensure_future(send("another bubble", OTHER))
    with urgent_sends():
        await asyncio.wait_for(send("call 191", PERSON), 0.5)  # at once, not in a second
    # an ordinary outcome is back in the queue, now behind the urgent send's debt too
    with urgent_sends(False), pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(send("ok", PERSON), 0.5)
    assert not waiting.done()
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert sent == [("topic bubble", OTHER), ("call 191", PERSON)]
    await limiter.shutdown()

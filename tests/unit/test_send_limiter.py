"""Tier-1 numbers are not queued behind everyone's bubbles (safety.md invariant 10), and
under load an answer goes out as one message."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.campaign.limiter import BUSY, PriorityRateLimiter, urgent_sends
from bot.core.types import BotReply, Button
from bot.i18n import Catalogs
from bot.telegram.render import joined

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


async def test_the_limiter_says_when_replies_queue_up() -> None:
    limiter, _, send = limiter_and_log(rate=1)
    queued = [asyncio.ensure_future(send("x", OTHER + i)) for i in range(BUSY + 2)]
    await asyncio.sleep(0.05)  # let them reach the bucket: one goes, the rest wait
    assert limiter.busy()
    for future in queued:
        future.cancel()
    await asyncio.gather(*queued, return_exceptions=True)
    assert not limiter.busy()  # cancelled sends leave the count too


def test_under_load_an_answer_is_one_message_and_buttons_stay_under_their_text(
    tmp_path: Path,
) -> None:
    catalogs = Catalogs.load(tmp_path, {})  # no .po files: the English message ids
    menu = (Button("Menu", "/ask_menu"),)
    replies = (
        BotReply("First bubble."),
        BotReply("Second, with buttons.", buttons=menu),
        BotReply("Third."),
        BotReply("Fourth."),
    )
    messages = joined(replies, "en", catalogs)
    assert [text for text, _ in messages] == [
        "First bubble.\n\nSecond, with buttons.",
        "Third.\n\nFourth.",
    ]
    assert [carrier.buttons for _, carrier in messages] == [menu, ()]

"""Tier-1 numbers are not queued behind everyone's bubbles (safety.md invariant 10), and
under load an answer goes out as one message."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.core.types import BotReply, Button
from bot.i18n import Catalogs
from bot.telegram.limiter import BUSY, SendLimiter, urgent_sends
from bot.telegram.render import joined

PERSON, OTHER = 4242, 4343


async def test_urgent_sends_skip_a_full_send_queue() -> None:
    # one message a minute overall: after the first, every ordinary send must wait
    limiter = SendLimiter(overall_max_rate=1, overall_time_period=60, max_retries=0)
    sent: list[tuple[str, int]] = []

    async def call(text: str, chat_id: int) -> bool:
        sent.append((text, chat_id))
        return True

    async def send(text: str, chat_id: int) -> Any:
        data = {"chat_id": chat_id, "text": text}
        return await limiter.process_request(call, (text, chat_id), {}, "sendMessage", data, None)

    await limiter.initialize()
    try:
        await asyncio.wait_for(send("topic bubble", OTHER), 2)
        waiting = asyncio.ensure_future(send("another bubble", OTHER))
        with urgent_sends():
            await asyncio.wait_for(send("call 191", PERSON), 2)  # at once, not in a minute
        # an ordinary outcome: back in the queue
        with urgent_sends(False), pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(send("ok", PERSON), 0.5)
        assert not waiting.done()  # the ordinary one still waits its turn
        waiting.cancel()
    finally:
        await limiter.shutdown()
    assert sent == [("topic bubble", OTHER), ("call 191", PERSON)]


async def test_the_limiter_says_when_sends_queue_up() -> None:
    limiter = SendLimiter(overall_max_rate=1, overall_time_period=60, max_retries=0)

    async def call(*_: Any) -> bool:
        return True

    def send(chat_id: int) -> asyncio.Future[Any]:
        data = {"chat_id": chat_id, "text": "x"}
        return asyncio.ensure_future(
            limiter.process_request(call, (), {}, "sendMessage", data, None)
        )

    await limiter.initialize()
    queued = [send(OTHER + i) for i in range(BUSY + 2)]  # one goes, the rest wait
    await asyncio.sleep(0)  # let them reach the bucket
    assert limiter.busy()
    for future in queued:
        future.cancel()
    await asyncio.gather(*queued, return_exceptions=True)
    assert not limiter.busy()  # cancelled sends leave the count too
    await limiter.shutdown()


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

"""The bot's one send limiter: tier-1 numbers at once (safety.md invariant 10), replies in
the order they came, broadcasts in the room replies leave, Telegram's limits kept."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.core.turn import Kind, Outcome, Turn
from bot.core.types import BotReply, Button
from bot.i18n import Catalogs
from bot.telegram.handlers import TelegramOutbox
from bot.telegram.limiter import CHAT_BURST, RUSH_CHATS, PriorityRateLimiter, urgent_sends
from bot.telegram.render import joined

PERSON, OTHER, DESK = 4242, 4343, -100


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def limiter_and_log(
    rate: float, clock: Callable[[], float] = time.monotonic
) -> tuple[PriorityRateLimiter, list[tuple[str, int]], Any]:
    """A limiter of `rate` sends a second, what went through it, and a way to send."""
    limiter = PriorityRateLimiter(rate=rate, bulk_rate=rate, max_retries=0, clock=clock)
    sent: list[tuple[str, int]] = []

    async def call(text: str, chat_id: int) -> bool:
        sent.append((text, chat_id))
        return True

    async def send(
        text: str, chat_id: int, bulk: bool = False, endpoint: str = "sendMessage"
    ) -> Any:
        data = {"chat_id": chat_id, "text": text}
        extra = {"bulk": True} if bulk else None
        return await limiter.process_request(call, (text, chat_id), {}, endpoint, data, extra)

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


async def test_waiting_replies_go_in_the_order_they_came_and_before_broadcasts() -> None:
    limiter, sent, send = limiter_and_log(rate=20)
    for n in range(20):  # the whole second's burst
        await send(f"first {n}", OTHER + n)
    bulk = [asyncio.ensure_future(send(f"news {n}", 7000 + n, bulk=True)) for n in range(3)]
    replies = [asyncio.ensure_future(send(f"reply {n}", 5000 + n)) for n in range(5)]
    await asyncio.wait_for(asyncio.gather(*replies, *bulk), 5)
    later = [text for text, _ in sent[20:]]
    assert later == [f"reply {n}" for n in range(5)] + [f"news {n}" for n in range(3)]
    await limiter.shutdown()


async def test_a_flooding_chat_waits_behind_everyone_else_and_keeps_its_own_order() -> None:
    limiter, sent, send = limiter_and_log(rate=10)
    for n in range(10):  # the second's burst goes to the flooder: well past its share
        await send(f"flood {n}", PERSON)
    flood = [asyncio.ensure_future(send(f"flood {n}", PERSON)) for n in range(10, 14)]
    await asyncio.sleep(0)
    others = [asyncio.ensure_future(send(f"reply {n}", 6000 + n)) for n in range(3)]
    await asyncio.wait_for(asyncio.gather(*flood, *others), 5)
    later = [text for text, _ in sent[10:]]
    assert later == [f"reply {n}" for n in range(3)] + [f"flood {n}" for n in range(10, 14)]
    await limiter.shutdown()


async def test_a_person_within_their_share_is_served_in_arrival_order() -> None:
    limiter, sent, send = limiter_and_log(rate=5)
    for n in range(5):
        await send(f"burst {n}", OTHER + n)
    answer = [asyncio.ensure_future(send(f"bubble {n}", PERSON)) for n in range(int(CHAT_BURST))]
    await asyncio.sleep(0)
    other = asyncio.ensure_future(send("someone else", OTHER))
    await asyncio.wait_for(asyncio.gather(*answer, other), 5)
    assert [text for text, _ in sent[5:]] == [f"bubble {n}" for n in range(6)] + ["someone else"]
    await limiter.shutdown()


async def test_a_cancelled_waiter_does_not_hold_up_the_line() -> None:
    limiter, sent, send = limiter_and_log(rate=10)
    for n in range(10):
        await send(f"burst {n}", OTHER + n)
    gone = asyncio.ensure_future(send("gone", PERSON))
    kept = asyncio.ensure_future(send("kept", PERSON))
    await asyncio.sleep(0)  # both are in the line now
    gone.cancel()
    await asyncio.wait_for(kept, 2)
    assert [text for text, _ in sent[10:]] == ["kept"]
    await limiter.shutdown()


async def test_a_desk_groups_messages_keep_their_order_at_its_own_pace() -> None:
    limiter, sent, send = limiter_and_log(rate=100)
    relays = [asyncio.ensure_future(send(f"relay {n}", DESK)) for n in range(20)]
    await asyncio.wait_for(asyncio.gather(*relays), 2)  # the group's burst of 20 a minute
    assert [text for text, _ in sent] == [f"relay {n}" for n in range(20)]
    one_more = asyncio.ensure_future(send("relay 20", DESK))
    await asyncio.wait_for(send("a person's reply", PERSON), 1)  # not behind the group
    assert not one_more.done()  # the 21st waits for the next minute's share
    one_more.cancel()
    await asyncio.gather(one_more, return_exceptions=True)
    await limiter.shutdown()


def test_replies_take_the_whole_burst_then_wait_their_turn() -> None:
    clock = Clock()
    limiter = PriorityRateLimiter(rate=30, bulk_rate=20, clock=clock)
    assert all(limiter._take(False) == 0 for _ in range(30))
    assert limiter._take(False) == pytest.approx(1 / 30)


def test_broadcasts_leave_room_for_replies() -> None:
    clock = Clock()
    limiter = PriorityRateLimiter(rate=30, bulk_rate=20, reserve=8, clock=clock)
    for _ in range(22):  # replies used most of the second's tokens: 8 left, the reserve
        assert limiter._take(False) == 0
    assert limiter._take(True) > 0  # a broadcast message may not take the reserve
    assert limiter._take(False) == 0  # a reply may
    clock.now += 1.0
    assert limiter._take(True) == 0


def test_broadcasts_keep_to_their_own_rate() -> None:
    clock = Clock()
    limiter = PriorityRateLimiter(rate=30, bulk_rate=20, clock=clock)
    sent = 0
    for _ in range(10_000):  # ten seconds in 1 ms steps, always a broadcast ready
        clock.now += 0.001
        sent += limiter._take(True) == 0
    assert 195 <= sent <= 205


async def test_a_429_pauses_everyone_then_the_call_is_retried() -> None:
    limiter = PriorityRateLimiter()
    calls: list[float] = []

    async def flaky(*_: Any) -> bool:
        calls.append(asyncio.get_running_loop().time())
        if len(calls) == 1:
            raise RetryAfter(1)
        return True

    data = {"chat_id": 5}
    assert await limiter.process_request(flaky, (), {}, "sendMessage", data, None) is True
    assert len(calls) == 2 and calls[1] - calls[0] >= 1.0


async def test_busy_once_the_bot_sends_at_about_telegrams_rate_before_any_line_forms() -> None:
    # at 30 questions a second the demand equals the rate: waiting for a line to form
    # before joining bubbles meant a line that never drained, and every split answer spends
    # tokens the rest of the rush needs (issue #11)
    clock = Clock()
    limiter, _, send = limiter_and_log(rate=30, clock=clock)
    for n in range(RUSH_CHATS - 1):  # people answered at once: the spare room is gone
        await send("x", OTHER + n)
    assert not limiter.busy()  # but so few people are no rush
    await send("x", OTHER + RUSH_CHATS)  # one more person: a rush, and no spare room left
    assert limiter.busy() and limiter.waiting == 0
    clock.now += 0.4  # a quiet moment refills it
    assert not limiter.busy()
    await limiter.shutdown()


async def test_one_person_tapping_fast_is_not_a_rush_until_the_burst_is_mostly_gone() -> None:
    clock = Clock()
    limiter, _, send = limiter_and_log(rate=30, clock=clock)
    for n in range(6):  # answers as bubbles: three a tap, two taps at once
        await send(f"bubble {n}", PERSON)
    assert not limiter.busy()
    for n in range(15):  # however few people, two thirds of the burst gone is busy
        await send("x", OTHER + n % 3)
    assert limiter.busy()
    await limiter.shutdown()


async def test_a_chat_past_its_share_waiting_for_spare_room_makes_nobody_busy() -> None:
    # its reply waits by design; counting it made the next person's answer one message
    clock = Clock()
    limiter, _, send = limiter_and_log(rate=30, clock=clock)
    for n in range(int(CHAT_BURST)):
        await send(f"bubble {n}", PERSON)
    past_share = asyncio.ensure_future(send("one more", PERSON))
    await asyncio.sleep(0)  # it waits in the second line for spare room
    assert not past_share.done()
    assert not limiter.busy() and limiter.waiting == 0
    past_share.cancel()
    await asyncio.gather(past_share, return_exceptions=True)
    await limiter.shutdown()


async def test_at_telegrams_rate_only_replies_take_tokens() -> None:
    # a rush that uses the whole rate: a broadcast copy, "typing…" or a flooder's excess
    # each would be one more message in a line that never drains (issue #11)
    clock = Clock()
    limiter, sent, send = limiter_and_log(rate=30, clock=clock)
    for n in range(3):  # the spare room goes at once
        await send(f"reply {n}", OTHER + n)
    news = asyncio.ensure_future(send("news", 7000, bulk=True))
    typing = asyncio.ensure_future(send("typing", PERSON, endpoint="sendChatAction"))
    for tick in range(30):  # a second of replies at exactly the rate the bucket refills
        clock.now += 1 / 30
        await send(f"reply {3 + tick}", OTHER + 3 + tick)
    await asyncio.sleep(0)
    assert not news.done() and not typing.done()
    clock.now += 0.1  # the rush eases: room again, and they go
    await asyncio.wait_for(asyncio.gather(news, typing), 2)
    assert [text for text, _ in sent[-2:]] == ["typing", "news"]
    await limiter.shutdown()


async def test_the_limiter_keeps_count_of_the_replies_waiting() -> None:
    limiter, _, send = limiter_and_log(rate=1)
    await send("x", OTHER)  # the one token
    queued = [asyncio.ensure_future(send("x", OTHER + 1 + n)) for n in range(3)]
    news = asyncio.ensure_future(send("news", 7000, bulk=True))  # not a reply: not counted
    await asyncio.sleep(0)  # they reach the line
    assert limiter.waiting == 3 and limiter.busy()
    queued[1].cancel()
    await asyncio.gather(queued[1], return_exceptions=True)
    assert limiter.waiting == 2
    await asyncio.wait_for(queued[0], 3)  # served by the dealer: counted out
    assert limiter.waiting == 1
    await limiter.shutdown()  # cancels the rest
    await asyncio.gather(queued[2], news, return_exceptions=True)
    assert limiter.waiting == 0


async def test_typing_only_takes_room_no_reply_needs_and_goes_with_its_turn() -> None:
    limiter, sent, send = limiter_and_log(rate=10)  # a reserve of 9 of the 10 tokens (KEPT)
    for n in range(7):  # three tokens left: replies may take them, a chat action may not
        await send(f"burst {n}", OTHER + n)
    typing = asyncio.ensure_future(send("typing", PERSON, endpoint="sendChatAction"))
    gone = asyncio.ensure_future(send("typing", OTHER, endpoint="sendChatAction"))
    await asyncio.sleep(0)  # both wait in their line now, not as replies
    assert limiter.waiting == 0
    gone.cancel()  # its turn was answered first: it is never sent
    replies = [asyncio.ensure_future(send(f"reply {n}", 6000 + n)) for n in range(4)]
    await asyncio.wait_for(asyncio.gather(typing, *replies), 5)
    await asyncio.gather(gone, return_exceptions=True)
    assert [text for text, _ in sent[7:]] == [f"reply {n}" for n in range(4)] + ["typing"]
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


class LimitedBot:
    """A bot whose sends go through the limiter, as PTB's do; what reached 'Telegram'."""

    def __init__(self, limiter: PriorityRateLimiter) -> None:
        self.rate_limiter = limiter
        self.sent: list[tuple[str, Any]] = []

    async def send_message(self, chat_id: int, text: str, reply_markup: Any = None) -> Any:
        async def call() -> Any:
            self.sent.append((text, reply_markup))
            return type("Sent", (), {"message_id": len(self.sent)})()

        data = {"chat_id": chat_id, "text": text}
        return await self.rate_limiter.process_request(call, (), {}, "sendMessage", data, None)


async def test_under_load_a_tier1_answer_is_one_message_that_goes_ahead_of_the_line(
    tmp_path: Path,
) -> None:
    # each extra bubble would be one more token taken ahead of everyone waiting, in a line
    # that at Telegram's full rate never drains (issue #11); the numbers stay first
    clock = Clock()
    limiter, _, send = limiter_and_log(rate=30, clock=clock)
    for n in range(30):  # a rush has used the whole second's burst
        await send("x", OTHER + n)
    waiting = asyncio.ensure_future(send("somebody's answer", OTHER))
    await asyncio.sleep(0)
    assert limiter.busy() and not waiting.done()
    bot = LimitedBot(limiter)
    outbox = TelegramOutbox(cast(Bot, bot), Catalogs.load(tmp_path, {}))
    hotlines = (Button("Hotlines", "/ask_hotlines"),)
    numbers = BotReply("I'm here with you.\nPolice: 191")
    danger = Outcome("en", (numbers, BotReply("Tap below.", buttons=hotlines)), urgent=True)
    sent = await asyncio.wait_for(outbox.send(Turn("u1", Kind.TEXT, chat_id=PERSON), danger), 1)
    assert len(sent) == 1 and not waiting.done()  # at once, though the clock never moved
    text, markup = bot.sent[0]
    assert text == "I'm here with you.\nPolice: 191\n\nTap below."
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == ["/ask_hotlines"]
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await limiter.shutdown()

"""The desk-group member check (issue #13.6) against a stand-in for the Bot API: counts,
listed people, strict and alert modes, failed checks, the cache. The end-to-end test with
the sandbox is tests/e2e/test_desk_security.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from telegram import ChatMember, ChatMemberLeft, ChatMemberMember, User
from telegram.error import NetworkError

from bot.handoff.desks import Desk, Desks
from bot.telegram.limiter import PriorityRateLimiter
from bot.telegram.membership import MEMBER_READS, DeskGuard

DESK_CHAT, STAFF_CHAT, BOT_ID = -100111, -100999, 7000
ANNA, BORIS, LEAD, STRANGER = 1, 2, 3, 66


@dataclass
class FakeBot:
    """Who is in the desk group, as getChatMember(Count) would say; what was sent."""

    present: set[int] = field(default_factory=lambda: {BOT_ID, ANNA})
    fail: bool = False
    calls: int = 0
    sent: list[tuple[int, str]] = field(default_factory=list)
    id: int = BOT_ID

    async def get_chat_member_count(self, chat_id: int) -> int:
        self.calls += 1
        if self.fail:
            raise NetworkError("down")
        return len(self.present)

    async def get_chat_member(self, chat_id: int, user_id: int) -> ChatMember:
        self.calls += 1
        user = User(user_id, f"U{user_id}", False)
        return ChatMemberMember(user) if user_id in self.present else ChatMemberLeft(user)

    async def send_message(self, chat_id: int, text: str) -> Any:
        self.sent.append((chat_id, text))


def guard(bot: FakeBot, mode: str = "strict", ttl: float = 60) -> DeskGuard:
    desk = Desk(
        "main", "Org", DESK_CHAT, frozenset({"en"}), frozenset({1}),
        members=frozenset({ANNA, BORIS}), leads=frozenset({LEAD}),
    )  # fmt: skip
    return DeskGuard(bot, Desks((desk,), "main"), frozenset(), mode, STAFF_CHAT, ttl)  # type: ignore[arg-type]


async def test_listed_people_and_the_bot_only_is_clear() -> None:
    bot = FakeBot(present={BOT_ID, ANNA, BORIS, LEAD})
    assert await guard(bot).may_post(DESK_CHAT)
    assert await guard(bot).may_post(-5)  # not a desk group: nothing to check
    assert bot.sent == []


async def test_a_stranger_already_there_blocks_and_staff_are_told_once() -> None:
    bot = FakeBot(present={BOT_ID, ANNA, STRANGER})
    checker = guard(bot)
    assert not await checker.may_post(DESK_CHAT)
    assert not await checker.may_post(DESK_CHAT)  # cached: asked once, told once
    staff = [text for chat, text in bot.sent if chat == STAFF_CHAT]
    assert len(staff) == 1 and "1 member(s) of the group are not listed" in staff[0]
    assert any(chat == DESK_CHAT for chat, _ in bot.sent)  # and the group itself


async def test_more_members_than_listed_people_is_decided_with_one_call() -> None:
    bot = FakeBot(present={BOT_ID, 90, 91, 92, 93, 94})
    assert not await guard(bot).may_post(DESK_CHAT)
    assert bot.calls == 1


async def test_alert_mode_posts_but_tells_staff() -> None:
    bot = FakeBot(present={BOT_ID, STRANGER})
    assert await guard(bot, mode="alert").may_post(DESK_CHAT)
    assert [chat for chat, _ in bot.sent] == [STAFF_CHAT]  # no warning inside the group
    assert "DESK_MEMBER_CHECK=alert" in bot.sent[0][1]


async def test_a_failed_check_holds_back_and_is_retried() -> None:
    bot = FakeBot(fail=True)
    checker = guard(bot)
    assert not await checker.may_post(DESK_CHAT)
    bot.fail = False
    assert await checker.may_post(DESK_CHAT)  # not cached: asked again at once


async def test_the_verdict_expires() -> None:
    bot = FakeBot()
    checker = guard(bot, ttl=0)
    assert await checker.may_post(DESK_CHAT)
    bot.present.add(STRANGER)  # joined while the bot missed the update
    assert not await checker.may_post(DESK_CHAT)


async def test_member_reads_do_not_use_up_the_groups_message_rate() -> None:
    limiter = PriorityRateLimiter.for_broadcasts(20.0, MEMBER_READS)
    calls: list[str] = []

    async def call(endpoint: str, data: dict[str, Any]) -> bool:
        calls.append(endpoint)
        return True

    async def request(endpoint: str) -> Any:
        data = {"chat_id": DESK_CHAT}
        return await limiter.process_request(call, (endpoint, data), {}, endpoint, data, None)

    for _ in range(25):  # more reads than the group's 20 messages a minute: none waits
        await asyncio.wait_for(request("getChatMember"), 2)
    for _ in range(20):  # the group's minute is still whole
        await asyncio.wait_for(request("sendMessage"), 2)
    with pytest.raises(asyncio.TimeoutError):  # the 21st waits: the limit is real
        await asyncio.wait_for(request("sendMessage"), 1)
    assert calls == ["getChatMember"] * 25 + ["sendMessage"] * 20

"""Group membership in the sandbox, as the Bot API shows it: counts, ChatMember objects that
PTB parses, chat_member updates only for a bot that asks for them, joining by writing."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import ChatMember, ChatMemberUpdated

from bot.sandbox import botapi, members, users
from bot.sandbox.state import BOT_USER, SandboxState

DESK = -100700


async def kinds(state: SandboxState, **params: Any) -> list[str]:
    found = await botapi.call(state, "getUpdates", {"timeout": 0, **params})
    return [next(k for k in u if k != "update_id") for u in found]


async def test_chat_member_updates_only_when_asked_for() -> None:
    state = SandboxState()
    await members.set_status(state, DESK, 5, "member")
    assert await kinds(state) == []  # the default leaves chat_member out, as Telegram does
    await kinds(state, allowed_updates=["message", "chat_member"])
    await members.set_status(state, DESK, 6, "member")
    assert await kinds(state) == ["chat_member"]  # the choice is kept for later calls


async def test_counts_members_and_administrators_as_telegram_does() -> None:
    state = SandboxState()
    await members.set_status(state, DESK, 5, "member")
    await members.set_status(state, DESK, 6, "administrator")
    await members.set_status(state, DESK, 7, "member")
    await members.set_status(state, DESK, 7, "left")
    count = await botapi.call(state, "getChatMemberCount", {"chat_id": DESK})
    assert count == 3  # the bot, 5 and 6
    admins = await botapi.call(state, "getChatAdministrators", {"chat_id": DESK})
    assert [a["user"]["id"] for a in admins] == [6]  # administrators that aren't bots
    left = await botapi.call(state, "getChatMember", {"chat_id": DESK, "user_id": 7})
    assert ChatMember.de_json(left, None).status == ChatMember.LEFT
    bot = await botapi.call(state, "getChatMember", {"chat_id": DESK, "user_id": BOT_USER["id"]})
    assert ChatMember.de_json(bot, None).status == ChatMember.ADMINISTRATOR
    with pytest.raises(botapi.ApiError):
        await botapi.call(state, "getChatMemberCount", {"chat_id": 5})  # a private chat


async def test_writing_in_a_group_joins_it_first() -> None:
    state = SandboxState()
    await kinds(state, allowed_updates=["message", "chat_member"])
    group = {"id": DESK, "type": "supergroup", "title": "Desk", "is_forum": True}
    await users.send(state, 9, text="hello", chat=group)
    await users.send(state, 9, text="again", chat=group)
    found = await botapi.call(state, "getUpdates", {"timeout": 0})
    assert [next(k for k in u if k != "update_id") for u in found] == [
        "chat_member",
        "message",
        "message",
    ]
    joined = ChatMemberUpdated.de_json(found[0]["chat_member"], None)
    assert (joined.old_chat_member.status, joined.new_chat_member.status) == ("left", "member")
    assert joined.new_chat_member.user.id == 9 and joined.chat.id == DESK

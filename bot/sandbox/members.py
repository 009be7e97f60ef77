"""Who is in a group, as the Bot API tells a bot: getChatMember, getChatMemberCount,
getChatAdministrators, and `chat_member` updates when someone joins or leaves.

The bot is an administrator of every group it meets (a desk's setup makes it one), so it
receives `chat_member` updates there, when its allowed_updates ask for them. A person who
writes or presses a button in a group has joined it first, as on Telegram. Tests and the
terminal chat add or remove people with POST /sandbox/member.
"""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.state import BOT_USER, SandboxState

BOT_ID = int(str(BOT_USER["id"]))
IN_CHAT = ("creator", "administrator", "member")
STATUSES = (*IN_CHAT, "left", "kicked")
ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


def person(user_id: int) -> dict[str, Any]:
    """The User object of a sandbox person (or of the bot)."""
    if user_id == BOT_ID:
        return dict(BOT_USER)
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


def chat_member(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object of the given status, with the fields Telegram sends."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "administrator":
        member.update(ADMIN_RIGHTS)
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "kicked":
        member["until_date"] = 0
    return member


def group_chat(chat_id: int) -> dict[str, Any]:
    """The Chat object of a sandbox group (a forum supergroup, as desks are)."""
    return {"id": chat_id, "type": "supergroup", "title": f"Group {-chat_id}", "is_forum": True}


def members_of(state: SandboxState, chat_id: int) -> dict[int, dict[str, Any]]:
    """A group's members by user id; the bot is an administrator from the start."""
    if chat_id not in state.members:
        state.members[chat_id] = {BOT_ID: chat_member(dict(BOT_USER), "administrator")}
    return state.members[chat_id]


async def set_status(
    state: SandboxState, chat_id: int, user_id: int, status: str, by: int | None = None
) -> dict[str, Any] | None:
    """Someone joins, is promoted, leaves or is removed; the bot gets a chat_member update.
    None when nothing changed."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    members = members_of(state, chat_id)
    old = members.get(user_id) or chat_member(person(user_id), "left")
    if old["status"] == status:
        return None
    new = chat_member(person(user_id), status)
    if status in IN_CHAT:
        members[user_id] = new
    else:
        members.pop(user_id, None)
    changed = {
        "chat": group_chat(chat_id),
        "from": person(by if by is not None else user_id),
        "date": int(time.time()),
        "old_chat_member": old,
        "new_chat_member": new,
    }
    return await state.push_update({"chat_member": changed})


async def join_if_needed(state: SandboxState, chat: dict[str, Any], user_id: int) -> None:
    """Writing in a group, or pressing its button, needs membership: join first."""
    if chat.get("type") in ("group", "supergroup") and user_id not in members_of(
        state, int(chat["id"])
    ):
        await set_status(state, int(chat["id"]), user_id, "member")


def member(state: SandboxState, chat_id: int, user_id: int) -> dict[str, Any]:
    """getChatMember: the person's ChatMember; "left" for someone who is not in the group."""
    return members_of(state, chat_id).get(user_id) or chat_member(person(user_id), "left")


def count(state: SandboxState, chat_id: int) -> int:
    """getChatMemberCount: everyone in the group, bots included."""
    return sum(m["status"] in IN_CHAT for m in members_of(state, chat_id).values())


def administrators(state: SandboxState, chat_id: int) -> list[dict[str, Any]]:
    """getChatAdministrators: the administrators that aren't bots, as the Bot API says."""
    return [
        m
        for m in members_of(state, chat_id).values()
        if m["status"] in ("creator", "administrator") and not m["user"]["is_bot"]
    ]

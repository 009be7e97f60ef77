"""The user's side of the sandbox: build updates exactly as Telegram would send them."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.sandbox import members
from bot.sandbox.state import SandboxState

_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(@\w+)?")
# stand-ins for the non-text kinds a phone can send; ids are fake but well-formed.
_FILE = {"file_id": "sandbox-file", "file_unique_id": "sandbox-unique", "file_size": 1024}
MEDIA: dict[str, dict[str, Any]] = {
    "voice": {"voice": {**_FILE, "duration": 3, "mime_type": "audio/ogg"}},
    "photo": {"photo": [{**_FILE, "width": 320, "height": 240}]},
    "sticker": {
        "sticker": {
            **_FILE,
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": "👍",
        }
    },
    "document": {"document": {**_FILE, "file_name": "contract.pdf"}},
    "location": {"location": {"latitude": 13.75, "longitude": 100.5}},
    "contact": {"contact": {"phone_number": "+66000000000", "first_name": "Friend"}},
}


def user(user_id: int, language_code: str | None) -> dict[str, Any]:
    """A Telegram User object for a sandbox person."""
    person: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if language_code:
        person["language_code"] = language_code
    return person


async def send(
    state: SandboxState,
    user_id: int,
    text: str | None = None,
    kind: str | None = None,
    language_code: str | None = None,
    chat: dict[str, Any] | None = None,
    caption: str | None = None,
    thread_id: int | None = None,
) -> dict[str, Any]:
    """The user sends text (commands get their entity) or a media kind; returns the message.

    With `chat` a forum supergroup and `thread_id`, the message is posted in that topic, as
    an operator writing in a case's topic does."""
    chat = chat or {"id": user_id, "type": "private", "first_name": f"User{user_id}"}
    await members.join_if_needed(state, chat, user_id)  # a group's writers are its members
    message: dict[str, Any] = {
        "message_id": state.new_message_id(),
        "date": int(time.time()),
        "chat": chat,
        "from": user(user_id, language_code),
    }
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        message["is_topic_message"] = True
    if kind:
        message.update(MEDIA[kind])
        if caption:
            message["caption"] = caption
    else:
        message["text"] = text or ""
        command = _COMMAND.match(message["text"])
        if command:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(command.group())}
            ]
    await state.store_message(chat["id"], message)
    await state.push_update({"message": message})
    return message


async def press(
    state: SandboxState,
    user_id: int,
    message_id: int,
    data: str,
    language_code: str | None = None,
    chat_id: int | None = None,
) -> dict[str, Any]:
    """The user taps an inline button under one of the bot's messages (in their private
    chat, or with `chat_id` in a group such as the operators' desk)."""
    chat = user_id if chat_id is None else chat_id
    if chat < 0:
        await members.join_if_needed(state, members.group_chat(chat), user_id)
    original = next(
        (m for m in state.messages.get(chat, []) if m["message_id"] == message_id), None
    )
    query: dict[str, Any] = {
        "id": f"cb{time.monotonic_ns()}",
        "from": user(user_id, language_code),
        "chat_instance": str(chat),
        "data": data,
    }
    if original is not None:
        query["message"] = original
    return await state.push_update({"callback_query": query})

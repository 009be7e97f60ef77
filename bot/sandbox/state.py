"""What the sandbox Bot API server remembers: updates waiting, messages sent, calls made."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.limits import Limits

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Sandbox",
    "username": "sandbox_safe_migration_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


# update kinds Telegram sends only to a bot that lists them in allowed_updates
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class SandboxState:
    """All state of one sandbox server; every mutation wakes the waiters."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # by chat id
    calls: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    topics: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)  # forum topics
    limits: Limits = field(default_factory=Limits)  # 429 and 403 as Telegram gives them
    polls: int = 0  # getUpdates calls so far: a newer one ends the one still waiting
    members: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)  # by group
    # the bot's allowed_updates (getUpdates, setWebhook); None = never given: the default
    allowed_updates: list[str] | None = None
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    # who long-polls a chat's messages (GET /sandbox/messages), woken only by that chat: a
    # load bench has a poll open per person, and waking all of them for every message of
    # anyone took the sandbox a third of a core at 30 messages a second
    _chat_waiters: dict[int, list[asyncio.Future[None]]] = field(default_factory=dict)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_message_id(self) -> int:
        """Message ids are unique across chats here (Telegram's are per chat; both work)."""
        return next(self._message_ids)

    def wanted(self, kind: str) -> bool:
        """Whether the bot asked for this kind of update: as Telegram, an empty or unset
        allowed_updates means every kind except chat_member and message reactions."""
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in OPT_IN_UPDATES

    async def push_update(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue one update for the bot (getUpdates or webhook delivery); a kind the bot
        did not ask for is dropped, as Telegram does."""
        update = {"update_id": next(self._update_ids), **payload}
        if not all(self.wanted(kind) for kind in payload):
            return update
        async with self.changed:
            self.updates.append(update)
            self.changed.notify_all()
        return update

    async def confirm(self, offset: int) -> None:
        """Forget what getUpdates' offset confirms, as Telegram does: every update below a
        positive offset; all but the last -offset updates for a negative one."""
        async with self.changed:
            if offset > 0:
                self.updates[:] = [u for u in self.updates if u["update_id"] >= offset]
            elif offset < 0:
                del self.updates[: max(len(self.updates) + offset, 0)]

    async def new_poll(self) -> int:
        """Start a getUpdates call; the one still waiting (if any) sees a newer number."""
        async with self.changed:
            self.polls += 1
            self.changed.notify_all()
            return self.polls

    async def store_message(self, chat_id: int, message: dict[str, Any]) -> None:
        """Keep a message of a chat (from the user or the bot); wake who waits for it."""
        self.messages.setdefault(chat_id, []).append(message)
        for waiter in self._chat_waiters.pop(chat_id, []):
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Any, timeout: float, chat: int | None = None) -> bool:
        """Wait until predicate() is true or the timeout passes. With `chat`, only a message
        in that chat wakes the wait: a long poll on one chat is not woken by every other."""
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._next_change(predicate, chat), remaining)
            except asyncio.TimeoutError:
                return bool(predicate())
        return True

    async def _next_change(self, predicate: Any, chat: int | None) -> None:
        """Until the next change that could make predicate() true (at once if it already is)."""
        if chat is None:
            async with self.changed:  # a notifier holds it: look again once it is ours
                if not predicate():
                    await self.changed.wait()
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiting = self._chat_waiters.setdefault(chat, [])
        waiting.append(waiter)
        try:
            # this runs a loop turn after the caller looked: a message stored in between
            # woke nobody, so look again now that the waiter is in place
            if not predicate():
                await waiter
        finally:
            if waiter in waiting:
                waiting.remove(waiter)

    def bot_messages(self, chat_id: int, after_id: int = 0) -> list[dict[str, Any]]:
        """Messages the bot sent in a chat after a message id, not deleted."""
        return [
            m
            for m in self.messages.get(chat_id, [])
            if m["from"]["id"] == BOT_USER["id"]
            and m["message_id"] > after_id
            and not m.get("deleted")
        ]

"""The sandbox hands out updates with Telegram's semantics, so fault tests against it are real:
an update stays until confirmed by a later offset (polling) or a 2xx answer (webhook)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.sandbox import botapi, users
from bot.sandbox.delivery import deliver_webhook
from bot.sandbox.state import SandboxState


async def ids(state: SandboxState, **params: Any) -> list[int]:
    found = await botapi.call(state, "getUpdates", {"timeout": 0, **params})
    return [u["update_id"] for u in found]


async def queued(state: SandboxState, count: int, user_id: int = 1) -> list[int]:
    return [
        (await users.send(state, user_id, text=f"message {n}"))["message_id"] for n in range(count)
    ]


async def test_an_update_stays_until_a_higher_offset_confirms_it() -> None:
    state = SandboxState()
    await queued(state, 2)
    first = await ids(state)
    assert first == await ids(state) == [1, 2]  # fetched but unconfirmed: given again
    assert await ids(state, offset=2) == [2]  # confirms 1 only
    assert await ids(state, offset=1) == [2]  # a confirmed update never comes back
    assert await ids(state, offset=3) == []


async def test_a_negative_offset_keeps_only_the_newest_updates() -> None:
    state = SandboxState()
    await queued(state, 3)
    assert await ids(state, offset=-1) == [3]
    assert await ids(state) == [3]


async def test_at_most_limit_and_never_more_than_100_updates_at_once() -> None:
    state = SandboxState()
    await queued(state, 102)
    assert await ids(state, limit=2) == [1, 2]
    assert len(await ids(state, limit=500)) == 100


async def test_a_newer_poll_ends_the_waiting_one_with_a_conflict() -> None:
    state = SandboxState()
    waiting = asyncio.create_task(botapi.call(state, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0.05)
    assert await ids(state) == []
    with pytest.raises(botapi.ApiError) as error:
        await asyncio.wait_for(waiting, 5)
    assert error.value.code == 409


async def test_a_long_poll_returns_as_soon_as_an_update_arrives() -> None:
    state = SandboxState()
    waiting = asyncio.create_task(botapi.call(state, "getUpdates", {"timeout": 30}))
    await asyncio.sleep(0.05)
    await queued(state, 1)
    assert [u["update_id"] for u in await asyncio.wait_for(waiting, 5)] == [1]


async def test_a_wait_on_one_chat_is_woken_by_that_chat_only() -> None:
    """A long poll for one chat's replies is not woken by all the others' (60 at a time)."""
    state = SandboxState()
    looks: list[int] = []

    def arrived() -> bool:
        looks.append(1)
        return bool(state.messages.get(1))

    waiting = asyncio.create_task(state.wait_for(arrived, 30, chat=1))
    for _ in range(5):  # a few turns of the loop, no I/O: it has looked, and waits
        await asyncio.sleep(0)
    parked = len(looks)
    await users.send(state, 2, text="another chat")
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(looks) == parked and not waiting.done()
    await users.send(state, 1, text="this chat")
    assert await asyncio.wait_for(waiting, 5)
    assert len(looks) == parked + 1


async def test_a_message_stored_while_a_wait_parks_is_not_missed() -> None:
    """The wait looks, then parks a loop turn later: a message in between must count."""
    state = SandboxState()
    waiting = asyncio.create_task(state.wait_for(lambda: bool(state.messages.get(1)), 30, chat=1))
    await asyncio.sleep(0)  # it has looked (nothing yet) and is on its way to park
    await users.send(state, 1, text="in between")
    assert await asyncio.wait_for(waiting, 1)  # at once, not at the 30 s timeout


class Webhook:
    """A fake bot server: answers with scripted statuses and records what it saw."""

    def __init__(self, statuses: list[int], hold: float = 0.0) -> None:
        self.statuses = statuses
        self.hold = hold
        self.seen: list[int] = []
        self.active = 0
        self.most_active = 0

    async def post(self, url: str, update: Any, headers: dict[str, str]) -> int:
        self.seen.append(update["update_id"])
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        await asyncio.sleep(self.hold)
        self.active -= 1
        return self.statuses.pop(0) if self.statuses else 200


async def delivered(state: SandboxState, hook: Webhook) -> None:
    task = asyncio.create_task(deliver_webhook(state, hook.post))
    try:
        assert await state.wait_for(lambda: not state.updates, 10)
    finally:
        task.cancel()


async def test_a_webhook_update_is_retried_until_answered_with_2xx() -> None:
    state = SandboxState()
    await botapi.call(state, "setWebhook", {"url": "http://bot/hook", "secret_token": "s"})
    await queued(state, 1)
    hook = Webhook([500, 0, 204])
    await delivered(state, hook)
    assert hook.seen == [1, 1, 1]


async def test_one_chat_at_a_time_and_chats_in_parallel() -> None:
    state = SandboxState()
    await botapi.call(state, "setWebhook", {"url": "http://bot/hook", "max_connections": "3"})
    for user_id in (1, 2, 3, 4):
        await queued(state, 2, user_id)
    hook = Webhook([], hold=0.05)
    await delivered(state, hook)
    assert hook.most_active == 3  # max_connections, though four chats were waiting
    for user_id in (1, 2, 3, 4):  # each chat's two updates arrived in order
        mine = [u for u in hook.seen if (u - 1) // 2 == user_id - 1]
        assert mine == sorted(mine) and len(mine) == 2

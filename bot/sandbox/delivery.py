"""Webhook delivery the way Telegram does it: an update stays queued until the bot's server
answers its POST with a 2xx status; updates of one chat go one at a time (the next waits for
the answer to the previous), different chats in parallel up to the webhook's max_connections."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.state import SandboxState

Post = Callable[[str, Any, dict[str, str]], Awaitable[int]]
RETRY_AFTER = 0.5  # seconds before a failed delivery is tried again


def chat_of(update: dict[str, Any]) -> int:
    """The chat an update belongs to (0 for kinds without one)."""
    for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if key in update:
            return int(update[key]["chat"]["id"])
    query = update.get("callback_query")
    if query:
        message = query.get("message")
        return int(message["chat"]["id"] if message else query["from"]["id"])
    return 0


class Deliveries:
    """The deliveries in flight: which chats are busy, and how many connections are used."""

    def __init__(self, state: SandboxState, post: Post) -> None:
        self.state = state
        self.post = post
        self.busy_chats: set[int] = set()
        self.in_flight: set[int] = set()  # update ids
        self.tasks: set[asyncio.Task[None]] = set()

    def next_update(self) -> dict[str, Any] | None:
        """The oldest queued update whose chat has nothing in flight, if a connection is free."""
        limit = int(self.state.webhook.get("max_connections", 40))
        if not self.state.webhook.get("url") or len(self.in_flight) >= limit:
            return None
        for update in self.state.updates:
            if (
                update["update_id"] not in self.in_flight
                and chat_of(update) not in self.busy_chats
            ):
                return update
        return None

    def start(self, update: dict[str, Any]) -> None:
        """Deliver one update in the background."""
        self.busy_chats.add(chat_of(update))
        self.in_flight.add(update["update_id"])
        task = asyncio.create_task(self.deliver(update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def deliver(self, update: dict[str, Any]) -> None:
        """POST the update; drop it from the queue on 2xx, retry later otherwise."""
        webhook = self.state.webhook
        secret = webhook.get("secret")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            status = await self.post(webhook["url"], update, headers)
        except Exception:  # refused, reset mid-answer, timed out: Telegram retries all of them
            status = 0
        try:
            if 200 <= status < 300:
                with contextlib.suppress(ValueError):  # dropped meanwhile by deleteWebhook
                    self.state.updates.remove(update)
            else:
                await asyncio.sleep(RETRY_AFTER)
        finally:
            self.busy_chats.discard(chat_of(update))
            self.in_flight.discard(update["update_id"])
            async with self.state.changed:
                self.state.changed.notify_all()


async def deliver_webhook(state: SandboxState, post: Post) -> None:
    """Push queued updates to the registered webhook until cancelled."""
    deliveries = Deliveries(state, post)
    try:
        while True:
            await state.wait_for(lambda: deliveries.next_update() is not None, 3600)
            update = deliveries.next_update()
            if update is not None:
                deliveries.start(update)
    finally:
        for task in list(deliveries.tasks):
            task.cancel()

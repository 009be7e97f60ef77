"""Telegram's send rate, with room for danger (shared/spec/safety.md invariant 10).

Telegram takes about 30 messages a second from a bot; PTB's `AIORateLimiter` holds every
request that names a chat until the overall bucket has room. On a busy campaign day the
bucket is the queue: a topic answer of three bubbles per question is more than Telegram
takes, and a person who writes "they locked us in" would wait behind everyone's bubbles.

While more than BUSY sends wait for the bucket (`busy()`), the outbox joins an answer's
bubbles into one message (`render.joined`): three bubbles a question is more than
Telegram takes on a campaign day, one is not.

Requests sent while `urgent_sends()` is active (the tier-1 numbers, marked `urgent` by the
core) skip that queue and go at once; they are a handful a minute, and if Telegram answers
one with 429 it is retried after `retry_after`, as every request is. Member reads
(`getChatMember`…, the desk guard's checks) are limited like requests without a chat, so
they never use up a desk group's message rate.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from typing import Any

from telegram.ext import AIORateLimiter

# reading a group's members is not posting to it: these skip PTB's per-group limiter, whose
# 20 per minute are Telegram's limit for messages in a group (bot/telegram/membership.py)
MEMBER_READS = frozenset({"getChatMember", "getChatMemberCount", "getChatAdministrators"})
BUSY = 30  # sends waiting for Telegram's rate: a second of sending (a burst is not load)
# set by the outbox around the sends of one urgent outcome; a context variable, so only
# that turn's own requests (its task) see it
_URGENT: ContextVar[bool] = ContextVar("urgent_sends", default=False)


@contextlib.contextmanager
def urgent_sends(urgent: bool = True) -> Iterator[None]:
    """Within the block, this task's requests go ahead of the queue (when urgent)."""
    token = _URGENT.set(urgent)
    try:
        yield
    finally:
        _URGENT.reset(token)


class SendLimiter(AIORateLimiter):
    """PTB's rate limiter, except for urgent sends and member reads (see above)."""

    _waiting = 0  # sends to a chat inside the limiter right now (one event loop: no lock)

    def busy(self) -> bool:
        """More sends wait for Telegram's rate than BUSY."""
        return self._waiting > BUSY

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        """Without a chat id PTB applies no per-chat or overall bucket (the request itself
        is unchanged: `data` here is only what the limiter reads)."""
        if _URGENT.get() or endpoint in MEMBER_READS:
            data = {key: value for key, value in data.items() if key != "chat_id"}
        queued = "chat_id" in data
        self._waiting += queued
        try:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            self._waiting -= queued

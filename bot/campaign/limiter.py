"""One rate limiter for every Bot API call that goes to a chat, replies first.

Telegram allows about 30 messages a second overall, 1 a second per private chat and 20 a
minute per group; beyond that it answers 429 with `retry_after`. Every send of the bot
(PTB calls `process_request` for each) takes a token from one bucket of `rate` per
second. Replies to people take any token there is. Broadcast messages (sent with
`rate_limit_args={"bulk": True}`) take one only when no reply is waiting and the bucket
holds more than `reserve` tokens, and never more than `bulk_rate` a second, so a
broadcast uses the room replies leave and a person who writes mid-broadcast is answered
at once. A 429 stops every send for its `retry_after`, then the call is tried again.

Danger first (shared/spec/safety.md invariant 10): sends made inside `urgent_sends()` (the
tier-1 numbers, an outcome the core marks `urgent`) wait for nothing; they take their
token anyway, even into debt, so everyone else slows by as much.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSON = bool | dict[str, Any] | list[dict[str, Any]]
GROUP_PER_MINUTE = 20
# set by the outbox around the sends of one urgent outcome; a context variable, so only
# that turn's own requests (its task) see it
_URGENT: ContextVar[bool] = ContextVar("urgent_sends", default=False)


@contextmanager
def urgent_sends(urgent: bool = True) -> Iterator[None]:
    """Within the block, this task's sends go ahead of every queue (when urgent)."""
    token = _URGENT.set(urgent)
    try:
        yield
    finally:
        _URGENT.reset(token)


def retry_seconds(error: RetryAfter) -> float:
    """The wait a 429 asks for (PTB 22 is moving it from int to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        seconds = error.retry_after
    return float(seconds) if isinstance(seconds, int | float) else seconds.total_seconds()


class Bucket:
    """Tokens refilled continuously at `rate` per second, up to `size`."""

    def __init__(self, rate: float, size: float, now: float) -> None:
        self.rate, self.size = rate, size
        self.tokens, self._at = size, now

    def refill(self, now: float) -> None:
        """Add what the time since the last refill earned."""
        self.tokens = min(self.size, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def wait(self, need: float) -> float:
        """Seconds until `need` tokens are there."""
        return max(0.0, (need - self.tokens) / self.rate)


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Replies first, broadcasts in the room left, one pause for every 429."""

    def __init__(
        self,
        rate: float = 28.0,
        bulk_rate: float = 20.0,
        reserve: float = 8.0,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        now = clock()
        self._clock = clock
        self._all = Bucket(rate, rate, now)  # a second's worth of burst
        self._bulk = Bucket(bulk_rate, 1.0, now)  # broadcasts: evenly spaced
        self._reserve = min(reserve, rate / 3)  # a slow limit still lets broadcasts through
        self._groups: dict[int, Bucket] = {}
        self._waiting_replies = 0
        self._paused_until = 0.0
        self._max_retries = max_retries
        self._chatless: frozenset[str] = frozenset()

    @classmethod
    def for_broadcasts(
        cls, bulk_rate: float, chatless: frozenset[str] = frozenset()
    ) -> PriorityRateLimiter:
        """Telegram's 30/s with headroom; a higher broadcast rate (Telegram's paid
        broadcasts, or a test against the sandbox) raises the overall rate with it.
        `chatless` methods (member reads) send nothing to a chat: no token for them."""
        limiter = cls(rate=max(28.0, bulk_rate * 1.4), bulk_rate=bulk_rate)
        limiter._chatless = chatless
        return limiter

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def _group(self, chat_id: int, now: float) -> Bucket:
        if chat_id not in self._groups:
            if len(self._groups) > 512:  # forget groups idle long enough to be full again
                for key in [k for k, b in self._groups.items() if b.tokens >= b.size]:
                    del self._groups[key]
            self._groups[chat_id] = Bucket(GROUP_PER_MINUTE / 60, GROUP_PER_MINUTE, now)
        return self._groups[chat_id]

    def _try(self, bulk: bool, group: Bucket | None) -> float:
        """Take a token now (0.0) or say how long to wait."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        self._all.refill(now)
        buckets = [self._all]
        need = 1.0
        if bulk:
            if self._waiting_replies:
                return 0.05
            self._bulk.refill(now)
            buckets.append(self._bulk)
            need = 1.0 + self._reserve
        if group is not None:
            group.refill(now)
            buckets.append(group)
        wait = max([self._all.wait(need), *(b.wait(1.0) for b in buckets[1:])])
        if wait > 0:
            return wait
        for bucket in buckets:
            bucket.tokens -= 1.0
        return 0.0

    def take_now(self) -> None:
        """An urgent send: its token is taken at once, into debt if need be."""
        self._all.refill(self._clock())
        self._all.tokens -= 1.0

    async def acquire(self, bulk: bool, chat_id: int | None = None) -> None:
        """Wait for this send's turn."""
        group = self._group(chat_id, self._clock()) if chat_id and chat_id < 0 else None
        if not bulk:
            self._waiting_replies += 1
        try:
            # tokens come with time, not with an event: sleep until the next one is due
            while (wait := self._try(bulk, group)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(min(wait, 0.25))
        finally:
            if not bulk:
                self._waiting_replies -= 1

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        """Run one Bot API call in its turn; a 429 pauses everyone, then it is retried."""
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat = None if endpoint in self._chatless else data.get("chat_id")
        chat_id = int(str(chat)) if str(chat).lstrip("-").isdigit() else None
        urgent = _URGENT.get() and not bulk
        for attempt in range(self._max_retries + 1):
            if chat is not None and urgent and self._clock() >= self._paused_until:
                self.take_now()
            elif chat is not None:
                await self.acquire(bulk, chat_id)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_seconds(error)
                log.info("Telegram asked to wait %.1f s (429)", wait)
                self.pause(wait + 0.1)
                if attempt == self._max_retries:
                    raise
        raise AssertionError("unreachable")

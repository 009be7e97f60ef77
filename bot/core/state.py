"""Short-lived state per person: one small port, kept in this process or in Redis.

What a turn needs quickly and often (a recent user's language and place, a running short
check, quiz progress, the open-case memo, the conversation's tier, the per-person lock and
flood budget) goes through `State`. `LocalState` keeps it in this process: the embedded
default (`make run`, no Redis). bot/storage/redis_state.py keeps the same in Redis when
REDIS_URL is set, so a second bot process or a restart sees it; bot/core/resilient.py falls
back to local state (and keeps answering) when Redis fails.

Values are strings (JSON where structured). Keys are "<what>:<pseudonym>", built with
`key()`; `PERSONAL` lists every kind, so /forget can drop them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from weakref import WeakValueDictionary

# every kind of per-person key; /forget drops them all (bot/core/pipeline.py)
PERSONAL = (
    "locale",  # language (memo of the user table)
    "profile",  # where the person is, under 18 (memo of the user table)
    "consent",  # the keep-my-words choice (memo of the consent events)
    "check",  # the short check in progress (only here)
    "quiz",  # quiz attempts and tips seen (memo; answers are stored)
    "tier",  # the conversation's urgency tier (memo of the user table)
    "case",  # open-case memo (the case itself is in the database)
    "slow",  # a slow-down message was sent recently
    "bucket",  # the flood budget's tokens
    "flight",  # turns admitted and not finished
)
MAX_KEYS = 200_000  # local state forgets the least recently used beyond this
DAY = 24 * 3600.0


class LockTimeout(Exception):
    """Another process held a person's lock for longer than it may."""


def key(kind: str, sender: str) -> str:
    """The key of one kind of state of one person."""
    return f"{kind}:{sender}"


class State(Protocol):
    """TTL'd values, per-key locks, a token bucket and an in-flight counter."""

    async def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        ...

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set a value that expires after ttl seconds."""
        ...

    async def put_new(self, key: str, value: str, ttl: float) -> bool:
        """Set a value only if absent; True if this call set it."""
        ...

    async def drop(self, *keys: str) -> None:
        """Remove values (absent keys are fine)."""
        ...

    def lock(self, key: str, hold: float) -> AbstractAsyncContextManager[None]:
        """Hold a lock while the block runs, waiting for it and holding it up to `hold` s;
        a holder that dies frees it (shared stores: within a short lease)."""
        ...

    async def take(self, key: str, rate: float, burst: float) -> bool:
        """Take one token from a bucket refilled at `rate`/s up to `burst`; False if empty."""
        ...

    async def enter(self, key: str, cap: int, ttl: float) -> bool:
        """Count one more in flight unless `cap` already are; False when full."""
        ...

    async def leave(self, key: str) -> None:
        """Count one fewer in flight."""
        ...


class LocalState:
    """State in this process's memory, bounded; lost when the process stops."""

    def __init__(
        self, max_keys: int = MAX_KEYS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._values: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._flights: dict[str, int] = {}
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()
        self._max = max_keys
        self._clock = clock

    def _keep(self, store: OrderedDict[str, Any]) -> None:
        while len(store) > self._max:
            store.popitem(last=False)

    async def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        found = self._values.get(key)
        if found is None:
            return None
        if found[0] <= self._clock():
            del self._values[key]
            return None
        self._values.move_to_end(key)
        return found[1]

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set a value that expires after ttl seconds."""
        self._values[key] = (self._clock() + ttl, value)
        self._values.move_to_end(key)
        self._keep(self._values)

    async def put_new(self, key: str, value: str, ttl: float) -> bool:
        """Set a value only if absent; True if this call set it."""
        if await self.get(key) is not None:
            return False
        await self.put(key, value, ttl)
        return True

    async def drop(self, *keys: str) -> None:
        """Remove values, buckets and counters under these keys."""
        for name in keys:
            self._values.pop(name, None)
            self._buckets.pop(name, None)
            self._flights.pop(name, None)

    def lock(self, key: str, hold: float) -> AbstractAsyncContextManager[None]:
        """An asyncio lock per key (`hold` matters only across processes)."""
        found = self._locks.get(key)
        if found is None:
            found = asyncio.Lock()
            self._locks[key] = found
        return _held(found)

    async def take(self, key: str, rate: float, burst: float) -> bool:
        """Take one token from a bucket refilled at `rate`/s up to `burst`; False if empty."""
        now = self._clock()
        tokens, at = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - at) * rate)
        taken = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if taken else tokens, now)
        self._buckets.move_to_end(key)
        self._keep(self._buckets)
        return taken

    async def enter(self, key: str, cap: int, ttl: float) -> bool:
        """Count one more in flight unless `cap` already are; False when full."""
        count = self._flights.get(key, 0)
        if count >= cap:
            return False
        self._flights[key] = count + 1
        return True

    async def leave(self, key: str) -> None:
        """Count one fewer in flight."""
        count = self._flights.get(key, 0) - 1
        if count > 0:
            self._flights[key] = count
        else:
            self._flights.pop(key, None)


@contextlib.asynccontextmanager
async def _held(lock: asyncio.Lock) -> AsyncIterator[None]:
    async with lock:
        yield

"""Shared state that never stops a reply: Redis when it answers, this process otherwise.

Every call goes to the shared store (Redis) within a short deadline. When it fails, the
call is served from local state, one warning is logged, and the shared store is left
alone for RETRY seconds before it is tried again (one info line when it is back). So a
dead Redis costs at most one deadline per RETRY, and people keep getting answers: their
memo is rebuilt from the database, their lock and budget are this process's own.

A person's lock is always taken locally first (turns of one person in this process queue
without polling Redis), then in Redis so other processes wait too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from bot.core.state import LocalState, LockTimeout, State

log = logging.getLogger(__name__)
T = TypeVar("T")
DEADLINE = 0.25  # seconds for one call to the shared store
RETRY = 5.0  # seconds before a failed shared store is tried again


class ResilientState:
    """A `State` over a shared store, with local state as the fallback."""

    def __init__(
        self,
        shared: State,
        local: LocalState | None = None,
        deadline: float = DEADLINE,
        retry: float = RETRY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self.local = local or LocalState()
        self._deadline = deadline
        self._retry = retry
        self._clock = clock
        self._down_until: float | None = None  # None: the shared store is believed up

    @property
    def degraded(self) -> bool:
        """True while calls are served from local state."""
        return self._down_until is not None and self._clock() < self._down_until

    def _failed(self, error: BaseException) -> None:
        if self._down_until is None:
            log.warning(
                "shared state unreachable (%s): using this process's memory until it is back",
                type(error).__name__,
            )
        self._down_until = self._clock() + self._retry

    def _worked(self) -> None:
        if self._down_until is not None:
            log.info("shared state is back")
            self._down_until = None

    async def _call(
        self, shared: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]
    ) -> T:
        if self.degraded:
            return await local()
        try:
            result = await asyncio.wait_for(shared(), self._deadline)
        except Exception as error:  # any failure of the shared store: serve locally
            self._failed(error)
            return await local()
        self._worked()
        return result

    async def get(self, key: str) -> str | None:
        """The value, from the shared store when it answers."""
        return await self._call(lambda: self.shared.get(key), lambda: self.local.get(key))

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set a value (locally when the shared store fails)."""
        await self._call(
            lambda: self.shared.put(key, value, ttl), lambda: self.local.put(key, value, ttl)
        )

    async def put_new(self, key: str, value: str, ttl: float) -> bool:
        """Set a value only if absent; True if this call set it."""
        return await self._call(
            lambda: self.shared.put_new(key, value, ttl),
            lambda: self.local.put_new(key, value, ttl),
        )

    async def drop(self, *keys: str) -> None:
        """Remove values in both places (a local copy may remain from a Redis outage)."""
        await self.local.drop(*keys)
        await self._call(lambda: self.shared.drop(*keys), _nothing)

    def lock(self, key: str, hold: float) -> AbstractAsyncContextManager[None]:
        """This process's lock, then the shared one (skipped when the store fails)."""
        return self._both(key, hold)

    @contextlib.asynccontextmanager
    async def _both(self, key: str, hold: float) -> AsyncIterator[None]:
        async with self.local.lock(key, hold):
            held = None
            if not self.degraded:
                shared = self.shared.lock(key, hold)
                try:
                    await shared.__aenter__()
                    held = shared
                    self._worked()
                except LockTimeout:
                    log.warning("a person's lock was held elsewhere for too long; going on")
                except Exception as error:
                    self._failed(error)
            try:
                yield
            finally:
                if held is not None:
                    with contextlib.suppress(Exception):
                        await held.__aexit__(None, None, None)

    async def take(self, key: str, rate: float, burst: float) -> bool:
        """Take a token of the person's flood budget."""
        return await self._call(
            lambda: self.shared.take(key, rate, burst), lambda: self.local.take(key, rate, burst)
        )

    async def enter(self, key: str, cap: int, ttl: float) -> bool:
        """Count a turn in flight."""
        return await self._call(
            lambda: self.shared.enter(key, cap, ttl), lambda: self.local.enter(key, cap, ttl)
        )

    async def leave(self, key: str) -> None:
        """Count a turn done, where it was counted (both: the count never goes below 0)."""
        await self.local.leave(key)
        await self._call(lambda: self.shared.leave(key), _nothing)


async def _nothing() -> None:
    return None

"""The state port (bot/core/state.py) in Redis, for several bot processes (REDIS_URL).

redis-py 4.6's asyncio client (installed with Rasa, which uses it for its lock store).
Locks are redis-py's `Lock` (SET NX PX, released by a token check) on a short lease that
their holder renews while it runs, so a process killed holding a person's lock keeps them
waiting for one lease, not for the whole hold; the flood budget and
the in-flight counter are one Lua script each, so two processes never both take the last
token. Every key lives under "bot:" and expires: a crashed process leaves nothing behind
for longer than its TTL. Failures raise; bot/core/resilient.py decides what to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from bot.aio import beside, set_within
from bot.core.state import LockTimeout

log = logging.getLogger(__name__)
PREFIX = "bot:"
LOCK_POLL = 0.01  # seconds between tries for a lock another process holds
# seconds a person's lock lives unless its holder renews it (every third of it): after a
# holder dies, the person's next turn waits at most this long (it was the whole 30 s hold)
LOCK_LEASE = 3.0
RENEW_STOP = 0.1  # seconds a finished turn waits for its renewer to stop before releasing

# tokens refill at ARGV[1]/s up to ARGV[2]; the server's clock, so processes agree
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local got = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(got[1]) or burst
local at = tonumber(got[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local taken = 0
if tokens >= 1 then
  tokens = tokens - 1
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return taken
"""
_ENTER = """
local n = redis.call('INCR', KEYS[1])
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_LEAVE = """
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n
"""


class RedisState:
    """State shared by every process that uses the same Redis."""

    def __init__(self, client: Redis, lease: float = LOCK_LEASE) -> None:  # type: ignore[type-arg]
        self._redis = client
        self._lease = lease
        self._take = client.register_script(_TAKE)
        self._enter = client.register_script(_ENTER)
        self._leave = client.register_script(_LEAVE)

    @classmethod
    def from_url(cls, url: str, timeout: float = 1.0, lease: float = LOCK_LEASE) -> RedisState:
        """A client for REDIS_URL; connecting happens on first use."""
        client: Redis = Redis.from_url(  # type: ignore[type-arg]
            url, decode_responses=True, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        return cls(client, lease)

    async def close(self) -> None:
        """Close the connections."""
        await self._redis.close()

    async def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        found: Any = await self._redis.get(PREFIX + key)
        return None if found is None else str(found)

    async def put(self, key: str, value: str, ttl: float) -> None:
        """Set a value that expires after ttl seconds."""
        await self._redis.set(PREFIX + key, value, px=max(1, int(ttl * 1000)))

    async def put_new(self, key: str, value: str, ttl: float) -> bool:
        """Set a value only if absent; True if this call set it."""
        done = await self._redis.set(PREFIX + key, value, px=max(1, int(ttl * 1000)), nx=True)
        return bool(done)

    async def drop(self, *keys: str) -> None:
        """Remove values (absent keys are fine)."""
        if keys:
            await self._redis.delete(*(PREFIX + k for k in keys))

    def lock(self, key: str, hold: float) -> AbstractAsyncContextManager[None]:
        """A Redis lock, waited for up to `hold` s and held up to `hold` s while its holder
        lives; it frees itself within a lease of its holder dying."""
        lock = Lock(self._redis, PREFIX + key, timeout=self._lease, sleep=LOCK_POLL,
                    blocking_timeout=hold)  # fmt: skip
        return _held(lock, hold)

    async def take(self, key: str, rate: float, burst: float) -> bool:
        """Take one token from a bucket refilled at `rate`/s up to `burst`; False if empty."""
        return bool(await self._take(keys=[PREFIX + key], args=[rate, burst]))

    async def enter(self, key: str, cap: int, ttl: float) -> bool:
        """Count one more in flight unless `cap` already are; False when full."""
        return bool(await self._enter(keys=[PREFIX + key], args=[cap, int(ttl * 1000)]))

    async def leave(self, key: str) -> None:
        """Count one fewer in flight."""
        await self._leave(keys=[PREFIX + key], args=[])


@contextlib.asynccontextmanager
async def _held(lock: Lock, hold: float) -> AsyncIterator[None]:
    if not await lock.acquire():
        raise LockTimeout(lock.name)
    until = time.monotonic() + hold
    try:
        # the renewer stops on a flag (bot/aio.py): one that swallowed its cancellation
        # renewed on and held the turn here for the rest of its hold (28 s after a bot
        # kill, in the fault test)
        async with beside(lambda finished: _renew(lock, until, finished), RENEW_STOP):
            yield
    finally:
        with contextlib.suppress(LockError, RedisError):  # expired: someone else may have it
            await lock.release()


async def _renew(lock: Lock, until: float, finished: asyncio.Event) -> None:
    """Renew the lease every third of it while the turn runs, up to `until` (a turn stuck
    longer than its hold lets the person's next turn go, as before); a failed renewal lets
    the lease lapse. A renewal that comes after the release fails on the token: harmless."""
    assert lock.timeout is not None
    pause = lock.timeout / 3
    while time.monotonic() + pause < until:
        if await set_within(finished, pause):
            return
        try:
            await lock.reacquire()
        except (LockError, RedisError) as error:
            log.warning("a person's lock could not be renewed: %s", type(error).__name__)
            return

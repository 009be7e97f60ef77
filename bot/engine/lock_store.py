"""The engine's conversation locks: Rasa's RedisLockStore when REDIS_URL is set.

Rasa serialises the turns of one conversation with a lock. With one engine process its
in-memory lock store is enough (the default, `make run`); several replicas share the
conversations in one tracker store, so they must share the locks too: Rasa's
RedisLockStore on REDIS_URL. If Redis stops answering, turns go on with the process's
own locks for a few seconds before Redis is tried again: the bot already keeps each
person's turns in order, so a lost lock never outweighs an answer a person waits for.

endpoints.yml: `lock_store: {type: bot.engine.lock_store.PrivateLockStore}`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote, urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)

log = logging.getLogger(__name__)
# Rasa polls a busy lock once a second; turns take milliseconds, so poll often.
WAIT_BETWEEN_TRIES = 0.02
REDIS_TIMEOUT = 0.5  # seconds: redis-py blocks the event loop while it waits
REDIS_PAUSE = 5.0  # seconds on local locks after Redis failed, before trying it again
KEY_PREFIX = "engine"


def redis_lock_store(url: str) -> RedisLockStore:
    """Rasa's RedisLockStore for a redis:// or rediss:// URL."""
    parts = urlparse(url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError("REDIS_URL must look like redis://host:port/db")
    return RedisLockStore(
        host=parts.hostname,
        port=parts.port or 6379,
        db=int(parts.path.lstrip("/") or 0),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
        key_prefix=KEY_PREFIX,
        socket_timeout=REDIS_TIMEOUT,
    )


class PrivateLockStore(LockStore):  # type: ignore[misc]
    """Redis locks when REDIS_URL is set (falling back to local ones), else local ones."""

    def __init__(self, endpoint_config: Any = None) -> None:
        url = os.environ.get("REDIS_URL", "").strip()
        self.shared: LockStore | None = redis_lock_store(url) if url else None
        self.local = InMemoryLockStore()
        self._redis_failed_at = 0.0
        super().__init__()

    def _store(self) -> LockStore:
        """Redis unless it failed in the last REDIS_PAUSE seconds."""
        if self.shared is None:
            return self.local
        if time.monotonic() - self._redis_failed_at < REDIS_PAUSE:
            return self.local
        return self.shared

    def _redis_failed(self, error: Exception) -> None:
        if time.monotonic() - self._redis_failed_at >= REDIS_PAUSE:
            log.warning("Redis lock store unavailable (%s): local locks", type(error).__name__)
        self._redis_failed_at = time.monotonic()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's lock, from Redis or the process."""
        return self._store().get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Remove the conversation's lock."""
        self._store().delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Store the conversation's lock."""
        self._store().save_lock(lock)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = WAIT_BETWEEN_TRIES,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ticket lock, polled every WAIT_BETWEEN_TRIES; local while Redis fails.

        One store serves the whole turn, so a ticket is never left behind in the other.
        """
        store = self._store()
        try:
            ticket = store.issue_ticket(conversation_id, lock_lifetime)
        except LockError as error:  # Redis did not answer: this turn uses local locks
            self._redis_failed(error)
            store = self.local
            ticket = store.issue_ticket(conversation_id, lock_lifetime)
        try:
            yield await store._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            try:
                store.cleanup(conversation_id, ticket)
            except Exception as error:  # the turn is done; an expired ticket goes by itself
                self._redis_failed(error)

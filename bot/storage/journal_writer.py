"""Writes the update journal in the background: everything that piled up during one commit
goes into the next (group commit), on a thread of its own.

A slow or hanging database then delays only the journal, never an answer, and never ties up
the worker threads the other stores share. What waits on the journal: Telegram's confirmation
of an update (which the intake also gives once the update is answered), and a person's next
bubble, until the result of the one before it is kept (`wait_kept`, bounded: see KEEP_WAIT).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import journal

log = logging.getLogger(__name__)
T = TypeVar("T")
LEASE = timedelta(minutes=2)  # after this, another webhook worker may replay an update
KEEP_ANSWERED = timedelta(hours=24)  # how long an answered id guards against redelivery
PURGE_EVERY = 600.0  # seconds
RETRY_AFTER = 1.0  # seconds between attempts while the database is unavailable
MAX_BUFFERED = 20_000  # updates waiting for a commit; beyond, they are confirmed once answered
# A sent message's result is committed before the next message of its update goes out, so a
# bot killed at any moment has at most one message per conversation sent but not kept (the one
# a replay sends again). Never longer than this, and not at all while the database lags.
KEEP_WAIT = 2.0  # seconds


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller stopped waiting (a timeout)
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _commit_without_waiting_for_disk(session: Session) -> None:
    """PostgreSQL: this transaction's commit returns before its WAL reaches the disk. The
    journal guards against the bot dying, which PostgreSQL survives with every commit it
    acknowledged; only a crash of PostgreSQL itself could lose its last fraction of a second,
    and the bot answers those updates anyway unless it dies at the same time. In exchange a
    commit takes a network round trip instead of a disk flush, so far fewer messages are in
    flight, unjournaled, when the bot dies (they are the ones that may be sent twice)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


class DatabaseThread:
    """One daemon thread running database calls in order: a call that hangs blocks only this
    thread, and, being a daemon, never keeps the process from exiting."""

    def __init__(self, name: str) -> None:
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        threading.Thread(target=self._work, name=name, daemon=True).start()

    def submit(self, call: Callable[[], T]) -> asyncio.Future[T]:
        """Run `call` on the thread; its result (or error) arrives in the returned future."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((call, future, loop))
        return future

    def close(self) -> None:
        """Let the thread end after the calls already submitted."""
        self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            call, future, loop = job
            result, error = None, None
            try:
                result = call()
            except BaseException as failure:  # handed over to the waiting coroutine
                error = failure
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(_settle, future, result, error)


@dataclass
class Batch:
    """What one commit writes: received updates, sent results, answered ids."""

    received: list[tuple[int, str]] = field(default_factory=list)
    waiting: list[asyncio.Future[None]] = field(default_factory=list)  # resolved on commit
    sent: list[tuple[int, int, str]] = field(default_factory=list)
    answered: list[int] = field(default_factory=list)
    purge: bool = False

    def __bool__(self) -> bool:
        return bool(self.received or self.sent or self.answered or self.purge)


class JournalWriter:
    """Buffers journal writes and commits them in batches from one background task."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        owner: str,
        *,
        clock: Callable[[], datetime],  # the core's clock, injected (BOT_TEST_NOW moves it)
    ) -> None:
        self._sessions = sessions
        self.owner = owner[:64]
        self._clock = clock
        self._thread = DatabaseThread("journal")
        self._batch = Batch()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.available = True  # the last commit succeeded
        self._lagging = False  # a wait_kept timed out and no commit has succeeded since
        self._purge: asyncio.Handle | None = None

    def append(self, update_id: int, payload: str) -> asyncio.Future[None] | None:
        """Journal a received update; the future resolves once it is committed (None when
        too much is already waiting for the database)."""
        if len(self._batch.received) >= MAX_BUFFERED:
            return None
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batch.received.append((update_id, payload))
        self._batch.waiting.append(future)
        self._kick()
        return future

    def note_sent(self, update_id: int, seq: int, result: str) -> asyncio.Future[None]:
        """Keep Telegram's result of the seq-th message sent for an update; the future
        resolves once it is committed (see wait_kept)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batch.sent.append((update_id, seq, result))
        self._batch.waiting.append(future)
        self._kick()
        return future

    async def wait_kept(self, committed: asyncio.Future[None]) -> None:
        """Wait until a sent result is committed: at most KEEP_WAIT, and not at all while
        the database lags or is down. A hanging database must never hold answers back; the
        price is that a bot killed during the hang may send its last bubbles twice."""
        if self._lagging or not self.available:
            return
        try:
            await asyncio.wait_for(asyncio.shield(committed), KEEP_WAIT)
        except asyncio.TimeoutError:
            log.warning("update journal: commits are slow; replies no longer wait for them")
            self._lagging = True

    def finish(self, update_id: int) -> None:
        """The update is answered: erase its payload and sent results."""
        self._batch.answered.append(update_id)
        self._kick()

    async def read(self, work: Callable[[Session], T], timeout: float) -> T:
        """Run `work` in a transaction on the journal's thread, waiting at most `timeout`."""

        def run() -> T:
            with self._sessions() as session, session.begin():
                _commit_without_waiting_for_disk(session)
                return work(session)

        return await asyncio.wait_for(self._thread.submit(run), timeout)

    async def claim(self, everyone: bool, timeout: float) -> journal.Claimed:
        """Take over the journal's unanswered updates (see journal.claim) for this owner."""
        owner, now = self.owner, self._clock()
        return await self.read(lambda s: journal.claim(s, owner, now, LEASE, everyone), timeout)

    async def recent_answers(self, window: timedelta, timeout: float) -> set[int]:
        """Ids answered within `window` of the newest answer (see journal.answered_ids)."""
        return await self.read(lambda s: journal.answered_ids(s, window), timeout)

    async def run(self) -> None:
        """Commit whatever is buffered, batch after batch, until cancelled."""
        self._purge = asyncio.get_running_loop().call_soon(self._ask_purge)
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                batch, self._batch = self._batch, Batch()
                if batch:
                    self._idle.clear()
                    await self._commit(batch)
                if not self._batch:
                    self._idle.set()
        finally:
            if self._purge is not None:
                self._purge.cancel()

    async def flush(self, timeout: float) -> bool:
        """Wait until everything buffered is committed; False if that took too long."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    def close(self) -> None:
        """Stop the journal's thread once it is done with what it was given."""
        self._thread.close()

    def _kick(self) -> None:
        self._idle.clear()
        self._wake.set()

    def _ask_purge(self) -> None:
        self._batch.purge = True
        self._kick()
        self._purge = asyncio.get_running_loop().call_later(PURGE_EVERY, self._ask_purge)

    async def _commit(self, batch: Batch) -> None:
        try:
            await self._thread.submit(lambda: self._write(batch))
        except Exception as error:  # the database said no or is gone: keep it, try again
            if self.available:
                log.warning(
                    "update journal: database unavailable (%s); updates are confirmed to "
                    "Telegram once answered until it is back",
                    type(error).__name__,
                )
            self.available = False
            self._requeue(batch)
            await asyncio.sleep(RETRY_AFTER)
            return
        if not self.available:
            log.info("update journal: database available again")
        self.available, self._lagging = True, False
        for future in batch.waiting:
            if not future.done():
                future.set_result(None)

    def _requeue(self, batch: Batch) -> None:
        newer, self._batch = self._batch, batch
        batch.received += newer.received
        batch.waiting += newer.waiting
        batch.sent += newer.sent
        batch.answered += newer.answered
        batch.purge = batch.purge or newer.purge
        self._wake.set()

    def _write(self, batch: Batch) -> None:
        now = self._clock()
        with self._sessions() as session, session.begin():
            _commit_without_waiting_for_disk(session)
            journal.append(session, batch.received, self.owner, now, LEASE)
            journal.note_sent(session, batch.sent)
            journal.finish(session, batch.answered, now)
            if batch.purge:
                journal.purge(session, now - KEEP_ANSWERED)

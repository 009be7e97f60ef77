"""Send one broadcast to everyone who opted in: paced, resumable, at most once each.

Recipients are taken from the database in small batches: a batch is marked "sending"
and committed, then sent (through the shared limiter, behind people's replies), then
each outcome is written. A process killed mid-batch leaves those rows "sending"; the
next runner marks them "unknown" and never sends them again, so nobody gets a broadcast
twice, and staff see how many may have missed it. A lease in the broadcast's row makes
sure only one process sends it at a time; a restarted bot takes over when it expires.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from sqlalchemy.orm import Session
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.campaign import tally as steps
from bot.campaign.optin import NOTICE_VERSION
from bot.campaign.tally import Tally
from bot.core import clock
from bot.storage import broadcasts as store
from bot.storage import recipients as copies
from bot.storage.broadcasts import SqlOptInStore
from bot.storage.recipients import Recipient

log = logging.getLogger(__name__)
Send = Callable[[int, str, str], Awaitable[None]]  # chat id, locale, broadcast key
Show = Callable[[int, str], Awaitable[None]]  # broadcast id, progress text
LEASE = timedelta(seconds=15)
BATCH = 25
SHOW_EVERY = 2.0


def progress_text(number: int, key: str, counts: dict[str, int], rate: float, done: bool) -> str:
    """The staff message: where the broadcast stands."""
    total = sum(counts.values())
    pending = counts.get(copies.PENDING, 0) + counts.get(copies.SENDING, 0)
    head = (
        f"✅ Broadcast #{number} ({key}) finished"
        if done
        else (f"📣 Broadcast #{number} ({key}) is sending")
    )
    lines = [
        head,
        f"sent {counts.get(copies.SENT, 0)} · pending {pending} · "
        f"blocked {counts.get(copies.BLOCKED, 0)} · failed {counts.get(copies.FAILED, 0)} · "
        f"stopped {counts.get(copies.STOPPED, 0)} · unknown {counts.get(copies.UNKNOWN, 0)} "
        f"of {total}",
    ]
    if not done:
        eta = f"about {pending / rate:.0f} s left" if rate > 0 else "starting"
        lines.append(f"{rate:.1f} msg/s · {eta}")
    if counts.get(copies.UNKNOWN):
        lines.append("unknown: a send was under way when the bot stopped; never sent again")
    return "\n".join(lines)


class Broadcaster:
    """Runs broadcasts to the end; one per process at a time per broadcast (the lease)."""

    def __init__(
        self, optins: SqlOptInStore, send: Send, show: Show, tally: Tally | None = None
    ) -> None:
        self._optins, self._send, self._show, self._tally = optins, send, show, tally
        self._owner = secrets.token_hex(8)
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()

    def launch(self, broadcast: int) -> None:
        """Run a broadcast in the background (once per process)."""
        if broadcast not in self.tasks or self.tasks[broadcast].done():
            self.tasks[broadcast] = asyncio.get_running_loop().create_task(self.run(broadcast))

    async def resume(self) -> None:
        """After a start: continue every broadcast that had not finished."""
        for broadcast in await self._optins.run(store.running, write=False):
            self.launch(broadcast)

    async def stop(self, timeout: float = 10.0) -> None:
        """At shutdown: finish the batch in flight (so none is left unknown), then stop;
        the next start continues with the rest."""
        self._stopping.set()
        running = [task for task in self.tasks.values() if not task.done()]
        if running:
            _, late = await asyncio.wait(running, timeout=timeout)
            for task in late:
                task.cancel()

    async def _lease(self, broadcast: int) -> bool:
        now = clock.now()
        return await self._optins.run(lambda s: store.lease(s, broadcast, self._owner, now, LEASE))

    async def run(self, broadcast: int) -> None:
        """Send until nothing is pending; wait while another process holds the lease."""
        try:
            while not await self._lease(broadcast):
                row = await self._optins.run(lambda s: store.get(s, broadcast), write=False)
                if row is None or row.status != store.RUNNING:
                    return
                await asyncio.sleep(LEASE.total_seconds() / 3)
            unknown = await self._optins.run(lambda s: copies.settle_in_flight(s, broadcast))
            if unknown:
                log.warning("broadcast %d: %d sends were in flight at a stop", broadcast, unknown)
            await self._send_all(broadcast)
        except Exception as error:  # the lease runs out; a later start continues
            log.error("broadcast %d stopped: %s", broadcast, type(error).__name__)

    async def _send_all(self, broadcast: int) -> None:
        row = await self._optins.run(lambda s: store.get(s, broadcast), write=False)
        assert row is not None
        key, started, sent, shown = str(row.key), time.monotonic(), 0, 0.0
        while not self._stopping.is_set() and await self._lease(broadcast):
            batch = await self._optins.run(lambda s: copies.take(s, broadcast, BATCH))
            if not batch:
                ended = clock.now()
                await self._optins.run(partial(store.finish, broadcast=broadcast, now=ended))
                await self._progress(broadcast, key, 0.0, done=True)
                return
            outcomes = await asyncio.gather(*(self._one(r, key) for r in batch))
            await self._write(list(zip(batch, outcomes, strict=True)))
            sent += sum(status == copies.SENT for status in outcomes)
            if time.monotonic() - shown >= SHOW_EVERY:
                shown = time.monotonic()
                await self._progress(broadcast, key, sent / max(shown - started, 1e-6), False)
        if self._stopping.is_set():
            await self._optins.run(partial(store.release, broadcast=broadcast, owner=self._owner))
        else:
            log.warning("broadcast %d: lease lost, another process continues", broadcast)

    async def _one(self, recipient: Recipient, key: str) -> str:
        """Send one copy; what became of it."""
        try:
            await self._send(self._optins.chat(recipient.sealed_chat), recipient.locale, key)
        except Forbidden:
            return copies.BLOCKED  # blocked the bot or deleted the account: opted out
        except RetryAfter:
            return copies.PENDING  # Telegram refused it (not sent): try again later
        except TimedOut:
            return copies.UNKNOWN  # it may have arrived: never sent twice
        except BadRequest:
            return copies.FAILED
        except NetworkError:
            return copies.UNKNOWN
        except ValueError:
            return copies.FAILED  # a chat id sealed with another key
        return copies.SENT

    async def _write(self, results: list[tuple[Recipient, str]]) -> None:
        now = clock.now()
        blocked = [r.pseudonym for r, status in results if status == copies.BLOCKED]

        def work(session: Session) -> None:
            copies.record(session, [(r.row, status) for r, status in results])
            store.record_blocked(session, blocked, NOTICE_VERSION, now)

        await self._optins.run(work)
        if self._tally is not None:
            for pseudonym in blocked:
                self._tally.count(pseudonym, steps.STOP, variant="blocked")

    async def _progress(self, broadcast: int, key: str, rate: float, done: bool) -> None:
        counts = await self._optins.run(lambda s: copies.tally(s, broadcast), write=False)
        try:
            await self._show(broadcast, progress_text(broadcast, key, counts, rate, done))
        except Exception as error:  # the progress message is a view; sending goes on
            log.warning("broadcast progress not shown: %s", type(error).__name__)

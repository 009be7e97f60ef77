"""Campaign figures as counters: what happened, per day, language, source and step.

A hook anywhere in the bot calls `Tally.count(...)`: it only adds one to a counter in
memory and never waits, fails or touches the database, so it cannot delay or break a
reply. Every few seconds the counters are written as aggregate rows (one upsert per
cell, n = n + k); the pseudonyms held in memory until then serve only to look up each
person's language and source, and are never written. A person's first `/start <code>`
marks their row arrived (bot/storage/campaign.py) and counts one arrival; the row is the
user store's, written after the reply, so an arrival waits for it (at most ARRIVAL_WRITES
writes) and never creates it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from bot.core import clock

log = logging.getLogger(__name__)
# the steps counted (README "Campaign figures" says what each one means)
ARRIVAL, CONSENT, TOPIC, TIPS, QUIZ = "arrival", "consent", "topic", "tips", "quiz"
HOTLINES, FORGET, SUBSCRIBE, STOP = "hotlines", "forget", "subscribe", "stop"
HANDOFF_ASKED, HANDOFF_CONSENTED = "handoff_asked", "handoff_consented"
HANDOFF_CLAIMED, HANDOFF_WAIT = "handoff_claimed", "handoff_wait"
# time to the first operator reply, in buckets: a duration per person is never kept
WAITS = ((1.0, "0-1 min"), (5.0, "1-5 min"), (15.0, "5-15 min"), (60.0, "15-60 min"))
LONGEST_WAIT = "over 60 min"
MAX_CELLS = 200_000  # a database down for long: beyond this, new counts are dropped
# writes an arrival waits for its person's row: about a minute, though the bot writes the
# row right after its reply; later, the row is not coming (that write was lost, or the
# person used /forget) and the arrival is dropped uncounted
ARRIVAL_WRITES = 12


@dataclass(frozen=True)
class Event:
    """One counted thing, before the person's language and source are looked up."""

    day: date
    sender: str
    locale: str  # "" = the person's stored language
    step: str
    item: str
    variant: str


@dataclass(frozen=True)
class Arrival:
    """A /start with (or without) a code, to be checked against the person's row."""

    day: date
    sender: str
    locale: str
    code: str  # "" when /start came without a code
    writes: int = 0  # writes that found no row for the person yet


class TallyStore(Protocol):
    """Where counters go (bot.storage.campaign.SqlTallyStore)."""

    async def write(self, arrivals: list[Arrival], events: Counter[Event]) -> list[Arrival]:
        """Mark arrivals, then add the events to the aggregate rows; the arrivals whose
        person has no row yet. Raises on failure."""
        ...


def wait_bucket(minutes: float) -> str:
    """The bucket a wait falls in."""
    return next((name for limit, name in WAITS if minutes < limit), LONGEST_WAIT)


class Tally:
    """Counts in memory, writes aggregates in the background."""

    def __init__(self, store: TallyStore, every: float = 5.0) -> None:
        self._store = store
        self._every = every
        self._events: Counter[Event] = Counter()
        self._arrivals: list[Arrival] = []
        self._task: asyncio.Task[None] | None = None

    def count(
        self, sender: str, step: str, item: str = "", variant: str = "", locale: str = ""
    ) -> None:
        """Add one to a counter; never raises, never waits."""
        try:
            if len(self._events) >= MAX_CELLS:
                return
            day = clock.bangkok_now().date()
            self._events[Event(day, sender, locale, step, item[:64], variant[:24])] += 1
        except Exception as error:  # a figure is never worth a failed reply
            log.warning("a count was lost: %s", type(error).__name__)

    def waited(self, sender: str, minutes: float, locale: str = "") -> None:
        """Count the time a person waited for an operator's first reply, as a bucket."""
        self.count(sender, HANDOFF_WAIT, wait_bucket(minutes), locale=locale)

    def arrived(self, sender: str, code: str, locale: str = "") -> None:
        """A /start: counted once per person, for the source of their first arrival."""
        if len(self._arrivals) < MAX_CELLS:
            self._arrivals.append(Arrival(clock.bangkok_now().date(), sender, locale, code))

    async def flush(self) -> None:
        """Write what was counted; on failure keep it for the next try. Arrivals whose
        person has no row yet wait for the next write, ARRIVAL_WRITES at most."""
        arrivals, events = self._arrivals, self._events
        if not arrivals and not events:
            return
        self._arrivals, self._events = [], Counter()
        try:
            waiting = await self._store.write(arrivals, events)
        except Exception as error:
            log.warning("counters not written yet: %s", type(error).__name__)
            self._arrivals = arrivals + self._arrivals
            self._events.update(events)
            return
        kept = [replace(a, writes=a.writes + 1) for a in waiting]
        self._arrivals = [a for a in kept if a.writes < ARRIVAL_WRITES] + self._arrivals

    def start(self) -> None:
        """Write every few seconds until closed."""
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            await self.flush()

    async def close(self) -> None:
        """At shutdown: stop the loop and write what is left."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

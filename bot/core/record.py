"""Work done after the reply is out: never delaying it, never failing it.

Message ids for /hide, consented words, a language or place to store, an engine record
of a turn the gate answered: each runs as a task after the person has their answer.
A person's records run in the order they were made (a later /forget waits for them with
`settle`, so nothing is written about someone after they were erased). A failed record
is logged by type and lost; the reply it belonged to was already sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)
Work = Callable[[], Awaitable[object]]


class Recorder:
    """Runs records in the background, in order per person."""

    def __init__(self) -> None:
        # the newest record of each person with records still running (in-flight work only)
        self._tails: dict[str, asyncio.Task[None]] = {}

    def later(self, sender: str, work: Work) -> None:
        """Run `work` after this person's earlier records."""
        previous = self._tails.get(sender)
        task = asyncio.create_task(self._run(previous, work))
        self._tails[sender] = task
        task.add_done_callback(lambda done: self._finished(sender, done))

    def _finished(self, sender: str, task: asyncio.Task[None]) -> None:
        if self._tails.get(sender) is task:
            del self._tails[sender]

    @staticmethod
    async def _run(previous: asyncio.Task[None] | None, work: Work) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        try:
            await work()
        except Exception as error:  # the reply is out; only this record is lost
            log.warning("a record was lost: %s", type(error).__name__)

    async def settle(self, sender: str) -> None:
        """Wait until this person's records so far are done."""
        tail = self._tails.get(sender)
        if tail is not None:
            await asyncio.wait([tail])

    async def close(self, timeout: float = 5.0) -> None:
        """At shutdown: give running records a moment to finish."""
        tasks = list(self._tails.values())
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

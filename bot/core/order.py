"""Each person's turns in the order they arrived, whatever the steps before the lock await.

The gate and the budget run before a person's lock and may wait on Redis; without a
ticket taken on arrival, a later message could overtake an earlier one on its way to the
lock. `arrive` is synchronous: the adapter calls the pipeline without awaiting anything
first, so the tickets follow the order of the updates. A turn waits for the ticket before
it (`wait`), and its own ticket is done when it finishes, or, for a turn that is not read
(over budget), as soon as the one before it is, so the chain never breaks.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class Ticket:
    """One turn's place in its person's line."""

    sender: str
    before: asyncio.Future[None] | None
    mine: asyncio.Future[None]


class Arrivals:
    """The line of each person's turns in this process (in-flight turns only)."""

    def __init__(self) -> None:
        self._last: dict[str, asyncio.Future[None]] = {}

    def arrive(self, sender: str) -> Ticket:
        """Take a place in the line; call before the turn's first await."""
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        ticket = Ticket(sender, self._last.get(sender), mine)
        self._last[sender] = mine
        return ticket

    @staticmethod
    async def wait(ticket: Ticket) -> None:
        """Until every earlier turn of the person is done."""
        if ticket.before is not None and not ticket.before.done():
            await asyncio.shield(ticket.before)

    def done(self, ticket: Ticket) -> None:
        """The turn is finished (answered); the next one may go."""
        self._finish(ticket)

    def skip(self, ticket: Ticket) -> None:
        """The turn will not be read: the next one goes when the one before it is done."""
        if ticket.before is None or ticket.before.done():
            self._finish(ticket)
        else:
            ticket.before.add_done_callback(lambda _: self._finish(ticket))

    def _finish(self, ticket: Ticket) -> None:
        if not ticket.mine.done():
            ticket.mine.set_result(None)
        if self._last.get(ticket.sender) is ticket.mine:
            del self._last[ticket.sender]

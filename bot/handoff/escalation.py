"""The periodic check that nobody waits unseen (PTB's JobQueue is not installed).

An asyncio task started in post_init; all timing comes from stored timestamps, so the
check survives restarts: a case that waited while the bot was down is escalated at the
first tick after it comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.handoff.cases import CaseBook
from bot.storage.handoff import StoreUnavailable

log = logging.getLogger(__name__)


def tick_seconds(book: CaseBook) -> float:
    """Check often enough to be late by at most a fifth of the escalation delay, and at
    least every 30 s (tests set the delay to seconds: the controllable clock)."""
    return max(0.2, min(30.0, book.escalate_after.total_seconds() / 5))


async def run_escalations(book: CaseBook) -> None:
    """Escalate due cases forever; one failing round only logs."""
    while True:
        await asyncio.sleep(tick_seconds(book))
        try:
            await book.escalate_due()
        except StoreUnavailable:
            pass  # already logged; next round retries
        except Exception as error:  # the loop must outlive any one bad case
            log.error("escalation round failed: %s", type(error).__name__, exc_info=error)


def start(book: CaseBook) -> asyncio.Task[None]:
    """Start the loop in the running event loop."""
    return asyncio.get_running_loop().create_task(run_escalations(book))


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel the loop and wait for it."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

"""Asyncio shapes the bot uses in more than one layer (a leaf module: imports nothing of ours).

`beside` runs a helper task for as long as a block runs ("typing…" during a turn, the
renewal of a person's lock). The helper is stopped by a flag, not only by cancelling it:
a cancellation that arrives while the helper is inside a network call can be swallowed
there (Python 3.10's `wait_for` returns a result that arrived at the same moment; redis-py
4.6 does it too), and a helper that then kept going held its person's turn, and every
later one, for as long as it ran.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any


async def set_within(event: asyncio.Event, seconds: float) -> bool:
    """Whether the event is set within `seconds`."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


@contextlib.asynccontextmanager
async def beside(
    helper: Callable[[asyncio.Event], Coroutine[Any, Any, None]], stop_within: float
) -> AsyncIterator[None]:
    """Run `helper(finished)` as a task while the block runs. When the block ends,
    `finished` is set and the task cancelled; the block's caller waits at most
    `stop_within` seconds for it to end (so a process stopping right after does not close
    its loop on a pending task, and a stuck helper never holds the caller)."""
    finished = asyncio.Event()
    task = asyncio.create_task(helper(finished))
    try:
        yield
    finally:
        finished.set()
        task.cancel()
        await asyncio.wait([task], timeout=stop_within)

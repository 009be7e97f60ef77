"""`beside`: a helper that runs while a block runs stops when the block ends, even one that
swallows its cancellation, and a stuck one never holds the block's caller."""

from __future__ import annotations

import asyncio
import contextlib

from bot.aio import beside, set_within


async def test_a_helper_that_swallows_its_cancellation_still_stops() -> None:
    rounds, running, ended = 0, asyncio.Event(), asyncio.Event()

    async def stubborn(finished: asyncio.Event) -> None:
        nonlocal rounds
        while True:
            try:
                if await set_within(finished, 0.01):
                    break
            except asyncio.CancelledError:  # as a network call deep inside a helper can
                continue
            rounds += 1
            if rounds == 3:
                running.set()
        ended.set()

    async with beside(stubborn, stop_within=1.0):
        await asyncio.wait_for(running.wait(), 5.0)  # it runs while the block runs
    await asyncio.wait_for(ended.wait(), 5.0)


async def test_a_stuck_helper_does_not_hold_the_block() -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def stuck(finished: asyncio.Event) -> None:
        started.set()
        while not release.is_set():  # deaf to both the flag and cancelling
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()

    async with beside(stuck, stop_within=0.05):
        await started.wait()
    assert not release.is_set()  # the block ended while the helper still ran
    release.set()
    await asyncio.sleep(0)  # let it see the release and end before the loop closes


async def test_the_flag_is_seen_within_the_wait() -> None:
    event = asyncio.Event()
    asyncio.get_running_loop().call_soon(event.set)
    assert await set_within(event, 5.0)
    assert not await set_within(asyncio.Event(), 0.01)

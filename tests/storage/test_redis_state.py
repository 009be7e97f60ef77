"""The state port in a real Redis: shared by two processes' clients, and what happens when
Redis goes away (the bot keeps answering from local state, and says so once)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bot.core.resilient import ResilientState
from bot.core.state import LocalState, LockTimeout
from bot.sandbox.client import free_port, wait_until
from bot.settings import PROJECT_DIR
from bot.storage.redis_state import RedisState

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"
)


def _start(port: int) -> subprocess.Popen[bytes]:
    args = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ping(port: int) -> bool:
    done = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, check=False)
    return done.stdout.strip() == b"PONG"


def _shutdown(port: int) -> None:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], check=False)


@pytest.fixture
def redis_port() -> Iterator[int]:
    """A throw-away Redis on a free port (no persistence), stopped afterwards."""
    port = free_port()
    server = _start(port)
    wait_until(lambda: _ping(port), 10, "redis-server")
    yield port
    server.terminate()
    server.wait(10)


async def test_two_processes_share_values_budgets_and_locks(redis_port: int) -> None:
    one = RedisState.from_url(f"redis://127.0.0.1:{redis_port}/0")
    two = RedisState.from_url(f"redis://127.0.0.1:{redis_port}/0")
    try:
        await one.put("locale:p1", "km", 60)
        assert await two.get("locale:p1") == "km"
        assert await one.put_new("slow:p1", "1", 60) and not await two.put_new("slow:p1", "1", 60)
        await two.drop("locale:p1")
        assert await one.get("locale:p1") is None
        # one budget, whichever process the turns arrive at
        taken = [await (one if n % 2 else two).take("bucket:p1", 0.001, 3) for n in range(5)]
        assert taken == [True, True, True, False, False]
        assert await one.enter("flight:p1", 1, 60) and not await two.enter("flight:p1", 1, 60)
        await two.leave("flight:p1")
        assert await one.enter("flight:p1", 1, 60)
        # a person's turns run one at a time across processes
        order: list[str] = []

        async def turn(state: RedisState, name: str) -> None:
            async with state.lock("lock:p1", 5):
                order.append(f"{name} in")
                await asyncio.sleep(0.1)
                order.append(f"{name} out")

        await asyncio.gather(turn(one, "a"), turn(two, "b"))
        assert order in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])
    finally:
        await one.close()
        await two.close()


async def test_values_expire(redis_port: int) -> None:
    state = RedisState.from_url(f"redis://127.0.0.1:{redis_port}/0")
    try:
        await state.put("check:p1", "x", 0.05)
        await asyncio.sleep(0.2)
        assert await state.get("check:p1") is None
    finally:
        await state.close()


async def test_redis_down_means_local_state_logged_once(
    redis_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    redis = RedisState.from_url(f"redis://127.0.0.1:{redis_port}/0", timeout=0.2)
    state = ResilientState(redis, LocalState(), deadline=0.3, retry=0.2)
    try:
        await state.put("locale:p1", "lo", 60)
        assert await state.get("locale:p1") == "lo"
        await asyncio.to_thread(_shutdown, redis_port)
        caplog.set_level(logging.INFO, logger="bot.core.resilient")
        for _ in range(5):  # every call still works, from this process's memory
            await state.put("profile:p1", "{}", 60)
            assert await state.get("profile:p1") == "{}"
            async with state.lock("lock:p1", 5):
                pass
            assert await state.take("bucket:p1", 1, 5)
        assert state.degraded
        warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(warnings) == 1  # said once, not per call
        server = _start(redis_port)  # Redis comes back: the shared store is used again
        try:
            wait_until(lambda: _ping(redis_port), 10, "redis-server again")
            await asyncio.sleep(0.3)
            await state.put("locale:p2", "th", 60)
            assert not state.degraded and await redis.get("locale:p2") == "th"
            assert any("back" in r.getMessage() for r in caplog.records)
        finally:
            server.terminate()
            server.wait(10)
    finally:
        await redis.close()


HOLDER = """
import asyncio, sys
from bot.storage.redis_state import RedisState

async def main() -> None:
    state = RedisState.from_url(sys.argv[1], lease=0.5)
    async with state.lock("lock:p1", 30):
        print("held", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


async def test_a_killed_holder_frees_a_persons_lock_within_a_lease(redis_port: int) -> None:
    """A bot process killed mid-turn: the person's next turn, in another process, waits for
    one lease, not for the whole 30 s hold; while the holder lives it keeps the lock."""
    url = f"redis://127.0.0.1:{redis_port}/0"
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, url, stdout=subprocess.PIPE, cwd=PROJECT_DIR
    )
    other = RedisState.from_url(url)
    try:
        assert holder.stdout is not None
        assert await asyncio.wait_for(holder.stdout.readline(), 60) == b"held\n"
        with pytest.raises(LockTimeout):  # four of its leases: renewed, never lapsed
            async with other.lock("lock:p1", 2.0):
                pass
        holder.kill()
        await holder.wait()
        async with other.lock("lock:p1", 10.0):  # the old 30 s lease would time this out
            pass
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        await other.close()

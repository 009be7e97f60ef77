"""The engine's conversation locks on a real Redis: two replicas take turns on one
conversation; with Redis gone, turns go on with local locks."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.engine.lock_store import PrivateLockStore
from bot.engine.services import free_port, redis_answers
from bot.sandbox.client import wait_until


@pytest.fixture
def redis_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A redis-server of this test's own (Debian's package), with a password."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed: .ci/run must install it")
        pytest.skip("redis-server not installed")
    port, password = free_port(), "lock-test-password"
    config = tmp_path / "redis.conf"
    config.write_text(f'port {port}\nbind 127.0.0.1\nsave ""\nrequirepass {password}\n')
    server = subprocess.Popen(["redis-server", str(config)], stdout=subprocess.DEVNULL)
    wait_until(lambda: redis_answers(port, password), 10, "redis-server")
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    monkeypatch.setenv("REDIS_URL", url)
    yield url
    server.terminate()
    server.wait(10)


async def test_two_replicas_take_turns_on_one_conversation(redis_url: str) -> None:
    first, second = PrivateLockStore(), PrivateLockStore()  # two engine processes
    assert first.shared is not None
    order: list[str] = []

    async def turn(store: PrivateLockStore, name: str, hold: float) -> None:
        async with store.lock("person"):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    one = asyncio.create_task(turn(first, "a", 0.3))
    await asyncio.sleep(0.05)
    await asyncio.gather(one, turn(second, "b", 0.0))
    assert order == ["a in", "a out", "b in", "b out"]  # b waited for a, in Redis


async def test_without_redis_the_turns_go_on_with_local_locks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody there
    store = PrivateLockStore()
    for _ in range(3):  # the first notices, the next ones do not wait for Redis again
        async with store.lock("person"):
            pass
    assert store._store() is store.local

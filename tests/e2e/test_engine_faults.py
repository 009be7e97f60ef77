"""Faults of the engine side under load (issue #11.5): kill -9 of one engine replica or of
the action server loses no message and keeps each person's order; the stack restarts them.

One stack as `make run-scaled` starts it (two engine replicas, Redis for their locks,
PostgreSQL for the conversations); people write at a steady rate while a process is
killed; every reply is matched to its message as `make bench` does (bot/engine/load.py).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.core.types import LOCALES
from bot.engine.fingerprint import model_path
from bot.engine.load import Chat, Request, Script, match, send, watch
from bot.sandbox.client import start_stack, stop, wait_until
from tests.e2e.conftest import StackRun
from tests.e2e.processes import cmdline, descendants, environ

pytestmark = pytest.mark.e2e
RATE, SECONDS, PEOPLE = 6.0, 10.0, 12


@pytest.fixture(scope="module")
def replicated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackRun]:
    """`make run-scaled`: two engine replicas sharing the conversations and their locks."""
    if not model_path().exists():
        pytest.skip("no trained model for the current data (run `make model`)")
    if not (shutil.which("redis-server") and shutil.which("pg_lsclusters")):
        if os.environ.get("CI"):
            pytest.fail("redis-server and PostgreSQL must be installed (.ci/run)")
        pytest.skip("redis-server or PostgreSQL not installed")
    logs = tmp_path_factory.mktemp("replicas")
    process, client, env = start_stack(logs, replicas=2, scaled=True)
    yield StackRun(client, logs / "stack.log", process, env)
    stop(process)


def pid_of(stack: StackRun, *words: str) -> int:
    """The stack's child whose command line holds all these words."""
    for pid in descendants(stack.process.pid):
        if all(word in cmdline(pid) for word in words):
            return pid
    raise LookupError(words)


async def steady_load(stack: StackRun, base: int, kill: tuple[str, ...]) -> list[Chat]:
    """PEOPLE people write RATE msg/s for SECONDS; a third of the way in, kill -9 a child."""
    script = Script.load(per_class=2)
    chats = [Chat(base + n, LOCALES[n % 5]) for n in range(PEOPLE)]
    done = asyncio.Event()
    async with httpx.AsyncClient(base_url=stack.sandbox.url, timeout=60) as http:
        watchers = [asyncio.create_task(watch(http, chat, done)) for chat in chats]
        started, sends = time.monotonic(), []
        for i in range(int(RATE * SECONDS)):
            await asyncio.sleep(max(0.0, started + i / RATE - time.monotonic()))
            if i == int(RATE * SECONDS / 3):
                os.kill(pid_of(stack, *kill), signal.SIGKILL)
            chat = chats[i % PEOPLE]
            text, expect = script.next_for(chat.locale, chat.user, i // PEOPLE)
            sends.append(asyncio.create_task(send(http, chat, Request(chat.user, text, expect))))
        await asyncio.gather(*sends)
        for _ in range(60):  # replies still on their way (the bot's deadline is 8 s)
            if all(len(c.replies) >= len(c.requests) for c in chats):
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)
        done.set()
        await asyncio.gather(*watchers)
    return chats


def outcome(chats: list[Chat]) -> tuple[int, int, int, int]:
    """(sent, answered, out of order, floor answers)."""
    script = Script.load(per_class=2)
    disorder = sum(match(chat, script.floor[chat.locale]) for chat in chats)
    requests = [r for chat in chats for r in chat.requests]
    answered = [r for r in requests if r.answered_at is not None]
    return len(requests), len(answered), disorder, sum(r.floor for r in answered)


def test_kill_9_of_an_engine_replica_mid_load_loses_nothing(replicated: StackRun) -> None:
    second = replicated.env["RASA_URL"].split(",")[1]
    port = str(httpx.URL(second).port)
    chats = asyncio.run(steady_load(replicated, 930_000, ("bot.engine.serve", port)))
    sent, answered, disorder, floor = outcome(chats)
    assert (answered, disorder) == (sent, 0)
    assert floor == 0  # the other replica answered every turn the dead one had
    # the supervisor brings the replica back; it answers again
    wait_until(lambda: httpx.get(second).status_code == 200, 180, "the killed replica")
    assert "engine2 exited (-9); restarting" in replicated.log.read_text()


def test_kill_9_of_the_action_server_mid_load_loses_nothing(replicated: StackRun) -> None:
    chats = asyncio.run(steady_load(replicated, 940_000, ("run", "actions")))
    sent, answered, disorder, floor = outcome(chats)
    assert (answered, disorder, floor) == (sent, 0, 0)  # no turn waits for the action server
    health = replicated.env["ACTION_SERVER_URL"].replace("/webhook", "/health")
    wait_until(lambda: httpx.get(health).status_code == 200, 60, "the restarted action server")
    assert "actions exited (-9); restarting" in Path(replicated.log).read_text()


def test_the_scaled_stack_stops_what_it_started(replicated: StackRun) -> None:
    """Runs last: SIGTERM stops the replicas, and the Redis and database of this run."""
    engine_env = environ(pid_of(replicated, "bot.engine.serve"))
    redis_port = httpx.URL(engine_env["REDIS_URL"].replace("redis://", "http://")).port
    database = engine_env["DATABASE_URL"].rsplit("/", 1)[1]
    assert database.startswith("bot_run_")  # a throw-away database of this run
    replicated.process.send_signal(signal.SIGTERM)
    assert replicated.process.wait(60) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", redis_port or 0), timeout=2).close()
    listed = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-qAtc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert database not in listed.stdout.split()

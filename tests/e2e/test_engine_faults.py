"""`make run-scaled` without REDIS_URL and DATABASE_URL starts Redis and a throw-away
PostgreSQL database of its own, and stops both with the stack.

(The kill -9 tests of an engine replica and of the action server are in test_faults.py,
with the bot's, on one scaled stack whose Redis and database the test itself provides.)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from bot.engine.fingerprint import model_path
from bot.sandbox.client import start_stack, stop
from tests.e2e.conftest import StackRun
from tests.e2e.processes import cmdline, descendants, environ

pytestmark = pytest.mark.e2e


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


def test_the_scaled_stack_stops_what_it_started(replicated: StackRun) -> None:
    """SIGTERM stops the replicas, and the Redis and database of this run."""
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

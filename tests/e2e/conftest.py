"""End-to-end fixtures: real processes (sandbox Bot API server, bot, engine) on free ports."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.engine.fingerprint import model_path
from bot.sandbox.client import (
    SandboxClient,
    free_port,
    start,
    start_stack,
    stop,
    stop_leftovers,
    wait_until,
)
from bot.settings import PROJECT_DIR

TOKEN = "123456:e2e-secret-token"
TAP_PACE = 1.0  # seconds between a person's taps on the bot's buttons
E2E_KEY = secrets.token_hex(32)  # PSEUDONYM_KEY of the bots here: 32 random bytes


@dataclass
class StackRun:
    """A running `python -m bot.stack` and how to reach it."""

    sandbox: SandboxClient
    log: Path
    process: subprocess.Popen[bytes]
    env: dict[str, str]


pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session", autouse=True)
def nothing_outlives_the_run() -> Iterator[None]:
    """Every process a test started is gone when the run ends, even one a test forgot or a
    `timeout` that ended pytest early (SIGTERM becomes a normal exit, so teardown runs)."""
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    yield
    signal.signal(signal.SIGTERM, previous)
    left = stop_leftovers()
    assert not left, f"processes a test did not stop (now killed): {left}"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the processes' logs (scanned by the privacy tests)."""
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="module")
def sandbox(logs: Path) -> Iterator[SandboxClient]:
    """A sandbox Bot API server that only accepts our token."""
    port = free_port()
    process = start(
        "bot.sandbox.server", ["--port", str(port), "--token", TOKEN], {}, logs / "sandbox.log"
    )
    client = SandboxClient(f"http://127.0.0.1:{port}")
    try:  # stopped even when it never became ready
        wait_until(client.ready, 20, "the sandbox server")
        yield client
    finally:
        stop(process)


def bot_env(sandbox: SandboxClient, logs: Path, **extra: str) -> dict[str, str]:
    """Environment for a bot process talking to the sandbox."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sandbox.url,
        "DATABASE_URL": f"sqlite:///{logs / 'bot.sqlite3'}",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nobody listens: engine down
        "PSEUDONYM_KEY": E2E_KEY,
        **extra,
    }


def engine_answer(sender: str, answer: str, intent: str = "") -> bytes:
    """Rasa's REST reply naming one answer (domain.yml's `custom: {answer, intent}`)."""
    custom = {"answer": answer, "intent": intent}
    return json.dumps([{"recipient_id": sender, "custom": custom}]).encode()


@contextlib.contextmanager
def scripted_engine(script: Callable[[str, str], bytes]) -> Iterator[str]:
    """A stand-in for Rasa's REST channel on a free port, for timing the bot's own work:
    `script(message, sender)` gives each answer's body (it may sleep to play a slow
    engine). Yields the RASA_URL; the server stops on exit."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            payload = script(body["message"], body["sender"])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def run_to_exit(env: dict[str, str], log: Path, drop: tuple[str, ...] = ()) -> int:
    """Run `python -m bot` until it exits by itself (a start that must be refused), with
    `drop` removed from the environment; everything it prints goes to `log`."""
    full = {k: v for k, v in os.environ.items() if k not in drop}
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "bot"],
            cwd=PROJECT_DIR,
            env={**full, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=90,
        )
    return done.returncode


@pytest.fixture(scope="module")
def bot_without_engine(sandbox: SandboxClient, logs: Path) -> Iterator[Path]:
    """The real bot process, polling the sandbox, with the engine unreachable."""
    log = logs / "bot.log"
    process = start("bot", [], bot_env(sandbox, logs), log)
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield log
    stop(process)


@contextlib.contextmanager
def running_stack(logs: Path) -> Iterator[StackRun]:
    """`python -m bot.stack` without a token, logging into `logs`; stopped on exit."""
    if not model_path().exists():
        if os.environ.get("CI"):
            pytest.fail("no trained model: `make test` trains it before pytest")
        pytest.skip("no trained model for the current data (run `make model`)")
    process, client, env = start_stack(logs)
    try:
        yield StackRun(client, logs / "stack.log", process, env)
    finally:
        stop(process)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackRun]:
    """`python -m bot.stack` without a token: sandbox, engine, actions and bot, as `make run`.

    One for the whole run, shared by every module that asks for it, in whatever order
    pytest runs them: no test may stop it (one that stops a stack takes `own_stack`). Its
    end checks that it still ran, so a test that stopped it fails in every order, not only
    when a module using it happens to be collected after that test."""
    with running_stack(tmp_path_factory.mktemp("stack")) as run:
        yield run
        alive = run.process.poll() is None
    assert alive, f"the shared stack ended before the run did (exit {run.process.returncode})"


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[StackRun]:
    """A stack of the test's own, for a test that stops it."""
    with running_stack(tmp_path) as run:
        yield run


def pause_like_a_person() -> None:
    """Wait as long as a person at least takes between two taps. Buttons pressed back to
    back make the bot send faster than Telegram's 30 messages a second, and it rightly
    joins an answer's bubbles into one message then (bot/telegram/limiter.py busy()); a
    test about the bubbles themselves taps at a person's pace."""
    time.sleep(TAP_PACE)

"""A slow or nonsensical engine: the user sees "typing…", then an answer with the numbers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient, free_port, start, stop, wait_until
from tests.e2e.conftest import bot_env

pytestmark = pytest.mark.e2e


class FakeEngine(BaseHTTPRequestHandler):
    """Answers like Rasa's REST channel, slowly for "slow", with garbage for "garbage"."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "slow" in body["message"]:
            time.sleep(1.5 if "bit" in body["message"] else 4)
        payload = (
            b"<html>oops</html>"
            if "garbage" in body["message"]
            else json.dumps(
                [{"recipient_id": body["sender"], "custom": {"answer": "goodbye", "intent": ""}}]
            ).encode()
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def slow_bot(sandbox: SandboxClient, logs: Path) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), FakeEngine)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = bot_env(
        sandbox, logs, RASA_URL=f"http://127.0.0.1:{server.server_port}", RASA_TIMEOUT="2.5"
    )
    process = start("bot", [], env, logs / "slow-bot.log")
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield
    stop(process)
    server.shutdown()


def test_a_slow_answer_shows_typing_first(sandbox: SandboxClient, slow_bot: None) -> None:
    reply, *_ = sandbox.ask(8000, "a bit slow please")
    assert reply["text"].startswith("Take care of yourself!")  # answers.yml: goodbye
    typing = [c for c in sandbox.calls("sendChatAction") if c["params"]["chat_id"] == "8000"]
    assert typing and typing[0]["params"]["action"] == "typing"


def test_too_slow_an_engine_gives_the_numbers_in_time(
    sandbox: SandboxClient, slow_bot: None
) -> None:
    started = time.monotonic()
    reply, *_ = sandbox.ask(8001, "very slow today", language_code="km")
    assert time.monotonic() - started < 4  # the timeout, not the engine, decides
    assert "191" in reply["text"] and "1669" in reply["text"]


def test_nonsense_from_the_engine_gives_the_numbers(
    sandbox: SandboxClient, slow_bot: None
) -> None:
    reply, *_ = sandbox.ask(8002, "garbage please")
    assert "191" in reply["text"]

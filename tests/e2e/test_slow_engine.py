"""A slow or nonsensical engine: the user sees "typing…", then an answer with the numbers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient, start, stop, wait_until
from tests.e2e.conftest import bot_env, engine_answer, scripted_engine

pytestmark = pytest.mark.e2e


def engine(message: str, sender: str) -> bytes:
    """Answers like Rasa's REST channel, slowly for "slow", with garbage for "garbage"."""
    if "slow" in message:
        time.sleep(1.5 if "bit" in message else 4)
    return b"<html>oops</html>" if "garbage" in message else engine_answer(sender, "goodbye")


@pytest.fixture(scope="module")
def slow_bot(sandbox: SandboxClient, logs: Path) -> Iterator[None]:
    with scripted_engine(engine) as engine_url:
        env = bot_env(sandbox, logs, RASA_URL=engine_url, RASA_TIMEOUT="2.5")
        process = start("bot", [], env, logs / "slow-bot.log")
        wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
        yield
        stop(process)


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

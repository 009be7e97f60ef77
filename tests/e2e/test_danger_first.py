"""Danger first on a busy day (shared/spec/safety.md invariant 10): a person who writes that
they are in danger gets the numbers while every slot of the bot is taken by turns waiting
for a stuck engine, not after them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient, start, stop, wait_until
from tests.e2e.conftest import bot_env

pytestmark = pytest.mark.e2e

BUSY = 300  # more people than the bot answers at once (bot/telegram/intake.py: 256 slots)
FIRST_USER, IN_DANGER = 20_000, 29_999


@pytest.fixture(scope="module")
def stuck_engine() -> Iterator[int]:
    """An engine that takes every connection and never answers (a hung replica)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)  # the kernel completes the connections; nobody reads them
        yield listener.getsockname()[1]


@pytest.fixture(scope="module")
def busy_bot(sandbox: SandboxClient, logs: Path, stuck_engine: int) -> Iterator[None]:
    env = bot_env(sandbox, logs, RASA_URL=f"http://127.0.0.1:{stuck_engine}", RASA_TIMEOUT="45")
    process = start("bot", [], env, logs / "busy-bot.log")
    try:
        wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
        wait_until(lambda: "gate model loaded" in (logs / "busy-bot.log").read_text(), 90,
                   "the gate's model")  # fmt: skip
        yield
    finally:
        stop(process)


def typing_chats(sandbox: SandboxClient) -> set[str]:
    """Chats the bot shows "typing…" in: turns it holds, waiting for the engine."""
    return {str(call["params"]["chat_id"]) for call in sandbox.calls("sendChatAction")}


def test_danger_is_answered_while_every_slot_waits_for_the_engine(
    sandbox: SandboxClient, busy_bot: None
) -> None:
    for n in range(BUSY):
        sandbox.send(FIRST_USER + n, "hello, how are you?", language_code="en")
    # the bot holds at least a full set of slots' worth of turns for the stuck engine
    wait_until(lambda: len(typing_chats(sandbox)) >= 256, 60, "every slot busy")

    reply, *_ = sandbox.ask(IN_DANGER, "help they locked us in the factory and took our passports")
    assert "191" in reply["text"]
    answered = {str(call["params"]["chat_id"]) for call in sandbox.calls("sendMessage")}
    waiting = {str(FIRST_USER + n) for n in range(BUSY)}
    assert not answered & waiting  # the numbers came first, not after a slot was freed

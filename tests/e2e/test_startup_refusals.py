"""The real bot refuses to start, with one clear line and exit status 2, when a secret is
wrong; and the token never reaches its log, not even when the server rejects it (#13.7-8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient
from tests.e2e.conftest import bot_env, run_to_exit

pytestmark = pytest.mark.e2e
BAD_TOKEN = "654321:AAH-this-token-is-not-the-sandbox-one"


def test_a_rejected_token_never_reaches_the_log(sandbox: SandboxClient, logs: Path) -> None:
    log = logs / "bad-token.log"
    env = bot_env(sandbox, logs, TELEGRAM_BOT_TOKEN=BAD_TOKEN)
    assert run_to_exit(env, log) == 2
    text = log.read_text()
    assert "error: TELEGRAM_BOT_TOKEN was refused by the Bot API server" in text
    assert BAD_TOKEN.partition(":")[2] not in text
    assert "The token `<secret>` was rejected" in text  # PTB's own message, masked


@pytest.mark.parametrize(
    ("key", "named"),
    [("a", "PSEUDONYM_KEY must be"), ("", "PSEUDONYM_KEY is not set"), ("ab" * 32, "not random")],
)
def test_a_missing_or_weak_pseudonym_key_stops_a_real_bot(
    sandbox: SandboxClient, logs: Path, key: str, named: str
) -> None:
    log = logs / "weak-key.log"
    env = bot_env(sandbox, logs, PSEUDONYM_KEY=key)
    assert run_to_exit(env, log) == 2
    [line] = log.read_text().strip().splitlines()
    assert line.startswith("error: PSEUDONYM_KEY") and named in line

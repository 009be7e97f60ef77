"""The retention job purges what a user agreed to keep, on schedule, in the running bot.

The clock is made controllable the way a deployer would: RETENTION_DAYS is set to about
three seconds and the job runs every second.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient, start, stop, wait_until
from tests.e2e.conftest import bot_env

KEEP_SECONDS = 3.0
USER = 7306419001


@pytest.fixture(scope="module")
def forgetful_bot(sandbox: SandboxClient, logs: Path) -> Iterator[Path]:
    """The real bot (engine down) with a retention period of a few seconds."""
    env = bot_env(
        sandbox,
        logs,
        DATABASE_URL=f"sqlite:///{logs / 'retention.sqlite3'}",
        RETENTION_DAYS=str(KEEP_SECONDS / 86400),
        RETENTION_CHECK_SECONDS="1",
    )
    process = start("bot", [], env, logs / "retention-bot.log")
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield logs / "retention.sqlite3"
    stop(process)


def kept(database: Path, text: str) -> bool:
    with sqlite3.connect(database) as db:
        return bool(db.execute("select 1 from stored_text where text = ?", (text,)).fetchall())


def test_kept_words_are_purged_when_their_time_is_up(
    sandbox: SandboxClient, forgetful_bot: Path
) -> None:
    [status, notice] = sandbox.ask(USER, "/privacy", count=2)
    assert "don't keep" in status["text"]  # nothing is kept before the user says yes
    sandbox.press(USER, notice["message_id"], "consent:store:yes")
    [saved] = sandbox.replies(USER, notice["message_id"])
    assert saved["text"].startswith("Thank you")
    marker = "orange kite 5521 wages not paid"
    sandbox.ask(USER, marker, count=2)  # engine down: the floor, but the words are kept
    wait_until(lambda: kept(forgetful_bot, marker), 10, "the words to be kept")
    wait_until(lambda: not kept(forgetful_bot, marker), 15, "the retention job")
    assert marker.encode() not in forgetful_bot.read_bytes()

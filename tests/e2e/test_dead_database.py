"""With the database unreachable from the start, the bot still answers, in the right language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient, start, stop, wait_until
from tests.e2e.conftest import bot_env
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e
DEAD = "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none"


@pytest.fixture(scope="module")
def bot_without_database(sandbox: SandboxClient, logs: Path) -> Iterator[Path]:
    log = logs / "no-db-bot.log"
    process = start("bot", [], bot_env(sandbox, logs, DATABASE_URL=DEAD), log)
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield log
    stop(process)


def test_answers_and_keeps_the_language_without_a_database(
    sandbox: SandboxClient, bot_without_database: Path
) -> None:
    first = sandbox.ask(9500, "ສະບາຍດີ", count=2)
    assert script_of(first[0]["text"]) == "lo" and "191" in first[0]["text"]
    later = sandbox.ask(9500, "ok", count=2)  # too short to tell: the remembered language
    assert script_of(later[0]["text"]) == "lo"
    assert "database migration failed" in bot_without_database.read_text()
    assert "secret" not in bot_without_database.read_text()  # no credentials in the log


def test_danger_words_still_get_the_emergency_numbers(
    sandbox: SandboxClient, bot_without_database: Path
) -> None:
    replies = sandbox.ask(9501, "help me please they lock me in the room and beat me", count=2)
    assert "191" in replies[0]["text"] and "1669" in replies[0]["text"]

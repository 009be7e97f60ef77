"""Staff withdraw a number (issue #16.2): /reload accepts it, every answer that showed it
shows the next verified line instead, and after a restart nothing shows a placeholder.

The real bot process polls its own sandbox with the engine down (the safety floor is what
most needs its numbers) and reads a copy of the content that the test edits as staff do.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.sandbox.client import SandboxClient, start, stop, wait_until
from bot.settings import LOCALES_DIR
from tests.e2e.conftest import bot_env

pytestmark = pytest.mark.e2e
STAFF = 9600
PASSPORT = "the boss keeps my passport and will not give it back"  # tier 2 (safety net)


@dataclass
class Bot:
    """A bot reading `folder`; it can be stopped and started again."""

    sandbox: SandboxClient
    folder: Path
    env: dict[str, str]
    log: Path
    process: object = None

    def start(self) -> None:
        before = len(self.sandbox.calls("getUpdates"))
        self.process = start("bot", [], self.env, self.log)
        wait_until(lambda: len(self.sandbox.calls("getUpdates")) > before, 60, "the bot polling")

    def stop(self) -> None:
        stop(self.process)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def bot(sandbox: SandboxClient, logs: Path) -> Iterator[Bot]:
    folder = logs / "withdraw-locales"
    shutil.copytree(LOCALES_DIR, folder)
    env = bot_env(sandbox, logs, LOCALES_DIR=str(folder), STAFF_IDS=str(STAFF))
    running = Bot(sandbox, folder, env, logs / "withdraw-bot.log")
    running.start()
    yield running
    running.stop()


def withdraw_police(folder: Path) -> None:
    """What staff do when 191 turns out wrong: delete its `verified:` line."""
    path = folder / "hotlines.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for line in data["lines"]:
        if line["key"] == "police":
            line.pop("verified")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def texts(messages: list[dict]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


def options_card(sandbox: SandboxClient, user: int) -> str:
    """The tier-2 answer's "options and risks" card, which names the police's number."""
    answer = sandbox.ask(user, PASSPORT, count=3)
    sandbox.press(user, answer[0]["message_id"], "options")
    return texts(sandbox.replies(user, answer[-1]["message_id"]))


def test_withdrawing_191_is_live_after_reload_and_after_a_restart(
    sandbox: SandboxClient, bot: Bot
) -> None:
    floor = texts(sandbox.ask(9601, "hello there", count=2))  # engine down: the floor
    assert "191" in floor and "1669" in floor
    assert "191" in options_card(sandbox, 9602)

    withdraw_police(bot.folder)
    [done] = sandbox.ask(STAFF, "/reload", language_code="en")
    assert done["text"].startswith("Content reloaded"), done["text"]

    for user in (9603, 9604):  # after the reload, then after a restart with the same files
        floor = texts(sandbox.ask(user, "hello there", count=2))
        assert "191" not in floor and "%(" not in floor
        assert "1669" in floor and "1300" in floor  # the floor's emergency route
        card = options_card(sandbox, user + 10)
        assert "191" not in card and "%(" not in card
        assert "1155" in card  # "the police (1155, the tourist police)" stands in
        if user == 9603:
            bot.stop()
            bot.start()

    [status] = sandbox.ask(STAFF, "/directory", language_code="en")
    assert "🚫 Police emergency (Royal Thai Police): 191" in status["text"]
    assert "%(police)s: withdrawn, shows tourist_police (1155)" in status["text"]

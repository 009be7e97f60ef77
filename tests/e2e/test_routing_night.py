"""Routing with the engine down and the clock at night (BOT_TEST_NOW, tests only).

The real bot process polls its own sandbox, with the engine unreachable and its clock
fixed at 23:30 Bangkok time on a Tuesday: tier-1 numbers still come first in every
language, and the hotline lists leave out lines that are closed at night.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.types import LOCALES
from bot.sandbox.client import SandboxClient, start, stop, wait_until
from tests.e2e.conftest import bot_env
from tests.e2e.scripts import SAMPLES, script_of
from tests.e2e.test_routing import DANGER, WHERE, buttons

pytestmark = pytest.mark.e2e
NIGHT = "2026-12-01T23:30:00+07:00"  # a Tuesday; 1694 answers 08:30-16:30 on weekdays


@pytest.fixture(scope="module")
def night_bot(sandbox: SandboxClient, logs: Path) -> Iterator[Path]:
    """The real bot without an engine, its clock fixed at night."""
    log = logs / "night-bot.log"
    process = start("bot", [], bot_env(sandbox, logs, BOT_TEST_NOW=NIGHT), log)
    wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
    yield log
    stop(process)


@pytest.mark.parametrize("locale", LOCALES)
def test_tier1_with_the_engine_down_gives_numbers_first_in_each_language(
    sandbox: SandboxClient, night_bot: Path, locale: str
) -> None:
    user = 8000 + LOCALES.index(locale)
    replies = sandbox.ask(user, DANGER[locale], count=3)
    first = replies[0]["text"]
    assert "191" in first and "1669" in first and script_of(first) == locale
    asked = [i for i, r in enumerate(replies) if buttons(r) == WHERE]
    assert asked and asked[0] > 0


def test_at_night_the_lists_hold_only_lines_that_answer(
    sandbox: SandboxClient, night_bot: Path
) -> None:
    replies = sandbox.ask(8100, SAMPLES["my"], count=2)  # engine down: the floor
    lines = replies[1]["text"]
    assert "1-800-010-180" in lines and "1300" in lines and "191" in lines
    assert "1694" not in lines  # office hours only: closed at night
    assert script_of(lines) == "my"


def test_the_place_can_be_changed_from_the_hotline_list(
    sandbox: SandboxClient, night_bot: Path
) -> None:
    replies = sandbox.ask(8200, SAMPLES["km"], count=2)
    sandbox.press(8200, replies[1]["message_id"], "where")
    [question] = sandbox.replies(8200, replies[1]["message_id"])
    assert buttons(question) == WHERE
    sandbox.press(8200, question["message_id"], "where:KH")
    [lines] = sandbox.replies(8200, question["message_id"])
    assert "117" in lines["text"] and "1280" in lines["text"]  # Cambodia's lines
    assert "191" not in lines["text"]  # Thailand's short codes do not work from there


def test_with_the_engine_down_the_floor_gives_numbers_that_work_where_the_person_is(
    sandbox: SandboxClient, night_bot: Path
) -> None:
    replies = sandbox.ask(8300, DANGER["my"], count=3)
    where = next(r for r in replies if buttons(r) == WHERE)
    sandbox.press(8300, where["message_id"], "where:LA")
    [again, *_] = sandbox.replies(8300, where["message_id"], count=2)
    text = again["text"]
    # a Burmese reader in Laos: Laos's line, said plainly to be no Burmese line, and
    # Issara's Burmese line as one that someone in Thailand can call for them
    assert "1362" in text and "မြန်မာဘာသာ" in text and "လာအိုမှာ" in text
    assert text.index("1362") < text.index("1-800-010-180") and "191" not in text
    floor = sandbox.ask(8300, SAMPLES["my"], count=2)  # engine down: the floor, for Laos
    assert "191" not in floor[0]["text"] and "1362" in floor[0]["text"]
    assert script_of(floor[0]["text"]) == "my"
    # the options card is about Thailand: someone in Laos is told its numbers are Thai
    tier2 = sandbox.ask(8300, "သူဌေးက ပတ်စပို့ သိမ်းထားတယ်", count=2)
    sandbox.press(8300, tier2[0]["message_id"], "options")
    note, _card = sandbox.replies(8300, tier2[-1]["message_id"], count=2)
    assert "လာအိုမှာ" in note["text"] and "ထိုင်းက ဖုန်းကနေပဲ" in note["text"]

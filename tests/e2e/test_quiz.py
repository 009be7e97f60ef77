"""Issue #4 end to end: a user takes a sector quiz before the tips, reads the tips, takes
it again; every answer is explained; answers are stored by pseudonym with their phase;
forged quiz data gets a kind answer. The quiz is the bot's, so the engine may be down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.core import content, learning
from bot.core.identity import pseudonym
from bot.core.quiz import load_book
from bot.core.types import BotReply
from bot.sandbox.client import SandboxClient
from bot.settings import LOCALES_DIR
from tests.e2e.conftest import E2E_KEY, pause_like_a_person
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e
USER = 7000
FISHING = load_book(LOCALES_DIR / "quiz.yml").sectors[0]


def said(msgid: str) -> str:
    """What the bot says for msgid in Burmese."""
    return content.load(LOCALES_DIR).catalogs.render(BotReply(msgid), "my")


def button_data(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


def press(
    sandbox: SandboxClient, on: dict[str, Any], data: str, count: int, after: int = 0
) -> list[dict[str, Any]]:
    """Tap a button under `on`, at a person's pace; the next `count` bot messages (after
    message id `after`)."""
    pause_like_a_person()
    sandbox.press(USER, on["message_id"], data)
    return sandbox.replies(USER, after or on["message_id"], count)


def take_quiz(sandbox: SandboxClient, start_from: dict[str, Any]) -> list[dict[str, Any]]:
    """Answer every question, the first one wrong; the bubbles the bot sent back."""
    intro, question = press(sandbox, start_from, "quiz:fishing", 2)
    assert script_of(intro["text"]) == "my"
    sent = []
    for index, q in enumerate(FISHING.questions):
        choice = q.answer if index else 1 - q.answer
        assert f"quiz:fishing:{q.key}:{choice}" in button_data(question)
        replies = press(sandbox, question, f"quiz:fishing:{q.key}:{choice}", 3)
        sent += replies
        question = replies[-1]
    return sent


def stored(logs: Path) -> list[tuple[str, int, str]]:
    engine = create_engine(f"sqlite:///{logs / 'bot.sqlite3'}")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT question, correct, phase FROM quiz_answer WHERE pseudonym = :p ORDER BY id"
            ),
            {"p": pseudonym(E2E_KEY.encode(), USER)},
        ).all()
    engine.dispose()
    return [(q, int(c), p) for q, c, p in rows]


def test_quiz_before_and_after_the_tips(
    sandbox: SandboxClient, bot_without_engine: Path, logs: Path
) -> None:
    [picker] = sandbox.ask(USER, "/quiz", language_code="my")
    assert script_of(picker["text"]) == "my" and "quiz:fishing" in button_data(picker)

    first = take_quiz(sandbox, picker)
    assert first[0]["text"] == said(learning.NOT_QUITE)  # the first answer was wrong
    assert first[1]["text"] == said(FISHING.questions[0].explain)
    assert first[3]["text"] == said(learning.RIGHT)
    done = first[-1]
    assert "3" in done["text"] and "4" in done["text"]  # 3 of 4 right
    assert "tips:fishing" in button_data(done)

    tips = press(sandbox, done, "tips:fishing", 1 + len(FISHING.tips))  # the story, then tips
    assert all(script_of(t["text"]) == "my" for t in tips)
    assert tips[0]["text"] == said(FISHING.story)  # a made-up story of a person like the reader
    assert "1-800-010-180" in tips[-1]["text"]  # Issara, from the directory
    assert {"quiz:fishing", "share"} <= set(button_data(tips[-1]))

    take_quiz(sandbox, tips[-1])
    keys = [q.key for q in FISHING.questions]
    assert stored(logs) == [
        *[(k, int(i > 0), "before") for i, k in enumerate(keys)],
        *[(k, int(i > 0), "after") for i, k in enumerate(keys)],
    ]


def test_double_tap_counts_once_and_forged_data_gets_a_kind_answer(
    sandbox: SandboxClient, bot_without_engine: Path, logs: Path
) -> None:
    before = len(stored(logs))
    [picker] = sandbox.ask(USER, "/quiz", language_code="my")
    _intro, question = press(sandbox, picker, "quiz:fishing", 2)
    data = button_data(question)[0]
    *_, latest = press(sandbox, question, data, 3)
    again, latest = press(sandbox, question, data, 2, latest["message_id"])  # tapped again
    assert again["text"] == said(learning.ALREADY)
    assert len(stored(logs)) == before  # a retake after the tips: already counted

    for forged in ("quiz:fishing:contract:7", "quiz:whaling", "tips:../../etc"):
        kind, latest = press(sandbox, question, forged, 2, latest["message_id"])
        assert kind["text"] == said(learning.STALE)
        assert "quiz:fishing" in button_data(latest) or "tips:fishing" in button_data(latest)
    assert len(stored(logs)) == before

"""The hot path through the real bot and the sandbox Bot API server: danger first on every
kind of message, never behind the person's own slow turn, a flood slowed kindly without
touching anyone else, and a case that relays a cry for help and answers it.

The engine here is a stand-in (answers every turn at once, /start slowly), so the timing
is the bot's own; a desk is configured for the mid-case test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.client import SandboxClient, start, stop, wait_until
from tests.e2e.conftest import bot_env, engine_answer, scripted_engine

pytestmark = pytest.mark.e2e
DESK, OPERATOR = -1003500, 601
SLOW_START = 5.0  # seconds the stand-in engine takes for /start (RASA_TIMEOUT is 8)
SLOW_DOWN = "many messages at once"


def engine(message: str, sender: str) -> bytes:
    """The stand-in engine: answers by name, /start slowly, everything else at once."""
    if message == "/greet":
        time.sleep(SLOW_START)
    return engine_answer(sender, "greet", "greet")


@pytest.fixture(scope="module")
def bot(sandbox: SandboxClient, logs: Path) -> Iterator[SandboxClient]:
    with scripted_engine(engine) as engine_url:
        env = bot_env(
            sandbox,
            logs,
            RASA_URL=engine_url,
            DATABASE_URL=f"sqlite:///{logs / 'pipeline.sqlite3'}",
            OPERATOR_CHAT_ID=str(DESK),
            OPERATOR_IDS=str(OPERATOR),
        )
        process = start("bot", [], env, logs / "pipeline-bot.log")
        wait_until(sandbox.bot_polling, 60, "the bot's first getUpdates")
        yield sandbox
        stop(process)


def numbers_in(reply: dict[str, Any]) -> bool:
    text = reply.get("text") or ""
    return "191" in text and "1669" in text


@pytest.mark.parametrize(
    ("user", "send"),
    [
        (7001, {"text": "/sos"}),
        (7002, {"text": "/help they locked us in"}),
        (7003, {"kind": "photo", "caption": "help me now, they lock me in"}),
        (7010, {"text": "/emergency"}),
        (7011, {"kind": "voice", "caption": "ช่วยด้วย เขาขังเราไว้"}),
        (7012, {"text": "🆘"}),
        (7013, {"text": "ｔｈ\u0435ｙ l\u043eck\u0435d us in"}),  # fullwidth, Cyrillic е о
        (7014, {"text": "h e l p  m e  n o w"}),
    ],
)
def test_commands_and_captions_get_the_numbers(
    bot: SandboxClient, user: int, send: dict[str, Any]
) -> None:
    sent = bot.send(user, **send)
    first, *_ = bot.replies(user, sent["message_id"], wait=5)
    assert numbers_in(first)


def test_an_edited_message_gets_the_numbers(bot: SandboxClient) -> None:
    user = 7004
    sent = bot.send(user, "hello there")
    answered = bot.replies(user, sent["message_id"])[-1]
    edited = {**sent, "text": "help me now they lock me in", "edit_date": sent["date"] + 5}
    bot.update({"edited_message": edited})
    first, *_ = bot.replies(user, answered["message_id"], wait=5)
    assert numbers_in(first)


def test_a_button_press_that_carries_words_gets_the_numbers(bot: SandboxClient) -> None:
    user = 7015
    menu = bot.ask(user, "/language")[0]
    bot.press(user, menu["message_id"], "they locked us in help me now")  # not our data
    first, *_ = bot.replies(user, menu["message_id"], wait=5)
    assert numbers_in(first)


def test_danger_never_waits_behind_the_persons_own_slow_start(bot: SandboxClient) -> None:
    user = 7005
    start_sent = bot.send(user, "/start")
    time.sleep(0.5)  # /start is now waiting for the engine, holding the person's turn
    asked = time.monotonic()
    danger = bot.send(user, "help me now, they locked us in the room")
    first, *_ = bot.replies(user, danger["message_id"], wait=5)
    assert time.monotonic() - asked < 2 and numbers_in(first)
    # the greeting still comes, after the numbers: nothing was lost
    replies = bot.replies(user, start_sent["message_id"], count=4, wait=SLOW_START + 5)
    assert any("Hello" in (r.get("text") or "") for r in replies)


def test_one_flood_is_slowed_kindly_and_nobody_else_waits(bot: SandboxClient) -> None:
    flooder, other = 7006, 7007
    first = bot.send(flooder, "question 0")
    for n in range(1, 60):
        bot.send(flooder, f"question {n}")
    danger = bot.send(flooder, "help me now please")  # over budget, yet answered
    asked = [bot.send(other, f"my question {n}") for n in range(5)]
    for sent in asked:
        assert bot.replies(other, sent["message_id"], wait=5)
    wait_until(
        lambda: any(map(numbers_in, bot.replies(flooder, danger["message_id"], 1, 0))),
        5,
        "the numbers for the flooder's cry for help",
    )
    time.sleep(1)
    to_flooder = [r.get("text") or "" for r in bot.replies(flooder, first["message_id"], 1, 0)]
    assert sum(SLOW_DOWN in text for text in to_flooder) == 1  # once, kindly
    assert 10 <= sum("Hello" in text for text in to_flooder) < 60  # its budget, not all


def test_sos_during_a_case_is_relayed_and_answered(bot: SandboxClient) -> None:
    user = 7008
    menu = bot.ask(user, "/language")[0]
    bot.press(user, menu["message_id"], "handoff")
    [consent] = bot.replies(user, menu["message_id"])
    bot.press(user, consent["message_id"], consent["reply_markup"]["inline_keyboard"][0][0]
              ["callback_data"])  # fmt: skip
    [queued] = bot.replies(user, consent["message_id"])
    assert "/end" in queued["text"]
    sos = bot.send(user, "/sos help me now")
    first, *_ = bot.replies(user, sos["message_id"], wait=5)
    assert numbers_in(first)
    wait_until(lambda: bot.topics(DESK), 10, "the case topic")
    thread = bot.topics(DESK)[-1]["message_thread_id"]

    def in_topic() -> list[str]:
        return [
            m.get("text") or ""
            for m in bot.replies(DESK, 0, 1, 0)
            if m.get("message_thread_id") == thread
        ]

    wait_until(lambda: "/sos help me now" in in_topic(), 10, "the copy in the topic")
    assert any("immediate danger" in text for text in in_topic())
    bot.send(user, "/end")


def test_forget_leaves_nothing_a_later_hand_off_could_show(bot: SandboxClient) -> None:
    user, marker = 7009, "my passport number is XK-4242"
    *_, notice = bot.ask(user, "/privacy", count=2)
    bot.press(user, notice["message_id"], "consent:store:yes")  # the person's words are kept
    assert "keep" in bot.replies(user, notice["message_id"])[0]["text"]
    said = bot.send(user, marker)
    [answer] = bot.replies(user, said["message_id"])
    bot.press(user, answer["message_id"], "handoff")
    [consent] = bot.replies(user, answer["message_id"])
    bot.press(user, consent["message_id"], consent["reply_markup"]["inline_keyboard"][0][0]
              ["callback_data"])  # fmt: skip
    [share] = bot.replies(user, consent["message_id"])
    bot.press(user, share["message_id"], share["reply_markup"]["inline_keyboard"][0][0]
              ["callback_data"])  # fmt: skip
    [queued] = bot.replies(user, share["message_id"])
    during = bot.send(user, "and my employer is in Samut Sakhon")

    def desk_texts(include_deleted: bool = False) -> list[str]:
        return [
            (m.get("text") or "")
            for m in bot.chat(DESK)
            if include_deleted or not m.get("deleted")
        ]

    wait_until(lambda: any("Samut Sakhon" in t for t in desk_texts()), 10, "the copy")
    assert any(marker in t for t in desk_texts())  # the transcript the person agreed to
    [question] = bot.ask(user, "/forget")
    bot.press(user, question["message_id"], "forget:yes")
    told = bot.replies(user, question["message_id"], count=3, wait=10)
    assert any("erased everything" in (m.get("text") or "") for m in told)
    assert any("removed 2 of your messages" in (m.get("text") or "") for m in told)
    assert not any(marker in t or "Samut Sakhon" in t for t in desk_texts())
    assert queued["message_id"] < during["message_id"]
    # later, a new request for a person: nothing of before can reach a desk again
    again = bot.send(user, "hello, it is me again")
    [answer] = bot.replies(user, again["message_id"])
    bot.press(user, answer["message_id"], "handoff")
    [consent] = bot.replies(user, answer["message_id"])
    bot.press(user, consent["message_id"], consent["reply_markup"]["inline_keyboard"][0][0]
              ["callback_data"])  # fmt: skip
    [queued] = bot.replies(user, consent["message_id"])
    assert "/end" in queued["text"]  # no transcript to offer: nothing was kept
    time.sleep(1)
    assert not any(marker in t or "Samut Sakhon" in t or "hello, it is me" in t
                   for t in desk_texts())  # fmt: skip
    bot.send(user, "/end")

"""Privacy through the whole stack (engine, SQL tracker store, bot, sandbox Telegram):
nothing kept that the user did not choose, /forget, /hide, clean logs (issue #7)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.core.identity import pseudonym
from bot.engine.tracker_store import REDACTED
from bot.sandbox.client import SandboxClient
from bot.stack import SANDBOX_TOKEN
from tests.e2e.conftest import StackRun

# long, distinctive ids: their digits cannot turn up in timestamps by chance
ALICE, BORA, CHAN = 7306418259, 7306418260, 7306418261
MARKER = "purple elephant 4711 says my boss keeps my passport"


def database_files(run: StackRun) -> list[Path]:
    """Every SQLite file of the run (the bot's tables and the engine's tracker store)."""
    return sorted(run.log.parent.glob("*.sqlite3*"))


def file_bytes(run: StackRun) -> bytes:
    return b"".join(path.read_bytes() for path in database_files(run))


def rows(run: StackRun, query: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(run.log.parent / "bot.sqlite3") as db:
        return db.execute(query, args).fetchall()


def me(run: StackRun, user_id: int) -> str:
    return pseudonym(run.env["PSEUDONYM_KEY"].encode(), user_id)


def buttons(message: dict) -> list[str]:
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in keyboard for b in row]


def start_and_choose(sandbox: SandboxClient, user: int, data: str, locale: str) -> dict:
    """First contact: /start, the notice, a choice; returns the confirmation."""
    _greeting, notice = sandbox.ask(user, "/start", count=2, language_code=locale)
    assert buttons(notice) == ["consent:store:yes", "consent:store:no"]
    sandbox.press(user, notice["message_id"], data)
    [confirmation] = sandbox.replies(user, notice["message_id"])
    return confirmation


def wait_for_rows(run: StackRun, query: str, *args: object) -> list[tuple[object, ...]]:
    """Storage happens just after the reply is sent; give it a moment."""
    deadline = time.monotonic() + 10
    while not (found := rows(run, query, *args)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def test_a_user_who_declines_still_gets_information_and_emergency_numbers(stack: StackRun) -> None:
    sandbox = stack.sandbox
    confirmation = start_and_choose(sandbox, BORA, "consent:store:no", "th")
    assert "30" not in confirmation["text"]
    topic = sandbox.ask(BORA, "ค่าแรงขั้นต่ำเท่าไหร่", count=3)  # the wages topic's 3 bubbles
    assert "30" in topic[0]["text"] or "บาท" in topic[0]["text"]
    danger = sandbox.ask(BORA, "ช่วยด้วย นายจ้างขังพวกเราไว้ในโรงงาน ออกไปไหนไม่ได้", count=2)
    assert "191" in danger[0]["text"] and "1669" in danger[0]["text"]
    assert rows(
        stack, "select count(*) from stored_text where pseudonym = ?", me(stack, BORA)
    ) == [(0,)]
    choice = rows(
        stack,
        "select granted, notice_version from consent_event where pseudonym = ?",
        me(stack, BORA),
    )
    assert [c[0] for c in choice] == [0] and choice[0][1]


def test_no_raw_id_and_no_words_in_the_engine_store(stack: StackRun) -> None:
    sandbox = stack.sandbox
    start_and_choose(sandbox, ALICE, "consent:store:yes", "en")
    sandbox.ask(ALICE, MARKER)
    sandbox.ask(ALICE, "how much should an agent charge me?")
    # the engine's tracker store lives in the bot's database, keyed by pseudonym...
    events = wait_for_rows(
        stack,
        "select data from events where sender_id = ? and type_name = 'user'",
        me(stack, ALICE),
    )
    assert events, "the engine's conversation is stored in the database"
    # ...without the user's words, which only the consented table holds
    assert all("passport" not in str(data) for (data,) in events)
    assert f'"text": "{REDACTED}"' in str(events)
    assert wait_for_rows(stack, "select text from stored_text where text = ?", MARKER)
    everything = file_bytes(stack)
    for user in (ALICE, BORA, CHAN):
        assert str(user).encode() not in everything


def test_forget_leaves_no_trace_of_what_the_user_wrote(stack: StackRun) -> None:
    sandbox = stack.sandbox
    start_and_choose(sandbox, CHAN, "consent:store:yes", "my")
    sandbox.ask(CHAN, MARKER + " again")
    assert wait_for_rows(stack, "select 1 from stored_text where text = ?", MARKER + " again")
    assert (MARKER + " again").encode() in file_bytes(stack)
    [(kept,)] = rows(
        stack, "select count(*) from stored_text where pseudonym = ?", me(stack, CHAN)
    )
    [question] = sandbox.ask(CHAN, "/forget")
    assert buttons(question) == ["forget:yes", "forget:no"]
    sandbox.press(CHAN, question["message_id"], "forget:yes")
    [done] = sandbox.replies(CHAN, question["message_id"])
    assert f" {kept} " in done["text"], done["text"]  # the kept lines went, and they are told
    time.sleep(1)  # what the bot does just after the reply must not bring a trace back
    holding = [
        p.name for p in database_files(stack) if (MARKER + " again").encode() in p.read_bytes()
    ]
    assert holding == []
    for table, column in (
        ("user", "pseudonym"),
        ("consent_event", "pseudonym"),
        ("stored_text", "pseudonym"),
        ("recent_message", "pseudonym"),
        ("events", "sender_id"),
    ):
        found = rows(stack, f'select count(*) from "{table}" where {column} = ?', me(stack, CHAN))
        assert found == [(0,)], table


def test_hide_deletes_the_recent_messages_of_both_sides(stack: StackRun) -> None:
    sandbox = stack.sandbox
    user = 7306418262
    sandbox.ask(user, "/start", count=2, language_code="km")
    sandbox.ask(user, "I want to know about contracts", count=3)  # the topic's 3 bubbles
    hide = sandbox.send(user, "/hide")
    [cleared] = sandbox.replies(user, hide["message_id"])
    chat = sandbox.chat(user)
    visible = [(m["message_id"], m.get("text")) for m in chat if not m.get("deleted")]
    assert visible == [(cleared["message_id"], cleared["text"])], sandbox.calls("deleteMessages")
    assert len(chat) >= 6  # both sides of the conversation were there, and are gone
    # the one line left is harmless on a lock screen
    for word in ("police", "traffick", "danger", "passport", "help"):
        assert word not in cleared["text"].lower()


def test_logs_of_the_whole_conversation_are_clean(stack: StackRun) -> None:
    text = stack.log.read_text(encoding="utf-8", errors="replace")
    for secret in (SANDBOX_TOKEN, MARKER, "purple elephant", str(ALICE), str(BORA), str(CHAN)):
        assert secret not in text

"""Consent and erasure as the user meets them: notice, choices, /forget, the engine's store."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.core import messages
from bot.core import privacy as consent
from bot.core.answers import EngineAnswer
from bot.core.clock import now
from bot.core.privacy import Privacy
from bot.core.router import Conversation
from bot.core.types import BotReply
from bot.core.urgency import SafetyNet
from bot.engine.tracker_store import without_words
from bot.settings import LOCALES_DIR
from bot.storage.privacy import SqlPrivacyStore
from bot.storage.session import migrate, new_engine, new_sessionmaker
from tests.fakes import BOOK, FakeDialogue, FakeStore, RecordingOutbox, pipeline, press

INTENTS = frozenset({"greet", "ask_menu"})


@pytest.fixture
def store(tmp_path: Path) -> SqlPrivacyStore:
    engine = new_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrate(engine)
    return SqlPrivacyStore(new_sessionmaker(engine), clock=now)


def conversation(store: SqlPrivacyStore, dialogue: FakeDialogue | None = None) -> Conversation:
    privacy = Privacy(store, retention_days=30)
    net = SafetyNet.load(LOCALES_DIR / "safety_net")
    return Conversation(
        dialogue or FakeDialogue(), FakeStore(), INTENTS, net, privacy=privacy, answers=BOOK
    )


def msgids(replies: tuple[BotReply, ...]) -> list[str]:
    return [r.msgid for r in replies]


async def test_the_notice_follows_the_first_greeting_only(store: SqlPrivacyStore) -> None:
    convo = conversation(store)
    first = await convo.on_command("u1", "greet", "th")
    assert msgids(first.replies) == ["Hello!", consent.NOTICE]
    assert first.replies[1].params == {"days": "30"}
    assert [b.data for b in first.replies[1].buttons] == [consent.CONSENT_YES, consent.CONSENT_NO]
    again = await convo.on_command("u1", "greet", "th")
    assert msgids(again.replies) == ["Hello!"]


async def test_no_notice_after_urgent_help(store: SqlPrivacyStore) -> None:
    convo = conversation(store, FakeDialogue([EngineAnswer("tier1", "emergency_help")]))
    outcome = await convo.on_command("u1", "greet", "en")
    assert msgids(outcome.replies)[0] == messages.TIER1
    assert consent.NOTICE not in msgids(outcome.replies)


async def test_yes_keeps_the_words_and_no_keeps_nothing(store: SqlPrivacyStore) -> None:
    convo = conversation(store)
    assert convo.privacy is not None
    saved = await convo.on_button("yes-user", consent.CONSENT_YES, "en")
    assert msgids(saved.replies) == [consent.SAVED_YES]
    await convo.privacy.keep_turn("yes-user", "where is my pay", (BotReply("Hello!"),))
    assert await store.recent_texts("yes-user") == [("user", "where is my pay"), ("bot", "Hello!")]
    declined = await convo.on_button("no-user", consent.CONSENT_NO, "en")
    assert msgids(declined.replies) == [consent.SAVED_NO]
    await convo.privacy.keep_turn("no-user", "where is my pay", (BotReply("Hello!"),))
    assert await store.recent_texts("no-user") == []


async def test_a_declining_user_still_gets_every_answer(store: SqlPrivacyStore) -> None:
    convo = conversation(store)
    await convo.on_button("u1", consent.CONSENT_NO, "my")
    outcome = await convo.on_text("u1", "help, they locked me in the room", "en")
    assert msgids(outcome.replies)[0] == messages.TIER1


async def test_forget_asks_first_then_erases_and_says_so(store: SqlPrivacyStore) -> None:
    convo = conversation(store)
    await convo.on_text("u1", "hello", "km")
    await convo.on_button("u1", consent.CONSENT_YES, "km")
    assert convo.privacy is not None
    await convo.privacy.keep_turn("u1", "marker sentence", ())
    question = await convo.on_forget_command("u1", "km")
    assert [b.data for b in question.replies[0].buttons] == [consent.FORGET_YES, consent.FORGET_NO]
    kept = await convo.on_button("u1", consent.FORGET_NO, "km")
    assert msgids(kept.replies) == [consent.NOT_FORGOTTEN]
    assert await store.recent_texts("u1") != []
    out = RecordingOutbox()
    await pipeline(convo, chat_log=store).handle(press("u1", consent.FORGET_YES, "km"), out)
    [(_, done)] = out.sent
    assert msgids(done.replies) == [consent.FORGOTTEN]
    assert done.replies[0].params == {"texts": "1"} and done.locale == "km"
    assert await store.recent_texts("u1") == [] and await store.consent("u1", "store") is None
    # nothing remembered in memory either: the next greeting is a first contact again
    assert msgids((await convo.on_command("u1", "greet", "en")).replies)[-1] == consent.NOTICE


async def test_a_dead_database_is_told_honestly() -> None:
    dead = SqlPrivacyStore(
        new_sessionmaker(new_engine("postgresql+psycopg2://x@127.0.0.1:9/none")),
        timeout=2,
        clock=now,
    )
    convo = conversation(dead)
    chose = await convo.on_button("u1", consent.CONSENT_YES, "th")
    assert msgids(chose.replies) == [consent.NOT_SAVED]
    out = RecordingOutbox()
    await pipeline(convo).handle(press("u1", consent.FORGET_YES, "th"), out)
    assert out.msgids() == [consent.FORGET_FAILED]


def test_the_engine_never_stores_what_the_user_wrote() -> None:
    event = {
        "event": "user",
        "text": "my boss hits me",
        "parse_data": {"text": "my boss hits me", "intent": {"name": "report_violence"}},
        "metadata": {"locale": "en"},
    }
    stored = without_words(event)
    assert "hits" not in str(stored)
    assert stored["parse_data"]["intent"]["name"] == "report_violence"
    button = {"event": "user", "text": "/ask_wages", "parse_data": {"text": "/ask_wages"}}
    assert without_words(button) == button  # our own payloads are not the user's words
    assert without_words({"event": "bot", "text": "Hello"}) == {"event": "bot", "text": "Hello"}


async def test_an_erasure_held_up_only_by_a_reader_of_the_log_is_reported_done(
    tmp_path: Path,
) -> None:
    """A long read (a report, a backup) keeps the SQLite log's checkpoint waiting after
    /forget has committed; the person must be told it worked, not that it failed."""
    path = tmp_path / "db.sqlite3"
    engine = new_engine(f"sqlite:///{path}")
    migrate(engine)
    store = SqlPrivacyStore(new_sessionmaker(engine), timeout=0.5, clock=now)
    await store.record_consent("u1", "keep_texts", True, "v1", "my")
    await store.remember_message_ids("u1", [11, 12])
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchall()
    # the reader finishes after the erasure's budget, as a report would
    asyncio.get_running_loop().call_later(1.0, reader.close)
    erased = await store.forget("u1")
    assert erased.message_ids == 2
    assert await store.deletable_message_ids("u1") == []
    # the checkpoint waited for the reader, then emptied the log: no old copy is left in it
    assert path.with_name("db.sqlite3-wal").stat().st_size == 0

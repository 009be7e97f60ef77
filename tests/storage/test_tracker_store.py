"""The engine's tracker store on SQLite and PostgreSQL: no words, only the latest turns read,
every event stored once."""

from __future__ import annotations

import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    SessionStarted,
    UserUttered,
)
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.engine.tracker_store import TAIL, PrivateTrackerStore
from bot.settings import PROJECT_DIR

DOMAIN = Domain.load(str(PROJECT_DIR / "domain.yml"))
SECRET = "my boss in Chiang Mai keeps my passport"


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> PrivateTrackerStore:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return PrivateTrackerStore(DOMAIN)


def one_turn(number: int) -> list[object]:
    intent = {"name": "report_documents_withheld", "confidence": 0.9}
    return [
        UserUttered(f"{SECRET} ({number})", intent, parse_data={"text": SECRET, "intent": intent}),
        ActionExecuted("utter_report_documents_withheld"),
        BotUttered(data={"custom": {"answer": "tier2"}}),
        ActionExecuted("action_listen"),
    ]


async def talk(store: PrivateTrackerStore, sender: str, turns: int) -> None:
    """Turns as the engine takes them: read, add the turn's events, save."""
    for number in range(turns):
        tracker = await store.get_or_create_tracker(sender)
        for event in one_turn(number):
            tracker.update(event)
        await store.save(tracker)


def stored(engine: Engine, sender: str) -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        )
        return [json.loads(row.data) for row in rows]


async def test_every_event_is_stored_once_and_no_words_ever(
    store: PrivateTrackerStore, engine: Engine
) -> None:
    await talk(store, "p1", 30)
    events = stored(engine, "p1")
    users = [e for e in events if e["event"] == "user"]
    assert len(users) == 30 and len(events) == 1 + 30 * 4  # the first listen, then turns
    assert SECRET not in json.dumps(events)
    assert all(e["parse_data"]["intent"]["name"] == "report_documents_withheld" for e in users)


async def test_a_turn_reads_only_the_latest_turns_however_long_the_talk(
    store: PrivateTrackerStore, engine: Engine
) -> None:
    await talk(store, "p2", 60)
    tracker = await store.retrieve("p2")
    assert tracker is not None and len(tracker.events) <= TAIL
    first = tracker.events[0]
    assert isinstance(first, ActionExecuted) and first.action_name == "action_listen"
    assert tracker.latest_message.intent["name"] == "report_documents_withheld"
    full = await store.retrieve_full_tracker("p2")
    assert full is not None and len(full.events) == len(stored(engine, "p2"))


async def test_a_new_session_starts_the_reading_over(store: PrivateTrackerStore) -> None:
    await talk(store, "p3", 5)
    tracker = await store.retrieve("p3")
    assert tracker is not None
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    again = await store.retrieve("p3")
    assert again is not None and [e.type_name for e in again.events] == [
        "session_started",
        "action",
    ]


async def test_a_pause_older_than_the_tail_keeps_the_conversation_paused(
    store: PrivateTrackerStore,
) -> None:
    await talk(store, "p4", 1)
    tracker = await store.retrieve("p4")
    assert tracker is not None
    tracker.update(ConversationPaused())
    await store.save(tracker)
    await talk(store, "p4", 20)  # far more events than a turn reads
    paused = await store.retrieve("p4")
    assert paused is not None and paused.is_paused()

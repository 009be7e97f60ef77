"""The engine's tracker store: Rasa's SQL store in the bot's database, without the words,
reading only the latest turns.

Rasa keeps every conversation as events. Ours are saved in the bot's own database (the
`events` table, created by our migrations; SQLite by default, PostgreSQL when
DATABASE_URL says so), keyed by the pseudonym the bot sends as sender id, and with what
the user typed removed before anything is written: the dialogue needs the intent, not
the sentence. So neither a raw Telegram id nor a user's words ever reach the engine's
storage, /forget can erase a user's events in the same transaction as the rest, and the
retention job purges old ones.

Every rule is single-turn and the domain has no slots, so a turn needs only the latest
events of the conversation. Rasa's SQL store reads the whole session, replays it and
counts it again to save, so a turn cost grew with the conversation (80 ms at the 1st
turn, 770 ms at the 300th). This store reads the last TAIL events of the latest session
(plus the latest pause or resume, so a paused conversation stays paused), remembers on
the tracker how many it read, and saves only what came after: the cost of a turn no
longer depends on how long a person has been talking. The full history stays stored
(a hand-off's case card reads the signs seen, `retrieve_full_tracker`).

endpoints.yml: `tracker_store: {type: bot.engine.tracker_store.PrivateTrackerStore}`.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.session import new_engine

log = logging.getLogger(__name__)
REDACTED = ""
# events read per turn: about ten turns (user, answer, bot message, listen), far more
# than a single-turn rule looks at
TAIL = 40
SESSION_START = "session_started"
LISTEN = "action_listen"
PAUSE_EVENTS = ("pause", "resume")
# on a tracker this store read: how many of its events are stored already
STORED = "_private_store_saved_events"


def without_words(event: dict[str, Any]) -> dict[str, Any]:
    """An event as a dict with the user's text removed (intent, entities and slots stay).

    Intent-button payloads ("/ask_wages") are kept: they are ours, not the user's words.
    """
    if event.get("event") != "user":
        return event
    text = event.get("text")
    if isinstance(text, str) and text.startswith("/"):
        return event
    cleaned = {**event, "text": REDACTED}
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        cleaned["parse_data"] = {**parse_data, "text": REDACTED}
    return cleaned


def from_a_turn_start(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events from the first listen or session start on, so no turn is cut in half."""
    for index, event in enumerate(events):
        if event.get("event") == SESSION_START or (
            event.get("event") == "action" and event.get("name") == LISTEN
        ):
            return events[index:]
    return events


class PrivateTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """SQLTrackerStore on DATABASE_URL that never stores what users wrote and reads only
    the latest turns."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        # the bot's settings module decides the default database; import lazily so that
        # Rasa can load this class without the bot's whole environment.
        from bot.settings import DATA_DIR

        url = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DATA_DIR / 'bot.sqlite3'}"
        self.engine = new_engine(url)
        # the bot's migrations own the table; this only fills a gap when the engine
        # starts against a database the bot has not migrated yet.
        self.Base.metadata.create_all(self.engine, checkfirst=True)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        kwargs.pop("host", None)
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest turns of the latest session (a turn needs no more)."""
        with self.session_scope() as session:
            events = self._tail(session, sender_id)
        if not events or self.domain is None:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        setattr(tracker, STORED, len(events))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """Every stored event of every session (the HTTP API's tracker, a case card)."""
        tracker = await super().retrieve_full_tracker(conversation_id)
        if tracker is not None:
            setattr(tracker, STORED, len(tracker.events))
        return tracker

    def _tail(self, session: Any, sender_id: str) -> list[dict[str, Any]]:
        """The last TAIL events since the latest session start, oldest first, beginning at
        a turn; the latest pause or resume in front when it is older than that."""
        event = self.SQLEvent
        mine = event.sender_id == sender_id
        start = (
            sa.select(sa.func.max(event.id))
            .where(mine, event.type_name == SESSION_START)
            .scalar_subquery()
        )
        in_session = sa.or_(start.is_(None), event.id >= start)
        rows = (
            session.query(event.id, event.data)
            .filter(mine, in_session)
            .order_by(event.id.desc())
            .limit(TAIL)
            .all()
        )
        if not rows:
            return []
        first_id = rows[-1].id
        pause = (
            session.query(event.data)
            .filter(mine, in_session, event.type_name.in_(PAUSE_EVENTS), event.id < first_id)
            .order_by(event.id.desc())
            .first()
        )
        events = from_a_turn_start([json.loads(row.data) for row in reversed(rows)])
        return [json.loads(pause.data), *events] if pause is not None else events

    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> Iterable[Any]:
        """The tracker's events not stored yet: those after what this store read or saved;
        Rasa's count of the session's stored events for a tracker made elsewhere."""
        stored = getattr(tracker, STORED, None)
        if stored is None:
            return list(self._additional_events(session, tracker))
        return list(itertools.islice(tracker.events, stored, None))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events, each user event stripped of its text first."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._new_events(session, tracker):
                data = without_words(event.as_dict())
                intent = data.get("parse_data", {}).get("intent", {}).get("name")
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
        setattr(tracker, STORED, len(tracker.events))

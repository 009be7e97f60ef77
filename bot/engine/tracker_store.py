"""The engine's tracker store: Rasa's SQL store in the bot's database, without the words.

Rasa keeps every conversation as events. Ours are saved in the bot's own database (the
`events` table, created by our migrations), keyed by the pseudonym the bot sends as
sender id, and with what the user typed removed before anything is written: the dialogue
needs the intent and slots, not the sentence. So neither a raw Telegram id nor a user's
words ever reach the engine's storage, /forget can erase a user's events in the same
transaction as the rest, and the retention job purges old ones.

endpoints.yml: `tracker_store: {type: bot.engine.tracker_store.PrivateTrackerStore}`.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.session import new_engine

log = logging.getLogger(__name__)
REDACTED = ""


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


class PrivateTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """SQLTrackerStore on DATABASE_URL that never stores what users wrote."""

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

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with each new user event stripped of its text first."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
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

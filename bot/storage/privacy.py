"""What the bot keeps about a person, and how it is erased: consents, consented texts,
recent message ids (for /hide), the engine's events. Sync queries plus an async store that
bounds every call in time, like the user store: a dead database never stops a reply.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.storage import broadcasts, handoff, quiz
from bot.storage.consents import record_consent
from bot.storage.models import ConsentEvent, RecentMessage, StoredText, TrackerEvent, User
from bot.storage.session import Clock, StorageUnavailable, run_bounded
from bot.text.wellformed import well_formed

log = logging.getLogger(__name__)
# Telegram lets a bot delete private-chat messages for 48 hours; ids are useless after that.
DELETABLE_FOR = timedelta(hours=48)
T = TypeVar("T")


@dataclass(frozen=True)
class Erased:
    """How many records of each kind /forget removed (told to the user)."""

    profile: int = 0
    consents: int = 0
    texts: int = 0
    message_ids: int = 0
    engine_events: int = 0
    learning: int = 0  # quiz answers unlinked, tips views erased
    cases: int = 0  # hand-off cases unlinked (their figures stay, belonging to nobody)
    updates: int = 0  # the opt-in to updates, and broadcast copies unlinked (#14)

    @property
    def total(self) -> int:
        """All records removed or unlinked."""
        return (
            self.profile
            + self.consents
            + self.texts
            + self.message_ids
            + self.engine_events
            + self.learning
            + self.cases
            + self.updates
        )


@dataclass(frozen=True)
class Purged:
    """What one retention run removed."""

    texts: int = 0
    message_ids: int = 0
    engine_events: int = 0
    relayed: int = 0  # hand-off relay records


def current_consent(session: Session, pseudonym: str, kind: str) -> bool | None:
    """The user's latest choice of a kind, or None if they never chose."""
    query = (
        select(ConsentEvent.granted)
        .where(ConsentEvent.pseudonym == pseudonym, ConsentEvent.kind == kind)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        .limit(1)
    )
    found = session.execute(query).scalar()
    return None if found is None else bool(found)


def storable(text: str) -> str:
    """Text every database accepts: Telegram's JSON may carry a lone surrogate (UTF-8 cannot
    encode it) or a NUL (PostgreSQL refuses it); both become U+FFFD, and a surrogate pair
    that arrived as two code points becomes its character again."""
    return well_formed(text).replace("\x00", "\ufffd")


def store_texts(
    session: Session, pseudonym: str, lines: list[tuple[str, str]], now: datetime
) -> None:
    """Keep (role, text) lines of a consenting user's turn."""
    session.add_all(
        StoredText(pseudonym=pseudonym, role=r, text=storable(t), at=now) for r, t in lines
    )


def recent_texts(session: Session, pseudonym: str, limit: int = 20) -> list[tuple[str, str]]:
    """The newest (role, text) lines, oldest first: the transcript a person may read."""
    query = (
        select(StoredText.role, StoredText.text)
        .where(StoredText.pseudonym == pseudonym)
        .order_by(StoredText.at.desc(), StoredText.id.desc())
        .limit(limit)
    )
    return [(str(role), str(text)) for role, text in reversed(session.execute(query).all())]


def remember_message_ids(
    session: Session, pseudonym: str, message_ids: list[int], now: datetime
) -> None:
    """Keep message ids of the chat so /hide can delete them later (duplicates ignored)."""
    known = set(
        session.execute(
            select(RecentMessage.message_id).where(
                RecentMessage.pseudonym == pseudonym, RecentMessage.message_id.in_(message_ids)
            )
        ).scalars()
    )
    session.add_all(
        RecentMessage(pseudonym=pseudonym, message_id=m, at=now)
        for m in dict.fromkeys(message_ids)
        if m not in known
    )


def deletable_message_ids(session: Session, pseudonym: str, now: datetime) -> list[int]:
    """Ids of the chat's messages young enough for Telegram to delete, oldest first."""
    query = (
        select(RecentMessage.message_id)
        .where(RecentMessage.pseudonym == pseudonym, RecentMessage.at > now - DELETABLE_FOR)
        .order_by(RecentMessage.message_id)
    )
    return [int(m) for m in session.execute(query).scalars()]


def forget_message_ids(session: Session, pseudonym: str) -> int:
    """Drop the kept ids once their messages are gone."""
    result = session.execute(delete(RecentMessage).where(RecentMessage.pseudonym == pseudonym))
    return int(result.rowcount or 0)


def forget(session: Session, pseudonym: str) -> Erased:
    """Erase everything linked to one pseudonym (caller commits)."""

    def erase(model: type, column: object) -> int:
        result = session.execute(delete(model).where(column == pseudonym))  # type: ignore[arg-type]
        return int(result.rowcount or 0)

    return Erased(
        profile=erase(User, User.pseudonym),
        consents=erase(ConsentEvent, ConsentEvent.pseudonym),
        texts=erase(StoredText, StoredText.pseudonym),
        message_ids=erase(RecentMessage, RecentMessage.pseudonym),
        engine_events=erase(TrackerEvent, TrackerEvent.sender_id),
        learning=quiz.forget(session, pseudonym),
        cases=handoff.unlink(session, pseudonym),
        updates=broadcasts.forget(session, pseudonym),
    )


def purge(session: Session, now: datetime, keep_texts_for: timedelta) -> Purged:
    """Retention: remove texts and engine events older than the setting, ids after 48 h."""
    texts = session.execute(delete(StoredText).where(StoredText.at < now - keep_texts_for))
    ids = session.execute(delete(RecentMessage).where(RecentMessage.at < now - DELETABLE_FOR))
    events = session.execute(
        delete(TrackerEvent).where(TrackerEvent.timestamp < (now - keep_texts_for).timestamp())
    )
    relayed = handoff.purge_relayed(session, now - keep_texts_for)
    # the conversation tier ages out with the words it was read from
    session.execute(
        update(User)
        .where(User.tier_at < now - keep_texts_for)
        .values(conversation_tier=None, tier_at=None)
    )
    return Purged(
        relayed=relayed,
        texts=int(texts.rowcount or 0),
        message_ids=int(ids.rowcount or 0),
        engine_events=int(events.rowcount or 0),
    )


class SqlPrivacyStore:
    """The async face of this module; every call is bounded in time."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        timeout: float = 3.0,
        *,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._timeout = timeout
        self.clock = clock

    async def _run(self, work: Callable[[Session], T], write: bool, erasing: bool = False) -> T:
        return await run_bounded(self._sessions, work, write, self._timeout, erasing=erasing)

    async def consent(self, pseudonym: str, kind: str) -> bool | None:
        """The current choice, or None if never asked or the database is down."""
        try:
            return await self._run(lambda s: current_consent(s, pseudonym, kind), write=False)
        except StorageUnavailable:
            return None

    async def record_consent(
        self, pseudonym: str, kind: str, granted: bool, notice_version: str, locale: str
    ) -> None:
        """Store a choice; raises StorageUnavailable so the user can be told it did not stick."""
        now = self.clock()
        await self._run(
            lambda s: record_consent(s, pseudonym, kind, granted, notice_version, locale, now),
            write=True,
        )

    async def store_texts(self, pseudonym: str, lines: list[tuple[str, str]]) -> None:
        """Keep a consenting user's lines; a failure only loses those lines."""
        now = self.clock()
        with contextlib.suppress(StorageUnavailable):
            await self._run(lambda s: store_texts(s, pseudonym, lines, now), write=True)

    async def recent_texts(self, pseudonym: str, limit: int = 20) -> list[tuple[str, str]]:
        """The transcript a person may read (empty when the database is down)."""
        try:
            return await self._run(lambda s: recent_texts(s, pseudonym, limit), write=False)
        except StorageUnavailable:
            return []

    async def remember_message_ids(self, pseudonym: str, message_ids: list[int]) -> None:
        """Keep ids for /hide; a failure only means fewer messages can be hidden."""
        now = self.clock()
        with contextlib.suppress(StorageUnavailable):
            await self._run(
                lambda s: remember_message_ids(s, pseudonym, message_ids, now), write=True
            )

    async def deletable_message_ids(self, pseudonym: str) -> list[int]:
        """Ids /hide may still delete."""
        now = self.clock()
        return await self._run(lambda s: deletable_message_ids(s, pseudonym, now), write=False)

    async def forget_message_ids(self, pseudonym: str) -> None:
        """After /hide: the deleted messages' ids are no longer needed."""
        with contextlib.suppress(StorageUnavailable):
            await self._run(lambda s: forget_message_ids(s, pseudonym), write=True)

    async def forget(self, pseudonym: str) -> Erased:
        """Erase everything about one user; raises StorageUnavailable if it could not."""
        return await self._run(lambda s: forget(s, pseudonym), write=True, erasing=True)

    async def purge(self, keep_texts_for: timedelta) -> Purged:
        """One retention run at the store's clock."""
        now = self.clock()
        return await self._run(lambda s: purge(s, now, keep_texts_for), write=True, erasing=True)

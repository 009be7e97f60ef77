"""Hand-off tables and queries: cases, their events (the numbers for staff), relayed messages.

No raw Telegram id is stored: the user is a pseudonym, their chat id is sealed (encrypted,
bot/core/identity.py), an operator is a pseudonym, a relayed message is a keyed hash of its
(chat, message) pair. Only the operators' group ids are stored plainly: they are groups, not
people. Message text is never stored here.

Every state change is one conditional UPDATE (`... WHERE state = 'queued'`), so when two
operators press "claim" at once, or two processes race, exactly one wins.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    and_,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import Base
from bot.storage.session import Clock, StorageUnavailable, run_bounded

log = logging.getLogger(__name__)
T = TypeVar("T")
# the hand-off's name for the storage-wide failure (cases cannot be read or written)
StoreUnavailable = StorageUnavailable
QUEUED, CLAIMED, CLOSED = "queued", "claimed", "closed"
OPEN = (QUEUED, CLAIMED)


class CaseRow(Base):  # type: ignore[misc,valid-type]
    """One request for a person, from queueing to closing."""

    __tablename__ = "handoff_case"

    id = Column(Integer, primary_key=True, autoincrement=True)
    user = Column(String(64), nullable=False, index=True)  # pseudonym
    sealed_chat = Column(String(256), nullable=False)  # encrypted chat id, to answer later
    locale = Column(String(8), nullable=False)
    tier = Column(Integer, nullable=False)
    indicators = Column(String(512), nullable=False, default="")  # intent names, no text
    share_transcript = Column(Boolean, nullable=False, default=False)
    desk = Column(String(64), nullable=False)
    desk_chat = Column(BigInteger, nullable=False)  # the operators' group (not a person)
    thread_id = Column(Integer, nullable=True)  # the case's forum topic
    card_message_id = Column(Integer, nullable=True)
    state = Column(String(16), nullable=False, index=True)
    owner = Column(String(64), nullable=True)  # operator pseudonym
    escalations = Column(Integer, nullable=False, default=0)
    created_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)
    announced_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)
    claimed_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)
    first_reply_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)
    user_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)
    operator_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)
    alerted_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)
    closed_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)


class EventRow(Base):  # type: ignore[misc,valid-type]
    """requested, queued, claimed, first_reply, released, transferred, escalated, closed."""

    __tablename__ = "handoff_event"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("handoff_case.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    desk = Column(String(64), nullable=False)
    locale = Column(String(8), nullable=False)
    tier = Column(Integer, nullable=False)
    at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


class RelayedRow(Base):  # type: ignore[misc,valid-type]
    """A message already relayed: a redelivered update after a restart is not sent twice."""

    __tablename__ = "handoff_relayed"

    key = Column(String(64), primary_key=True)  # keyed hash of (chat id, message id)
    case_id = Column(Integer, ForeignKey("handoff_case.id"), nullable=False, index=True)
    at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


class CopyRow(Base):  # type: ignore[misc,valid-type]
    """A message the bot posted in a desk topic that carries the person's own words (a copy
    of their message, the shared transcript): /forget deletes these from the topic."""

    __tablename__ = "handoff_copy"

    id = Column(Integer, primary_key=True, autoincrement=True)
    case_id = Column(Integer, ForeignKey("handoff_case.id"), nullable=False, index=True)
    chat_id = Column(BigInteger, nullable=False)  # the desk's group (not a person)
    message_id = Column(BigInteger, nullable=False)
    at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


@dataclass(frozen=True)
class Copy:
    """One of the bot's posts in a desk topic with the person's words."""

    chat_id: int
    message_id: int
    at: datetime


@dataclass(frozen=True)
class Case:
    """A case as read from the database (a snapshot; CaseBook owns the changes)."""

    id: int
    user: str
    sealed_chat: str
    locale: str
    tier: int
    indicators: str
    share_transcript: bool
    desk: str
    desk_chat: int
    thread_id: int | None
    card_message_id: int | None
    state: str
    owner: str | None
    escalations: int
    created_at: datetime
    announced_at: datetime
    claimed_at: datetime | None
    first_reply_at: datetime | None
    user_at: datetime | None
    operator_at: datetime | None
    alerted_at: datetime | None


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; every time here is UTC.
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def _case(row: CaseRow) -> Case:
    fields = {name: getattr(row, name) for name in Case.__dataclass_fields__}
    for name in (
        "created_at",
        "announced_at",
        "claimed_at",
        "first_reply_at",
        "user_at",
        "operator_at",
        "alerted_at",
    ):
        fields[name] = _utc(fields[name])
    return Case(**fields)


def unlink(session: Session, pseudonym: str) -> int:
    """/forget: the person's cases keep their figures (desk, language, tier, times) but
    lose who they were: a random one-off key, no sealed chat id, no relay records."""
    ids = list(session.execute(select(CaseRow.id).where(CaseRow.user == pseudonym)).scalars())
    if not ids:
        return 0
    session.execute(delete(RelayedRow).where(RelayedRow.case_id.in_(ids)))
    session.execute(delete(CopyRow).where(CopyRow.case_id.in_(ids)))
    session.execute(
        update(CaseRow)
        .where(CaseRow.id.in_(ids))
        .values(user=f"forgotten-{secrets.token_hex(12)}", sealed_chat="")
    )
    return len(ids)


def purge_relayed(session: Session, before: datetime) -> int:
    """Retention: relay records (keyed hashes of message ids) older than `before`."""
    result = session.execute(delete(RelayedRow).where(RelayedRow.at < before))
    return int(result.rowcount or 0)


class HandoffStore:
    """Async access to the hand-off tables; every call is bounded in time.

    Unlike the user store, failures raise StoreUnavailable: a case that cannot be read or
    written must not be half-handled. Callers fall back to the hotline numbers."""

    def __init__(
        self, sessions: sessionmaker[Session], timeout: float = 5.0, *, clock: Clock
    ) -> None:
        self._sessions = sessions
        self._timeout = timeout
        self._clock = clock

    async def _run(self, work: Callable[[Session], T]) -> T:
        return await run_bounded(self._sessions, work, write=True, timeout=self._timeout)

    async def open_case(self, **values: Any) -> Case:
        """A new queued case, or the user's case that is already open."""

        def work(session: Session) -> Case:
            found = session.execute(
                select(CaseRow).where(CaseRow.user == values["user"], CaseRow.state.in_(OPEN))
            ).scalar()
            if found is not None:
                return _case(found)
            row = CaseRow(state=QUEUED, escalations=0, **values)
            session.add(row)
            session.flush()
            return _case(row)

        return await self._run(work)

    async def open_for_user(self, user: str) -> Case | None:
        """The user's open case, if any."""
        query = select(CaseRow).where(CaseRow.user == user, CaseRow.state.in_(OPEN))
        return await self._run(lambda s: _maybe(s.execute(query).scalar()))

    async def get(self, case_id: int) -> Case | None:
        """Any case by id."""
        return await self._run(lambda s: _maybe(s.get(CaseRow, case_id)))

    async def by_topic(self, desk_chat: int, thread_id: int) -> Case | None:
        """The open case whose topic this is."""
        query = select(CaseRow).where(
            CaseRow.desk_chat == desk_chat, CaseRow.thread_id == thread_id, CaseRow.state.in_(OPEN)
        )
        return await self._run(lambda s: _maybe(s.execute(query).scalar()))

    async def change(self, case_id: int, when: dict[str, Any], values: dict[str, Any]) -> bool:
        """Apply values to the case if its columns still match `when`; True if it did."""
        conditions = [getattr(CaseRow, k) == v for k, v in when.items()]
        statement = update(CaseRow).where(CaseRow.id == case_id, *conditions).values(**values)
        return await self._run(lambda s: bool(s.execute(statement).rowcount))

    async def add_event(self, case: Case, kind: str, at: datetime, desk: str = "") -> None:
        """Record one step of a case for the staff figures."""
        row = EventRow(
            case_id=case.id,
            kind=kind,
            desk=desk or case.desk,
            locale=case.locale,
            tier=case.tier,
            at=at,
        )
        await self._run(lambda s: s.add(row))

    async def relayed_before(self, key: str) -> bool:
        """True if this message was relayed already (its update came again)."""
        return await self._run(lambda s: s.get(RelayedRow, key) is not None)

    async def note_relayed(
        self, key: str, case_id: int, copy: tuple[int, int] | None = None
    ) -> None:
        """Remember a message once it is relayed, with the desk post that carries the
        person's words (chat id, message id), in one transaction: a process that dies
        after the copy leaves both or neither."""

        def work(session: Session) -> None:
            at = self._clock()
            if copy is not None:
                session.add(CopyRow(case_id=case_id, chat_id=copy[0], message_id=copy[1], at=at))
            if session.get(RelayedRow, key) is None:
                # the same update, handled concurrently: its key is there, keep the copy
                with contextlib.suppress(IntegrityError), session.begin_nested():
                    session.add(RelayedRow(key=key, case_id=case_id, at=at))

        await self._run(work)

    async def add_copy(self, case_id: int, chat_id: int, message_id: int) -> None:
        """Note a post in a desk topic that carries the person's words."""
        row = CopyRow(case_id=case_id, chat_id=chat_id, message_id=message_id, at=self._clock())
        await self._run(lambda s: s.add(row))

    async def copies_of(self, user: str) -> list[Copy]:
        """Every post with the person's words in any desk topic of their cases."""
        query = (
            select(CopyRow.chat_id, CopyRow.message_id, CopyRow.at)
            .join(CaseRow, CaseRow.id == CopyRow.case_id)
            .where(CaseRow.user == user)
            .order_by(CopyRow.id)
        )

        def work(session: Session) -> list[Copy]:
            rows = session.execute(query)
            return [Copy(int(c), int(m), _utc(at) or at) for c, m, at in rows]

        return await self._run(work)

    async def reseal(self, convert: Callable[[str], str]) -> int:
        """Key rotation: every open case's sealed chat id through `convert` (re-encrypted
        under the newest key); closed cases need none and lose theirs. How many changed."""

        def work(session: Session) -> int:
            done = and_(CaseRow.state == CLOSED, CaseRow.sealed_chat != "")
            session.execute(update(CaseRow).where(done).values(sealed_chat=""))
            changed = 0
            for row in session.execute(select(CaseRow).where(CaseRow.state.in_(OPEN))).scalars():
                sealed = convert(row.sealed_chat)
                if sealed != row.sealed_chat:
                    row.sealed_chat, changed = sealed, changed + 1
            return changed

        return await self._run(work)

    async def due(self, now: datetime, wait: timedelta) -> list[Case]:
        """Open cases waiting too long: unclaimed since their last announcement, or with a
        user message no operator answered, not yet alerted about."""
        limit = now - wait
        waiting = and_(CaseRow.state == QUEUED, CaseRow.announced_at <= limit)
        silent = and_(
            CaseRow.state == CLAIMED,
            CaseRow.user_at.isnot(None),
            CaseRow.user_at <= limit,
            or_(CaseRow.operator_at.is_(None), CaseRow.operator_at < CaseRow.user_at),
            or_(CaseRow.alerted_at.is_(None), CaseRow.alerted_at < CaseRow.user_at),
        )
        query = select(CaseRow).where(or_(waiting, silent))
        return await self._run(lambda s: [_case(r) for r in s.execute(query).scalars()])

    async def events(self, since: datetime) -> list[tuple[int, str, str, str, datetime]]:
        """(case id, kind, desk, locale, at) of every event since a time, oldest first."""
        query = (
            select(EventRow.case_id, EventRow.kind, EventRow.desk, EventRow.locale, EventRow.at)
            .where(EventRow.at >= since)
            .order_by(EventRow.id)
        )

        def work(session: Session) -> list[tuple[int, str, str, str, datetime]]:
            return [(c, k, d, lo, _utc(at) or at) for c, k, d, lo, at in session.execute(query)]

        return await self._run(work)


def _maybe(row: CaseRow | None) -> Case | None:
    return _case(row) if row is not None else None

"""The update journal: updates the bot received from Telegram and has not answered yet.

The intake (bot/telegram/intake.py) confirms an update to Telegram only once it is answered
or written here, so a bot process that dies mid-turn finds its unanswered updates again at
start-up. The payload (the update as Telegram sent it, sealed by the caller) is erased the
moment the update is answered; the bare id stays a day, so an update delivered twice is
answered once. The Telegram results of the messages already sent for an unanswered update
are kept beside it, so a replay does not send them a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    String,
    Text,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.storage.models import Base

# an update whose replay killed the process this many times is dropped, not tried forever
MAX_REPLAYS = 3
# Telegram itself keeps an unconfirmed update for 24 hours; an answer later than that would
# arrive out of the blue on a phone that someone else may read, so older ones are dropped.
MAX_AGE = timedelta(hours=24)


class JournalEntry(Base):  # type: ignore[misc,valid-type]
    """One update received from Telegram; pending while answered_at is empty."""

    __tablename__ = "update_journal"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    payload = Column(Text, nullable=True)  # sealed update JSON; erased once answered
    received_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)
    answered_at: Column[datetime | None] = Column(DateTime(timezone=True), index=True)
    owner = Column(String(64), nullable=False)  # the bot process that is answering it
    lease_until: Column[datetime] = Column(DateTime(timezone=True), nullable=False)
    replays = Column(Integer, nullable=False, default=0)


class JournalSend(Base):  # type: ignore[misc,valid-type]
    """Telegram's result for the n-th message sent while answering a pending update."""

    __tablename__ = "update_sent"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    seq = Column(Integer, primary_key=True, autoincrement=False)
    result = Column(Text, nullable=False)  # sealed JSON, as Telegram answered


@dataclass(frozen=True)
class Pending:
    """An unanswered update taken over for replay, with what was already sent for it."""

    update_id: int
    payload: str
    sent: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Claimed:
    """What a start-up takes over: updates to replay, and how many were given up on."""

    pending: list[Pending]
    dropped: int


def _insert_ignoring_duplicates(
    session: Session, table: Any, rows: Sequence[dict[str, Any]]
) -> None:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time here is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def append(
    session: Session,
    updates: Sequence[tuple[int, str]],
    owner: str,
    now: datetime,
    lease: timedelta,
) -> None:
    """Journal received updates (id, sealed payload); an id already journaled is kept as is."""
    if updates:
        rows = [
            {
                "update_id": update_id,
                "payload": payload,
                "received_at": now,
                "owner": owner,
                "lease_until": now + lease,
                "replays": 0,
            }
            for update_id, payload in updates
        ]
        _insert_ignoring_duplicates(session, JournalEntry.__table__, rows)


def note_sent(session: Session, sends: Sequence[tuple[int, int, str]]) -> None:
    """Keep Telegram's results (update id, sequence number, sealed result) of sent messages."""
    if sends:
        rows = [{"update_id": u, "seq": n, "result": r} for u, n, r in sends]
        _insert_ignoring_duplicates(session, JournalSend.__table__, rows)


def finish(session: Session, update_ids: Sequence[int], now: datetime) -> None:
    """Answered: erase the payload and the sent results, keep the id for deduplication."""
    if update_ids:
        ids = list(update_ids)
        session.execute(
            update(JournalEntry)
            .where(JournalEntry.update_id.in_(ids), JournalEntry.answered_at.is_(None))
            .values(payload=None, answered_at=now)
        )
        session.execute(delete(JournalSend).where(JournalSend.update_id.in_(ids)))


def claim(
    session: Session, owner: str, now: datetime, lease: timedelta, everyone: bool
) -> Claimed:
    """Take over the pending updates to replay, oldest first: this owner's own (a restart),
    those whose lease ran out (a process that died for good), or all of them (`everyone`:
    the single long-polling process). Too old or too often replayed ones are dropped."""
    query = select(JournalEntry).where(JournalEntry.answered_at.is_(None))
    if not everyone:
        query = query.where(or_(JournalEntry.owner == owner, JournalEntry.lease_until < now))
    rows = session.execute(
        query.order_by(JournalEntry.update_id).with_for_update(skip_locked=True)
    ).scalars()
    taken, dropped = [], []
    for row in rows:
        if row.replays >= MAX_REPLAYS or _utc(row.received_at) < now - MAX_AGE:
            dropped.append(row.update_id)
            continue
        row.owner, row.lease_until, row.replays = owner, now + lease, row.replays + 1
        taken.append(row)
    finish(session, dropped, now)
    sends: dict[int, dict[int, str]] = {}
    if taken:
        found = select(JournalSend).where(JournalSend.update_id.in_([r.update_id for r in taken]))
        for send in session.execute(found).scalars():
            sends.setdefault(send.update_id, {})[send.seq] = send.result
    pending = [Pending(r.update_id, r.payload, sends.get(r.update_id, {})) for r in taken]
    return Claimed(pending, len(dropped))


def answered_ids(session: Session, window: timedelta) -> set[int]:
    """Ids answered within `window` of the newest answer: the ones Telegram might still
    deliver again (they were answered but perhaps not yet confirmed when the process died)."""
    newest = session.execute(select(func.max(JournalEntry.answered_at))).scalar()
    if newest is None:
        return set()
    query = select(JournalEntry.update_id).where(JournalEntry.answered_at >= newest - window)
    return set(session.execute(query).scalars())


def purge(session: Session, before: datetime) -> int:
    """Forget answered ids older than `before`; how many went."""
    result = session.execute(delete(JournalEntry).where(JournalEntry.answered_at < before))
    return int(result.rowcount or 0)

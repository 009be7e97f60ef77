"""Each person's copy of one broadcast, and what became of it (issue #14).

A recipient row goes pending -> sending -> sent | blocked | failed | stopped. "sending" is
written (and committed) before the message leaves and the outcome after it, so a process
killed in between leaves rows in "sending": at the next start they become "unknown" and
are never sent again (at-most-once: nobody gets a broadcast twice). The chat id is sealed
(bot/core/identity.py) as the hand-off does; the person is a pseudonym. The broadcasts
themselves and who opted in are in bot/storage/broadcasts.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bot.storage.models import Base

PENDING, SENDING, SENT = "pending", "sending", "sent"
BLOCKED, FAILED, STOPPED, UNKNOWN = "blocked", "failed", "stopped", "unknown"


class RecipientRow(Base):  # type: ignore[misc,valid-type]
    """One person's copy of one broadcast, and what became of it."""

    __tablename__ = "campaign_recipient"
    __table_args__ = (UniqueConstraint("broadcast_id", "pseudonym"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    broadcast_id = Column(Integer, nullable=False, index=True)
    pseudonym = Column(String(64), nullable=False, index=True)
    sealed_chat = Column(String(256), nullable=False)
    locale = Column(String(8), nullable=False)
    status = Column(String(10), nullable=False)


@dataclass(frozen=True)
class Recipient:
    """What the sender needs for one message."""

    row: int
    pseudonym: str
    sealed_chat: str
    locale: str


def enrol(session: Session, broadcast: int, people: Select) -> int:
    """A pending copy of the broadcast for each of `people` (a query of `pseudonym`,
    `sealed_chat` and `locale`), in one statement; how many copies the broadcast has."""
    found = people.subquery()
    chosen = select(
        literal(broadcast),
        found.c.pseudonym,
        found.c.sealed_chat,
        found.c.locale,
        literal(PENDING),
    )
    columns = ["broadcast_id", "pseudonym", "sealed_chat", "locale", "status"]
    session.execute(RecipientRow.__table__.insert().from_select(columns, chosen))
    return int(
        session.execute(
            select(func.count()).where(RecipientRow.broadcast_id == broadcast)
        ).scalar_one()
    )


def settle_in_flight(session: Session, broadcast: int) -> int:
    """Rows left "sending" by a process that died: unknown, never sent again."""
    result = session.execute(
        update(RecipientRow)
        .where(RecipientRow.broadcast_id == broadcast, RecipientRow.status == SENDING)
        .values(status=UNKNOWN)
    )
    return int(result.rowcount or 0)


def take(session: Session, broadcast: int, count: int) -> list[Recipient]:
    """The next pending recipients, marked "sending" (commit before sending)."""
    rows = session.execute(
        select(
            RecipientRow.id, RecipientRow.pseudonym, RecipientRow.sealed_chat, RecipientRow.locale
        )
        .where(RecipientRow.broadcast_id == broadcast, RecipientRow.status == PENDING)
        .order_by(RecipientRow.id)
        .limit(count)
    ).all()
    taken = [Recipient(int(r[0]), r[1], r[2], r[3]) for r in rows]
    if taken:
        session.execute(
            update(RecipientRow)
            .where(RecipientRow.id.in_([r.row for r in taken]), RecipientRow.status == PENDING)
            .values(status=SENDING)
        )
    return taken


def record(session: Session, outcomes: Iterable[tuple[int, str]]) -> None:
    """Write what became of each row sent (or put back to pending: not sent)."""
    by_status: dict[str, list[int]] = {}
    for row, status in outcomes:
        by_status.setdefault(status, []).append(row)
    for status, rows in by_status.items():
        session.execute(
            update(RecipientRow)
            .where(RecipientRow.id.in_(rows), RecipientRow.status == SENDING)
            .values(status=status)
        )


def tally(session: Session, broadcast: int) -> dict[str, int]:
    """Recipients per status."""
    rows = session.execute(
        select(RecipientRow.status, func.count())
        .where(RecipientRow.broadcast_id == broadcast)
        .group_by(RecipientRow.status)
    )
    return {str(status): int(n) for status, n in rows}


def stop_pending(session: Session, pseudonym: str) -> None:
    """An opt-out: the person's copies not sent yet are not sent."""
    session.execute(
        update(RecipientRow)
        .where(RecipientRow.pseudonym == pseudonym, RecipientRow.status == PENDING)
        .values(status=STOPPED)
    )


def forget(session: Session, pseudonym: str) -> int:
    """/forget: copies not sent go, sent ones stay as anonymous counts; how many rows."""
    pending = session.execute(
        delete(RecipientRow).where(
            RecipientRow.pseudonym == pseudonym, RecipientRow.status.in_([PENDING, SENDING])
        )
    )
    kept = (
        session.execute(select(RecipientRow.id).where(RecipientRow.pseudonym == pseudonym))
        .scalars()
        .all()
    )
    for row in kept:
        session.execute(
            update(RecipientRow)
            .where(RecipientRow.id == row)
            .values(pseudonym=f"gone-{secrets.token_hex(12)}", sealed_chat="")
        )
    return int(pending.rowcount or 0) + len(kept)

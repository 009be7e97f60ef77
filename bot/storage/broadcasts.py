"""Opt-in broadcasts: who asked for updates, and each broadcast with its sending lease.

Starting a broadcast snapshots the opted-in as one recipient row each; what becomes of
each copy (pending -> sending -> sent ..., at most once) is bot/storage/recipients.py.
The chat id is sealed (bot/core/identity.py) as the hand-off does; the person is a
pseudonym.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.identity import Sealer
from bot.storage import recipients
from bot.storage.consents import record_consent
from bot.storage.models import Base, User
from bot.storage.session import Clock, run_bounded

T = TypeVar("T")
UPDATES = "updates"  # the consent kind of opt-in updates (bot/campaign/optin.py)

RUNNING, DONE = "running", "done"


class SubscriberRow(Base):  # type: ignore[misc,valid-type]
    """A person who opted in to updates; deleted by /stop, a block, or /forget."""

    __tablename__ = "campaign_subscriber"

    pseudonym = Column(String(64), primary_key=True)
    sealed_chat = Column(String(256), nullable=False)
    since: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


class BroadcastRow(Base):  # type: ignore[misc,valid-type]
    """One broadcast: which message, its state, and the staff message showing progress."""

    __tablename__ = "campaign_broadcast"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(64), nullable=False)  # locales/broadcasts.yml
    status = Column(String(12), nullable=False)
    total = Column(Integer, nullable=False, default=0)
    created_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)
    finished_at: Column[datetime | None] = Column(DateTime(timezone=True), nullable=True)
    # the staff message that shows progress: a sealed chat id and a message id
    progress_chat = Column(String(256), nullable=True)
    progress_message = Column(BigInteger, nullable=True)
    # one sending process at a time: it renews its lease while it works
    owner = Column(String(32), nullable=True)
    lease_until: Column[datetime | None] = Column(DateTime(timezone=True), nullable=True)


def subscribe(session: Session, pseudonym: str, sealed_chat: str, now: datetime) -> None:
    """Opt in (again): the chat to write to is replaced by the newest one."""
    found = session.get(SubscriberRow, pseudonym)
    if found is None:
        session.add(SubscriberRow(pseudonym=pseudonym, sealed_chat=sealed_chat, since=now))
    else:
        found.sealed_chat = sealed_chat


def unsubscribe(session: Session, pseudonym: str) -> bool:
    """Opt out: no further broadcast, including copies still pending; True if subscribed."""
    gone = session.execute(delete(SubscriberRow).where(SubscriberRow.pseudonym == pseudonym))
    recipients.stop_pending(session, pseudonym)
    return bool(gone.rowcount)


def is_subscribed(session: Session, pseudonym: str) -> bool:
    """Whether the person gets updates."""
    return session.get(SubscriberRow, pseudonym) is not None


def audience(session: Session) -> dict[str, int]:
    """Subscribers per language (their user row's; English when unknown)."""
    locale = func.coalesce(User.locale, "en")
    rows = session.execute(
        select(locale, func.count())
        .select_from(SubscriberRow)
        .outerjoin(User, User.pseudonym == SubscriberRow.pseudonym)
        .group_by(locale)
    )
    return {str(lang): int(n) for lang, n in rows}


def start(session: Session, key: str, now: datetime, progress: tuple[str, int] | None) -> int:
    """A new broadcast with one pending row per subscriber, snapshotted now; its id."""
    row = BroadcastRow(key=key, status=RUNNING, created_at=now)
    if progress is not None:
        row.progress_chat, row.progress_message = progress
    session.add(row)
    session.flush()
    people = select(
        SubscriberRow.pseudonym,
        SubscriberRow.sealed_chat,
        func.coalesce(User.locale, "en").label("locale"),
    ).outerjoin(User, User.pseudonym == SubscriberRow.pseudonym)
    row.total = recipients.enrol(session, int(row.id), people)
    return int(row.id)


def set_progress_message(session: Session, broadcast: int, chat: str, message: int) -> None:
    """Remember which staff message shows the progress."""
    session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast)
        .values(progress_chat=chat, progress_message=message)
    )


def running(session: Session) -> list[int]:
    """Broadcasts not finished yet (to resume after a restart)."""
    query = select(BroadcastRow.id).where(BroadcastRow.status == RUNNING).order_by(BroadcastRow.id)
    return [int(i) for i in session.execute(query).scalars()]


def get(session: Session, broadcast: int) -> BroadcastRow | None:
    """One broadcast."""
    found: BroadcastRow | None = session.get(BroadcastRow, broadcast)
    return found


def lease(session: Session, broadcast: int, owner: str, now: datetime, hold: timedelta) -> bool:
    """Take or renew the right to send this broadcast; False while another process has it."""
    result = session.execute(
        update(BroadcastRow)
        .where(
            BroadcastRow.id == broadcast,
            BroadcastRow.status == RUNNING,
            (BroadcastRow.owner == owner)
            | BroadcastRow.owner.is_(None)
            | (BroadcastRow.lease_until < now),
        )
        .values(owner=owner, lease_until=now + hold)
    )
    return bool(result.rowcount)


def release(session: Session, broadcast: int, owner: str) -> None:
    """A process that stops cleanly hands the broadcast on at once."""
    session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast, BroadcastRow.owner == owner)
        .values(owner=None, lease_until=None)
    )


def finish(session: Session, broadcast: int, now: datetime) -> None:
    """Nothing pending any more."""
    session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast)
        .values(status=DONE, finished_at=now, owner=None, lease_until=None)
    )


def forget(session: Session, pseudonym: str) -> int:
    """/forget: the opt-in goes, pending copies go, sent ones stay as anonymous counts."""
    gone = session.execute(delete(SubscriberRow).where(SubscriberRow.pseudonym == pseudonym))
    return int(gone.rowcount or 0) + recipients.forget(session, pseudonym)


class SqlOptInStore:
    """OptInStore and the sender's queries on SQLAlchemy, each call bounded in time."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sealer: Sealer,
        timeout: float = 5.0,
        *,
        clock: Clock,
    ) -> None:
        self.sessions = sessions
        self._sealer = sealer
        self._timeout = timeout
        self.clock = clock  # the bot's one clock (bot/core/clock.py), injected

    async def run(self, work: Callable[[Session], T], write: bool = True) -> T:
        """A bounded call; StorageUnavailable when the database cannot answer."""
        return await run_bounded(self.sessions, work, write, self._timeout)

    async def opt_in(self, pseudonym: str, chat_id: int, version: str, locale: str) -> None:
        """Keep the opt-in and its consent event in one transaction."""
        now = self.clock()
        sealed = self._sealer.seal(chat_id)

        def work(session: Session) -> None:
            subscribe(session, pseudonym, sealed, now)
            record_consent(session, pseudonym, UPDATES, True, version, locale, now)

        await self.run(work)

    async def opt_out(self, pseudonym: str, version: str, locale: str) -> bool:
        """Drop the opt-in and pending copies; the withdrawal is a consent event."""
        now = self.clock()

        def work(session: Session) -> bool:
            was = unsubscribe(session, pseudonym)
            if was:
                record_consent(session, pseudonym, UPDATES, False, version, locale, now)
            return was

        return await self.run(work)

    async def count_audience(self) -> dict[str, int]:
        """Who would get a broadcast now: subscribers per language."""
        return await self.run(audience, write=False)

    async def begin(self, key: str, progress_chat: int, progress_message: int) -> int:
        """A new broadcast to everyone subscribed now; staff's message shows its progress."""
        now, chat = self.clock(), self.seal(progress_chat)
        return await self.run(lambda s: start(s, key, now, (chat, progress_message)))

    async def progress_of(self, broadcast: int) -> tuple[int, int | None] | None:
        """Where a broadcast's progress is shown: (chat, message or None), or None."""
        row = await self.run(lambda s: get(s, broadcast), write=False)
        if row is None or not row.progress_chat:
            return None
        message = int(row.progress_message) if row.progress_message else None
        return self.chat(str(row.progress_chat)), message

    async def note_progress_message(self, broadcast: int, chat_id: int, message: int) -> None:
        """The message that shows a broadcast's progress from now on."""
        chat = self.seal(chat_id)
        await self.run(lambda s: set_progress_message(s, broadcast, chat, message))

    def seal(self, chat_id: int) -> str:
        """A chat id as stored (the hand-off's sealer, so SEAL_KEYS rotation applies)."""
        return self._sealer.seal(chat_id)

    def chat(self, sealed: str) -> int:
        """The chat id of a recipient row (ValueError if no live key opens it)."""
        return self._sealer.unseal(sealed)


def record_blocked(
    session: Session, pseudonyms: Iterable[str], version: str, now: datetime
) -> None:
    """People who blocked the bot: their opt-in goes, and the withdrawal is recorded."""
    for pseudonym in pseudonyms:
        locale = (
            session.execute(select(User.locale).where(User.pseudonym == pseudonym)).scalar()
            or "en"
        )
        if unsubscribe(session, pseudonym):
            record_consent(session, pseudonym, UPDATES, False, version, locale, now)

"""Users' languages and routing profiles: sync queries, and an async store that never lets a
dead DB stop a reply."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.types import Locale, Profile, as_locale, as_where
from bot.storage.models import User
from bot.storage.session import Clock, StorageUnavailable, run_bounded

T = TypeVar("T")


def get_locale(session: Session, pseudonym: str) -> Locale | None:
    """The stored locale of one user."""
    stored = session.execute(select(User.locale).where(User.pseudonym == pseudonym)).scalar()
    return as_locale(stored)


def remember(session: Session, pseudonym: str, locale: Locale, now: datetime) -> None:
    """Insert or update one user's locale and last-seen time (caller commits)."""
    user = session.get(User, pseudonym)
    if user is None:
        session.add(User(pseudonym=pseudonym, locale=locale, first_seen=now, last_seen=now))
    else:
        user.locale = locale
        user.last_seen = now


def get_profile(session: Session, pseudonym: str) -> Profile | None:
    """Where the user said they are and whether they are under 18; None for no such user."""
    row = session.execute(
        select(User.location, User.under_18).where(User.pseudonym == pseudonym)
    ).first()
    if row is None:
        return None
    return Profile(where=as_where(row.location), child=row.under_18)


def remember_profile(session: Session, pseudonym: str, profile: Profile) -> None:
    """Update one user's profile (caller commits); no row yet means nothing to update."""
    user = session.get(User, pseudonym)
    if user is not None:
        user.location = profile.where
        user.under_18 = profile.child


def get_tier(session: Session, pseudonym: str) -> str | None:
    """The stored conversation tier record (JSON), if any."""
    found = session.execute(
        select(User.conversation_tier).where(User.pseudonym == pseudonym)
    ).scalar()
    return None if found is None else str(found)


def remember_tier(session: Session, pseudonym: str, record: str, now: datetime) -> None:
    """Store one user's conversation tier record (no row yet: nothing to update)."""
    user = session.get(User, pseudonym)
    if user is not None:
        user.conversation_tier = record
        user.tier_at = now


class SqlUserStore:
    """UserStore on SQLAlchemy; each call is bounded in time and failures only log."""

    def __init__(
        self, sessions: sessionmaker[Session], timeout: float = 3.0, *, clock: Clock
    ) -> None:
        self._sessions = sessions
        self._timeout = timeout
        self._clock = clock

    async def get_locale(self, user: str) -> Locale | None:
        """The stored locale, or None when unknown or the database is unreachable."""
        return await self._read(lambda session: get_locale(session, user))

    async def remember(self, user: str, locale: Locale) -> None:
        """Store the locale; on failure the in-memory copy in the router still serves."""
        now = self._clock()
        await self._write(lambda session: remember(session, user, locale, now))

    async def get_profile(self, user: str) -> Profile | None:
        """The stored profile, or None when unknown or the database is unreachable."""
        return await self._read(lambda session: get_profile(session, user))

    async def remember_profile(self, user: str, profile: Profile) -> None:
        """Store the profile; on failure the router's in-memory copy still serves."""
        await self._write(lambda session: remember_profile(session, user, profile))

    async def get_tier(self, user: str) -> str | None:
        """The stored conversation tier record, or None when unknown or unreachable."""
        return await self._read(lambda session: get_tier(session, user))

    async def remember_tier(self, user: str, record: str) -> None:
        """Store the conversation tier record; a failure only loses this write."""
        now = self._clock()
        await self._write(lambda session: remember_tier(session, user, record, now))

    async def _read(self, work: Callable[[Session], T]) -> T | None:
        try:
            return await run_bounded(self._sessions, work, write=False, timeout=self._timeout)
        except StorageUnavailable:
            return None

    async def _write(self, work: Callable[[Session], None]) -> None:
        with contextlib.suppress(StorageUnavailable):
            await run_bounded(self._sessions, work, write=True, timeout=self._timeout)

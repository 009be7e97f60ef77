"""Users' languages: sync queries, and an async store that never lets a dead DB stop a reply."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.types import Locale, as_locale
from bot.storage.models import User

log = logging.getLogger(__name__)


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


class SqlUserStore:
    """UserStore on SQLAlchemy; each call is bounded in time and failures only log."""

    def __init__(self, sessions: sessionmaker[Session], timeout: float = 3.0) -> None:
        self._sessions = sessions
        self._timeout = timeout

    async def get_locale(self, user: str) -> Locale | None:
        """The stored locale, or None when unknown or the database is unreachable."""

        def run() -> Locale | None:
            with self._sessions() as session:
                return get_locale(session, user)

        try:
            return await asyncio.wait_for(asyncio.to_thread(run), self._timeout)
        except (SQLAlchemyError, OSError, asyncio.TimeoutError) as error:
            log.warning("database unavailable (read): %s", type(error).__name__)
            return None

    async def remember(self, user: str, locale: Locale) -> None:
        """Store the locale; on failure the in-memory copy in the router still serves."""

        def run() -> None:
            with self._sessions() as session, session.begin():
                remember(session, user, locale, datetime.now(timezone.utc))

        try:
            await asyncio.wait_for(asyncio.to_thread(run), self._timeout)
        except (SQLAlchemyError, OSError, asyncio.TimeoutError) as error:
            log.warning("database unavailable (write): %s", type(error).__name__)

"""Quiz answers and tips views: an async store that never lets a dead DB stop a reply,
and the staff figure (share of right answers before vs after the tips)."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Integer, cast, delete, distinct, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.learning import QuizAnswer, QuizCell
from bot.storage.models import QuizAnswer as AnswerRow
from bot.storage.models import TipsSeen
from bot.storage.session import Clock, StorageUnavailable, run_bounded

log = logging.getLogger(__name__)
T = TypeVar("T")


class SqlQuizStore:
    """QuizStore on SQLAlchemy; each call is bounded in time and failures only log."""

    def __init__(
        self, sessions: sessionmaker[Session], timeout: float = 3.0, *, clock: Clock
    ) -> None:
        self._sessions = sessions
        self._timeout = timeout
        self._clock = clock

    async def _run(self, work: Callable[[Session], T], failed: T) -> T:
        """`work` in a bounded transaction; `failed` when the database cannot answer."""
        try:
            return await run_bounded(self._sessions, work, write=True, timeout=self._timeout)
        except StorageUnavailable:
            return failed

    async def tips_seen(self, user: str, sector: str) -> bool:
        """Whether the user opened the sector's tips; False when the DB cannot say."""
        return await self._run(lambda s: s.get(TipsSeen, (user, sector)) is not None, False)

    async def mark_tips_seen(self, user: str, sector: str) -> None:
        """Keep the first time the user opened the sector's tips."""

        def mark(session: Session) -> None:
            if session.get(TipsSeen, (user, sector)) is None:
                now = self._clock()
                session.add(TipsSeen(pseudonym=user, sector=sector, first_seen=now))

        # the same user opening the same tips twice at once: one row is right
        with contextlib.suppress(IntegrityError):
            await self._run(mark, None)

    async def record(self, answer: QuizAnswer) -> bool:
        """Store a first answer; False when it was already stored (it counts once)."""
        row = AnswerRow(
            pseudonym=answer.user,
            sector=answer.sector,
            question=answer.question,
            correct=answer.correct,
            phase=answer.phase,
            version=answer.version,
            locale=answer.locale,
            answered_at=self._clock(),
        )

        def add(session: Session) -> bool:
            session.add(row)
            return True

        try:
            return await self._run(add, True)  # a dead DB: the answer is lost, the chat goes on
        except IntegrityError:
            return False

    async def report(self) -> list[QuizCell]:
        """The figures behind the staff report (empty when the DB is unreachable)."""
        return await self._run(cells, [])


def forget(session: Session, pseudonym: str) -> int:
    """/forget: unlink one user's quiz answers, delete their tips views; rows touched.

    The answers stay for the before/after figures, but under a random one-off key that
    nothing else holds, so they no longer belong to anyone.
    """
    unlinked = session.execute(
        update(AnswerRow)
        .where(AnswerRow.pseudonym == pseudonym)
        .values(pseudonym=f"forgotten-{secrets.token_hex(12)}")
    )
    views = session.execute(delete(TipsSeen).where(TipsSeen.pseudonym == pseudonym))
    return int(unlinked.rowcount or 0) + int(views.rowcount or 0)


def cells(session: Session) -> list[QuizCell]:
    """Counts only, grouped: no row here can be traced back to one person's answers."""
    group = (AnswerRow.version, AnswerRow.sector, AnswerRow.locale, AnswerRow.phase)
    query = (
        select(
            *group,
            func.count(),
            func.sum(cast(AnswerRow.correct, Integer)),
            func.count(distinct(AnswerRow.pseudonym)),
        )
        .group_by(*group)
        .order_by(*group)
    )
    return [
        QuizCell(int(v), str(s), str(lc), str(p), int(n), int(r or 0), int(people))
        for v, s, lc, p, n, r, people in session.execute(query)
    ]

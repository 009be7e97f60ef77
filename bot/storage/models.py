"""Tables. Telegram ids never appear here: users are keyed by a keyed-hash pseudonym."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import declarative_base

# names every constraint the same way on SQLite and PostgreSQL, so migrations match.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Base = declarative_base(metadata=metadata)


class User(Base):  # type: ignore[misc,valid-type]
    """One person who wrote to the bot, known only by pseudonym."""

    __tablename__ = "user"

    pseudonym = Column(String(64), primary_key=True)
    locale = Column(String(8), nullable=False)
    first_seen: Column[datetime] = Column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    last_seen: Column[datetime] = Column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class QuizAnswer(Base):  # type: ignore[misc,valid-type]
    """One first answer to a quiz question (issue #4): no free text, pseudonym only.

    The unique constraint makes the same question in the same phase and version count
    once per user, however often it is answered.
    """

    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("pseudonym", "sector", "question", "phase", "version"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    pseudonym = Column(String(64), nullable=False)
    sector = Column(String(16), nullable=False)
    question = Column(String(16), nullable=False)
    correct = Column(Boolean, nullable=False)
    phase = Column(String(8), nullable=False)  # "before" or "after" the sector's tips
    version = Column(Integer, nullable=False)  # locales/quiz.yml version
    locale = Column(String(8), nullable=False)
    answered_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


class TipsSeen(Base):  # type: ignore[misc,valid-type]
    """That a user opened a sector's tips, and when first: decides the quiz phase."""

    __tablename__ = "tips_seen"

    pseudonym = Column(String(64), primary_key=True)
    sector = Column(String(16), primary_key=True)
    first_seen: Column[datetime] = Column(DateTime(timezone=True), nullable=False)

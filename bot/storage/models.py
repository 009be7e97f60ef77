"""Tables. Telegram ids never appear here: users are keyed by a keyed-hash pseudonym."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Text,
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
    # routing (issue #5): only what the user told us; None until they do
    location = Column(String(8), nullable=True)  # TH, MM, KH, LA or other
    under_18 = Column(Boolean, nullable=True)
    # campaign (issue #14): the source of the first arrival, so it counts once; None = not yet
    source = Column(String(64), nullable=True)
    # the conversation's urgency tier (bot/core/tierbook.py): JSON of names, never words;
    # tier_at lets the retention job clear it with the rest of what ages out
    conversation_tier = Column(Text, nullable=True)
    tier_at: Column[datetime] = Column(DateTime(timezone=True), nullable=True)


class ConsentEvent(Base):  # type: ignore[misc,valid-type]
    """One choice a user made about their data: given or withdrawn, against which notice."""

    __tablename__ = "consent_event"

    id = Column(Integer, primary_key=True, autoincrement=True)
    pseudonym = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # "store" here; "human"/"referral" by the handoff
    granted = Column(Boolean, nullable=False)
    notice_version = Column(String(32), nullable=False)
    locale = Column(String(8), nullable=False)
    at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


class StoredText(Base):  # type: ignore[misc,valid-type]
    """What a user wrote (and which message the bot answered with), kept only with consent.

    Purged after the retention period and by /forget.
    """

    __tablename__ = "stored_text"

    id = Column(Integer, primary_key=True, autoincrement=True)
    pseudonym = Column(String(64), nullable=False, index=True)
    role = Column(String(8), nullable=False)  # "user" or "bot" (a bot line is a catalog msgid)
    text = Column(Text, nullable=False)
    at: Column[datetime] = Column(DateTime(timezone=True), nullable=False, index=True)


class RecentMessage(Base):  # type: ignore[misc,valid-type]
    """A chat message id kept for 48 hours so that /hide can delete it; never any text."""

    __tablename__ = "recent_message"

    pseudonym = Column(String(64), primary_key=True)
    message_id = Column(BigInteger, primary_key=True, autoincrement=False)
    at: Column[datetime] = Column(DateTime(timezone=True), nullable=False, index=True)


class TrackerEvent(Base):  # type: ignore[misc,valid-type]
    """Rasa's SQL tracker store table ("events"), declared here so that migrations own it
    and /forget and the retention job can erase from it. Rasa writes it; its sender_id is
    our pseudonym and bot.engine.tracker_store strips what the user wrote before saving.
    """

    __tablename__ = "events"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    type_name = Column(String(255), nullable=False)
    timestamp = Column(Float)
    intent_name = Column(String(255))
    action_name = Column(String(255))
    data = Column(Text)


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

"""Tables. Telegram ids never appear here: users are keyed by a keyed-hash pseudonym."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, MetaData, String, func
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


# the hand-off tables (bot/storage/handoff.py) join this metadata whenever the models are
# loaded, so migrations and the schema check always see every table.
from bot.storage import handoff as _handoff  # noqa: E402,F401

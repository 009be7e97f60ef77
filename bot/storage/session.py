"""Engine and migrations; nothing here runs at import time."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def new_engine(url: str) -> Engine:
    """An engine for url; SQLite's folder is created, and waits are bounded."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return create_engine(url, future=True, connect_args={"timeout": 5})
    return create_engine(
        url, future=True, pool_pre_ping=True, pool_timeout=5, connect_args={"connect_timeout": 5}
    )


def new_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Short-lived sessions; objects stay readable after commit."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (alembic upgrade head)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

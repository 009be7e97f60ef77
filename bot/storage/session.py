"""Engine and migrations; nothing here runs at import time."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

# the time storage stamps rows with: bot/core/clock.py now, injected (storage may not
# import the core), so every part of the bot reads one clock
Clock = Callable[[], datetime]
log = logging.getLogger(__name__)
T = TypeVar("T")
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def new_engine(url: str) -> Engine:
    """An engine for url; SQLite's folder is created, and waits are bounded.

    SQLite is shared by the bot's stores, its journal thread and the engine's tracker store,
    two processes writing all the time on a busy day. SQLAlchemy 1.4 opens a new connection
    per session for a SQLite file and SQLite defaults to a rollback journal, where a commit
    syncs the disk several times and a writer shuts every reader out: writers then queue on
    the file lock behind each other. Here connections are pooled (as SQLAlchemy 2 does), and
    the file is in WAL mode: readers never wait for a writer, and with synchronous=NORMAL a
    commit appends to the log without a sync. A process that dies loses nothing it committed;
    a power cut may lose the last commits (the journal's rule for PostgreSQL, see
    bot/storage/journal_writer.py). WAL needs the processes on one machine, as `make run`
    and `make run-scaled` have them; PostgreSQL is the database for more than one."""
    if url.startswith("sqlite:///"):
        private_file(Path(url.removeprefix("sqlite:///")))
        engine = create_engine(
            url,
            future=True,
            poolclass=QueuePool,
            pool_timeout=5,
            connect_args={"timeout": 5, "check_same_thread": False},
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(
        url, future=True, pool_pre_ping=True, pool_timeout=5, connect_args={"connect_timeout": 5}
    )


def private_file(path: Path) -> None:
    """The SQLite file (pseudonymous rows, sealed chat ids, consented words) is readable by
    its owner only, 0600, created so before anything is written; SQLite gives its journal
    the same mode. A new folder for it is 0700."""
    if str(path) in ("", ":memory:"):
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)


def _configure_sqlite(connection: Any, _record: Any) -> None:
    """Each new SQLite connection: WAL, no sync per commit (see new_engine), and
    secure_delete: SQLite keeps deleted rows in free pages, secure_delete overwrites them
    with zeros, so what /forget and the retention job erase cannot be read back from the
    file (the log's copies go at the checkpoint after an erasure: see run_bounded)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _checkpoint(sessions: sessionmaker[Session]) -> None:
    """SQLite in WAL mode: copy the log into the file and empty it, so that the pages an
    erasure overwrote with zeros replace the old ones in the file, and the log keeps no
    earlier copy of them. It waits (up to the connection's timeout) for readers of older
    pages; one still reading then only delays the erasure to the next checkpoint."""
    bind = sessions.kw["bind"]  # the engine new_sessionmaker was given; no session needed
    if bind.dialect.name != "sqlite":
        return
    with bind.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
    if busy:
        log.warning("erasure: the SQLite log is still read; it is emptied at the next erasure")


async def _checkpoint_after_erasure(sessions: sessionmaker[Session]) -> None:
    """Outside the caller's time budget: the erasure has committed by now, so a slow or
    failing checkpoint must not turn it into a reported failure; it is only logged."""
    try:
        await asyncio.to_thread(_checkpoint, sessions)
    except (SQLAlchemyError, OSError) as error:
        log.warning("erasure: the SQLite log was not emptied (%s)", type(error).__name__)


def new_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Short-lived sessions; objects stay readable after commit."""
    return sessionmaker(engine, future=True, expire_on_commit=False)


class StorageUnavailable(Exception):
    """The database did not answer in time; the caller falls back or tells the user."""


async def run_bounded(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    write: bool,
    timeout: float,
    *,
    erasing: bool = False,
) -> T:
    """Run `work` in a session on a worker thread (in a transaction when writing), within
    `timeout` seconds: a slow or dead database never holds up a reply for longer. An
    erasure (`erasing`) is checkpointed once committed, after the budget, so no copy of it
    stays on disk."""

    def run() -> T:
        with sessions() as session:
            if not write:
                return work(session)
            with session.begin():
                return work(session)

    try:
        result = await asyncio.wait_for(asyncio.to_thread(run), timeout)
    except IntegrityError:
        raise  # a constraint said no: the database answered, the caller decides
    except (SQLAlchemyError, OSError, asyncio.TimeoutError) as error:
        log.warning(
            "database unavailable (%s): %s", "write" if write else "read", type(error).__name__
        )
        raise StorageUnavailable from error
    if erasing:
        await _checkpoint_after_erasure(sessions)
    return result


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (alembic upgrade head)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

"""Keys at rest (issue #13.7): the SQLite file is its owner's only, a rotation of the
sealing key re-seals open cases, and closed cases keep no way back to their person."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.core.clock import now
from bot.core.identity import Keys
from bot.storage.handoff import CLAIMED, HandoffStore
from bot.storage.session import migrate, new_engine, new_sessionmaker
from tests.storage.test_handoff import case_values

OLD = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210"
NEW = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100"


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)  # the usual umask would make it world-readable
    try:
        path = tmp_path / "new" / "bot.sqlite3"
        engine = new_engine(f"sqlite:///{path}")
        migrate(engine)
        engine.dispose()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        path.chmod(0o644)  # an existing file from before is tightened at the next start
        new_engine(f"sqlite:///{path}").dispose()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(previous)


async def test_a_rotation_reseals_open_cases_and_closed_ones_lose_the_chat(
    engine: Engine,
) -> None:
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    before = Keys.from_secrets(OLD.encode())
    values = case_values()
    values["sealed_chat"] = before.sealer.seal(111)
    open_case = await store.open_case(**values)
    await store.change(open_case.id, {}, {"state": CLAIMED})
    closed_values = case_values(user="pseudo-2")
    closed_values["sealed_chat"] = before.sealer.seal(222)
    closed = await store.open_case(**closed_values)
    await store.change(closed.id, {}, {"state": "closed"})

    after = Keys.from_secrets(OLD.encode(), [NEW.encode()])
    assert await store.reseal(lambda t: t if after.sealer.is_newest(t) else after.sealer.reseal(t))
    moved = await store.get(open_case.id)
    assert moved is not None and after.sealer.is_newest(moved.sealed_chat)
    assert after.sealer.unseal(moved.sealed_chat) == 111
    # the new secret alone opens it now
    assert Keys.from_secrets(NEW.encode()).sealer.unseal(moved.sealed_chat) == 111
    gone = await store.get(closed.id)
    assert gone is not None and gone.sealed_chat == ""
    assert await store.reseal(lambda t: t) == 0  # nothing left to move

"""Storage tests run on SQLite always and on PostgreSQL when TEST_POSTGRES_URL is set.

CI (.ci/run) starts a real PostgreSQL and sets it; there, a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.storage.session import migrate, new_engine


def _postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip("TEST_POSTGRES_URL not set (CI sets it)")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        url = _postgres_url()
    eng = new_engine(url)
    if request.param == "postgres":
        with eng.begin() as conn:
            conn.execute(
                text(
                    "DROP TABLE IF EXISTS handoff_relayed, handoff_event, handoff_case, "
                    '"user", alembic_version'
                )
            )
    migrate(eng)
    yield eng
    eng.dispose()

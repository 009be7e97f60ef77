"""Arrivals mark the person's row, which only the user store writes: a /start counted
before the row exists waits for it, and one of a person who used /forget never brings
their row back. Through the Tally and the SQL store, as the bot counts."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.campaign.tally import ARRIVAL, ARRIVAL_WRITES, Tally
from bot.storage import campaign, privacy, users
from bot.storage.models import User
from bot.storage.session import new_sessionmaker
from tests.storage.sources import POSTER

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def arrivals_counted(engine: Engine) -> Counter[tuple[str, str]]:
    """(source, locale) -> arrivals in the counters."""
    with new_sessionmaker(engine)() as session:
        rows = session.execute(
            select(campaign.TallyRow).where(campaign.TallyRow.step == ARRIVAL)
        ).scalars()
        return Counter({(r.source, r.locale): r.n for r in rows})


def row_of(engine: Engine, pseudonym: str) -> User | None:
    with new_sessionmaker(engine)() as session:
        found: User | None = session.get(User, pseudonym)
        return found


def test_an_arrival_waits_for_the_persons_row_and_never_writes_it(engine: Engine) -> None:
    sessions = new_sessionmaker(engine)
    with sessions.begin() as session:
        campaign.save_source(session, POSTER, NOW)
    tally = Tally(campaign.SqlTallyStore(sessions))
    tally.arrived("new", "poster-01", "my")  # /start: the reply goes out before the row
    asyncio.run(tally.flush())
    assert row_of(engine, "new") is None
    assert arrivals_counted(engine) == Counter()
    with sessions.begin() as session:  # the user store writes the row after the reply
        users.remember(session, "new", "my", NOW)
    asyncio.run(tally.flush())
    found = row_of(engine, "new")
    assert found is not None and found.source == "poster-01"
    assert arrivals_counted(engine) == Counter({("poster-01", "my"): 1})


def test_forget_then_a_pending_arrival_never_recreates_the_person(engine: Engine) -> None:
    sessions = new_sessionmaker(engine)
    with sessions.begin() as session:
        campaign.save_source(session, POSTER, NOW)
        users.remember(session, "gone", "km", NOW)
    tally = Tally(campaign.SqlTallyStore(sessions))
    tally.arrived("gone", "poster-01", "km")  # /start, then /forget before the next write
    with sessions.begin() as session:
        privacy.forget(session, "gone")
    for _ in range(ARRIVAL_WRITES + 1):
        asyncio.run(tally.flush())
        assert row_of(engine, "gone") is None
    assert arrivals_counted(engine) == Counter()
    with sessions.begin() as session:  # back much later: a new person, counted at /start
        users.remember(session, "gone", "km", NOW)
    asyncio.run(tally.flush())
    found = row_of(engine, "gone")
    assert found is not None and found.source is None
    assert arrivals_counted(engine) == Counter()


def test_a_repeat_scan_in_the_same_write_counts_once(engine: Engine) -> None:
    sessions = new_sessionmaker(engine)
    with sessions.begin() as session:
        users.remember(session, "twice", "th", NOW)
    tally = Tally(campaign.SqlTallyStore(sessions))
    tally.arrived("twice", "", "th")
    tally.arrived("twice", "forged", "th")
    asyncio.run(tally.flush())
    assert arrivals_counted(engine) == Counter({("direct", "th"): 1})
    assert (found := row_of(engine, "twice")) is not None and found.source == "direct"
    asyncio.run(tally.flush())
    assert arrivals_counted(engine) == Counter({("direct", "th"): 1})

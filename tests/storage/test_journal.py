"""The update journal on SQLite and PostgreSQL: what a restarted bot takes over, and what
it forgets once an update is answered."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.storage import journal, journal_writer
from bot.storage.journal_writer import LEASE, JournalWriter
from bot.storage.session import new_sessionmaker

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def write(engine: Engine, work: object) -> object:
    with new_sessionmaker(engine)() as session, session.begin():
        return work(session)  # type: ignore[operator]


def test_an_unanswered_update_is_taken_over_with_what_was_sent(engine: Engine) -> None:
    write(engine, lambda s: journal.append(s, [(10, "p10"), (11, "p11")], "a", NOW, LEASE))
    write(engine, lambda s: journal.note_sent(s, [(10, 0, "r0"), (10, 1, "r1")]))
    write(engine, lambda s: journal.finish(s, [11], NOW))
    later = NOW + timedelta(seconds=5)
    claimed = write(engine, lambda s: journal.claim(s, "a", later, LEASE, everyone=False))
    assert claimed == journal.Claimed([journal.Pending(10, "p10", {0: "r0", 1: "r1"})], 0)
    assert write(engine, lambda s: journal.answered_ids(s, timedelta(hours=1))) == {11}


def test_answering_erases_the_words_and_keeps_the_id(engine: Engine) -> None:
    write(engine, lambda s: journal.append(s, [(20, "secret words")], "a", NOW, LEASE))
    write(engine, lambda s: journal.note_sent(s, [(20, 0, "r0")]))
    write(engine, lambda s: journal.finish(s, [20], NOW))
    rows = write(engine, lambda s: s.execute(select(journal.JournalEntry.payload)).all())
    assert rows == [(None,)]
    assert write(engine, lambda s: s.execute(select(journal.JournalSend)).all()) == []


def test_a_redelivered_update_keeps_its_first_entry(engine: Engine) -> None:
    write(engine, lambda s: journal.append(s, [(30, "first")], "a", NOW, LEASE))
    write(engine, lambda s: journal.finish(s, [30], NOW))
    write(engine, lambda s: journal.append(s, [(30, "again")], "a", NOW, LEASE))
    claimed = write(engine, lambda s: journal.claim(s, "a", NOW, LEASE, everyone=True))
    assert claimed == journal.Claimed([], 0)


def test_another_workers_update_waits_for_its_lease(engine: Engine) -> None:
    write(engine, lambda s: journal.append(s, [(40, "p40")], "worker-1", NOW, LEASE))
    soon = NOW + LEASE / 2
    assert write(engine, lambda s: journal.claim(s, "worker-2", soon, LEASE, False)).pending == []
    late = NOW + LEASE * 2
    taken = write(engine, lambda s: journal.claim(s, "worker-2", late, LEASE, False))
    assert [p.update_id for p in taken.pending] == [40]
    # now worker-2 holds it: worker-1 coming back does not answer it a second time
    back = write(engine, lambda s: journal.claim(s, "worker-1", late, LEASE, False))
    assert back.pending == []


def test_too_old_or_too_often_replayed_updates_are_dropped(engine: Engine) -> None:
    write(engine, lambda s: journal.append(s, [(50, "old")], "a", NOW, LEASE))
    write(engine, lambda s: journal.append(s, [(51, "poison")], "a", NOW + journal.MAX_AGE, LEASE))
    then = NOW + journal.MAX_AGE + timedelta(minutes=1)
    for _ in range(journal.MAX_REPLAYS):
        claimed = write(engine, lambda s: journal.claim(s, "a", then, LEASE, everyone=True))
        assert [p.update_id for p in claimed.pending] == [51]
    claimed = write(engine, lambda s: journal.claim(s, "a", then, LEASE, everyone=True))
    assert claimed == journal.Claimed([], 1)  # 51 now; 50 went at the first claim
    assert write(engine, lambda s: journal.answered_ids(s, timedelta(hours=1))) == {50, 51}


def test_purge_forgets_old_answered_ids_only(engine: Engine) -> None:
    write(engine, lambda s: journal.append(s, [(60, "a"), (61, "b"), (62, "c")], "a", NOW, LEASE))
    write(engine, lambda s: journal.finish(s, [60], NOW))
    write(engine, lambda s: journal.finish(s, [61], NOW + timedelta(days=2)))
    assert write(engine, lambda s: journal.purge(s, NOW + timedelta(days=1))) == 1
    ids = write(engine, lambda s: set(s.execute(select(journal.JournalEntry.update_id)).scalars()))
    assert ids == {61, 62}


async def test_the_writer_commits_in_batches_and_confirms_each_update(engine: Engine) -> None:
    writer = JournalWriter(new_sessionmaker(engine), "bot", clock=lambda: NOW)
    task = asyncio.create_task(writer.run())
    try:
        stored = [writer.append(n, f"payload {n}") for n in range(100, 150)]
        writer.note_sent(100, 0, "result")
        await asyncio.wait_for(asyncio.gather(*[f for f in stored if f]), 10)
        writer.finish(101)
        assert await writer.flush(10)
        claimed = await writer.read(lambda s: journal.claim(s, "bot", NOW, LEASE, True), 10)
    finally:
        task.cancel()
        writer.close()
    assert [p.update_id for p in claimed.pending] == [100, *range(102, 150)]
    assert claimed.pending[0].sent == {0: "result"}


async def test_replies_wait_for_kept_results_only_while_the_database_keeps_up(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = JournalWriter(new_sessionmaker(engine), "bot", clock=lambda: NOW)
    monkeypatch.setattr(journal_writer, "KEEP_WAIT", 0.05)
    first = writer.note_sent(200, 0, "result")  # nothing commits: the writer is not running
    await writer.wait_kept(first)  # gives up after KEEP_WAIT...
    assert not first.done()
    monkeypatch.setattr(journal_writer, "KEEP_WAIT", 3600.0)
    second = writer.note_sent(200, 1, "result")
    await asyncio.wait_for(writer.wait_kept(second), 5)  # ...and then no longer waits
    task = asyncio.create_task(writer.run())
    try:
        await asyncio.wait_for(asyncio.gather(first, second), 10)  # a commit: caught up
        third = writer.note_sent(200, 2, "result")
        await asyncio.wait_for(writer.wait_kept(third), 10)
        assert third.done()  # waited for the commit again
    finally:
        task.cancel()
        writer.close()

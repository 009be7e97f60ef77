"""Broadcast rows: snapshot of the opted-in, at most once per person, resumable, erasable."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.storage import broadcasts as store
from bot.storage import recipients as copies
from bot.storage.models import ConsentEvent, User
from bot.storage.privacy import forget
from bot.storage.session import new_sessionmaker

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def crowd(engine: Engine, count: int) -> list[str]:
    people = [f"p{i:03d}" for i in range(count)]
    with new_sessionmaker(engine).begin() as session:
        for index, person in enumerate(people):
            session.add(
                User(
                    pseudonym=person, locale=("my", "km")[index % 2], first_seen=NOW, last_seen=NOW
                )
            )
            store.subscribe(session, person, f"sealed-{person}", NOW)
    return people


def test_a_broadcast_goes_once_to_each_and_resumes_after_a_crash(engine: Engine) -> None:
    people = crowd(engine, 10)
    sessions = new_sessionmaker(engine)
    with sessions.begin() as session:
        number = store.start(session, "documents_131", NOW, None)
        assert store.audience(session) == {"my": 5, "km": 5}
    with sessions.begin() as session:
        assert store.lease(session, number, "one", NOW, timedelta(seconds=15))
        assert not store.lease(session, number, "two", NOW, timedelta(seconds=15))
        first = copies.take(session, number, 4)
    with sessions.begin() as session:  # two sent, then the process dies mid-batch
        copies.record(session, [(first[0].row, copies.SENT), (first[1].row, copies.BLOCKED)])
    later = NOW + timedelta(seconds=16)
    with sessions.begin() as session:  # another process takes over after the lease
        assert store.lease(session, number, "two", later, timedelta(seconds=15))
        assert copies.settle_in_flight(session, number) == 2
        rest = copies.take(session, number, 100)
        copies.record(session, [(r.row, copies.SENT) for r in rest])
        copies.record(session, [(first[2].row, copies.SENT)])  # the dead one's late write
        assert copies.take(session, number, 100) == []
        store.finish(session, number, later)
        counts = copies.tally(session, number)
    assert counts == {"sent": 7, "blocked": 1, "unknown": 2}
    assert {r.pseudonym for r in first + rest} == set(people)
    with sessions() as session:
        assert store.running(session) == []


def test_stop_and_forget_leave_no_opt_in_and_no_pending_copy(engine: Engine) -> None:
    crowd(engine, 3)
    sessions = new_sessionmaker(engine)
    with sessions.begin() as session:
        number = store.start(session, "documents_131", NOW, None)
        assert store.unsubscribe(session, "p000")
        store.record_blocked(session, ["p001"], "v1", NOW)
        erased = forget(session, "p002")
    assert erased.updates == 2  # the opt-in and the pending copy
    with sessions() as session:
        assert not any(store.is_subscribed(session, p) for p in ("p000", "p001", "p002"))
        assert copies.tally(session, number) == {"stopped": 2}  # p002: erased
        withdrawn = (
            session.execute(select(ConsentEvent.pseudonym).where(ConsentEvent.granted.is_(False)))
            .scalars()
            .all()
        )
    assert withdrawn == ["p001"]


def test_the_scheduled_report_is_posted_once_per_period_from_the_next_one_on(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.campaign import service
    from bot.campaign.report import Report
    from bot.campaign.tally import Tally
    from bot.storage.campaign import SqlTallyStore

    sessions = new_sessionmaker(engine)
    posted: list[str] = []

    async def post(report: Report) -> None:
        posted.append(report.period.label)

    def at(day: str) -> None:
        moment = datetime.fromisoformat(f"{day}T09:00:00+07:00")
        monkeypatch.setattr(service.clock, "bangkok_now", lambda: moment)

    found = service.Campaign(sessions, Tally(SqlTallyStore(sessions)), tmp_path, schedule="daily")
    at("2026-12-02")
    assert not asyncio.run(found.post_due(post))  # a new installation: nothing old is posted
    at("2026-12-03")
    assert asyncio.run(found.post_due(post))
    assert not asyncio.run(found.post_due(post))  # a second process, or a second check
    assert posted == ["day 2026-12-02"]

"""Consents, kept texts, /hide's message ids, /forget and retention, on a real database."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.core.clock import now
from bot.storage.handoff import CaseRow, RelayedRow
from bot.storage.models import ConsentEvent, RecentMessage, StoredText, TrackerEvent, User
from bot.storage.privacy import SqlPrivacyStore
from bot.storage.session import StorageUnavailable, new_engine, new_sessionmaker
from bot.storage.users import SqlUserStore

START = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def count(engine: Engine, model: type, pseudonym: str | None = None) -> int:
    """Rows of a table, optionally of one user."""
    column = model.sender_id if model is TrackerEvent else model.pseudonym  # type: ignore[attr-defined]
    query = select(func.count()).select_from(model)
    if pseudonym:
        query = query.where(column == pseudonym)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar() or 0)


def add_engine_event(engine: Engine, sender: str, at: datetime) -> None:
    """What Rasa's tracker store writes for one turn (without the words)."""
    with new_sessionmaker(engine)() as session, session.begin():
        data = {"event": "user", "text": "", "timestamp": at.timestamp()}
        session.add(
            TrackerEvent(
                sender_id=sender, type_name="user", timestamp=at.timestamp(), data=json.dumps(data)
            )
        )


def add_case(engine: Engine, user: str) -> None:
    """A closed hand-off case of the user, with one relayed message."""
    with new_sessionmaker(engine)() as session, session.begin():
        case = CaseRow(
            user=user, sealed_chat="sealed", locale="km", tier=2, desk="main", desk_chat=-100,
            state="closed", created_at=START, announced_at=START,
        )  # fmt: skip
        session.add(case)
        session.flush()
        session.add(RelayedRow(key=f"k-{user}", case_id=case.id, at=START))


def count_relayed(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(RelayedRow)).scalar() or 0)


async def test_the_newest_choice_counts_and_every_choice_is_kept(engine: Engine) -> None:
    clock = Clock()
    store = SqlPrivacyStore(new_sessionmaker(engine), clock=clock)
    assert await store.consent("p1", "store") is None
    await store.record_consent("p1", "store", True, "v1", "my")
    clock.now += timedelta(minutes=1)
    await store.record_consent("p1", "store", False, "v1", "my")  # withdrawn
    assert await store.consent("p1", "store") is False
    assert await store.consent("p1", "human") is None
    assert count(engine, ConsentEvent, "p1") == 2


async def test_transcript_is_the_newest_lines_in_order(engine: Engine) -> None:
    clock = Clock()
    store = SqlPrivacyStore(new_sessionmaker(engine), clock=clock)
    for n in range(5):
        clock.now += timedelta(seconds=1)
        await store.store_texts("p1", [("user", f"line {n}"), ("bot", f"reply {n}")])
    assert await store.recent_texts("p1", limit=4) == [
        ("user", "line 3"),
        ("bot", "reply 3"),
        ("user", "line 4"),
        ("bot", "reply 4"),
    ]


async def test_text_no_database_can_hold_is_kept_readable(engine: Engine) -> None:
    """Lone surrogates (possible in Telegram's JSON) and NUL raised before (#13.9)."""
    store = SqlPrivacyStore(new_sessionmaker(engine), clock=now)
    odd = ["half \ud83d emoji", "\udfff", "nul\x00byte", "pair \ud83d\ude00 joined"]
    await store.store_texts("p-odd", [("user", text) for text in odd])
    kept = [text for _, text in await store.recent_texts("p-odd")]
    assert sorted(kept) == sorted(
        ["half \ufffd emoji", "\ufffd", "nul\ufffdbyte", "pair \U0001f600 joined"]
    )


async def test_hide_only_sees_message_ids_younger_than_48_hours(engine: Engine) -> None:
    clock = Clock()
    store = SqlPrivacyStore(new_sessionmaker(engine), clock=clock)
    await store.remember_message_ids("p1", [10, 11])
    clock.now += timedelta(hours=47)
    await store.remember_message_ids("p1", [12, 12, 11])  # duplicates are ignored
    assert await store.deletable_message_ids("p1") == [10, 11, 12]
    clock.now += timedelta(hours=2)
    assert await store.deletable_message_ids("p1") == [12]
    assert await store.deletable_message_ids("p2") == []


async def test_forget_erases_everything_of_one_user_and_nothing_else(engine: Engine) -> None:
    sessions = new_sessionmaker(engine)
    store = SqlPrivacyStore(sessions, clock=Clock())
    for user in ("p1", "p2"):
        await SqlUserStore(sessions, clock=now).remember(user, "km")
        await store.record_consent(user, "store", True, "v1", "km")
        await store.store_texts(user, [("user", "my boss keeps my passport")])
        await store.remember_message_ids(user, [1, 2])
        add_engine_event(engine, user, START)
        add_case(engine, user)
    erased = await store.forget("p1")
    assert (erased.profile, erased.consents, erased.texts, erased.message_ids) == (1, 1, 1, 2)
    assert erased.engine_events == 1
    for model in (User, ConsentEvent, StoredText, RecentMessage, TrackerEvent):
        assert count(engine, model, "p1") == 0
        assert count(engine, model, "p2") > 0
    # the hand-off case still counts in the figures, but belongs to nobody
    assert erased.cases == 1
    with engine.connect() as connection:
        cases = connection.execute(select(CaseRow.user, CaseRow.sealed_chat, CaseRow.desk)).all()
    assert sorted(c.user[:10] for c in cases) == ["forgotten-", "p2"]
    assert [c.sealed_chat for c in cases if c.user != "p2"] == [""]
    assert count_relayed(engine) == 1  # only p2's


async def test_retention_purges_on_the_clock(engine: Engine) -> None:
    clock = Clock()
    store = SqlPrivacyStore(new_sessionmaker(engine), clock=clock)
    await store.store_texts("p1", [("user", "old words")])
    await store.remember_message_ids("p1", [1])
    add_engine_event(engine, "p1", START)
    clock.now += timedelta(days=29)
    await store.store_texts("p1", [("user", "newer words")])
    purged = await store.purge(timedelta(days=30))
    assert (purged.texts, purged.message_ids, purged.engine_events) == (0, 1, 0)
    clock.now += timedelta(days=2)  # the first words are now 31 days old
    purged = await store.purge(timedelta(days=30))
    assert (purged.texts, purged.engine_events) == (1, 1)
    assert await store.recent_texts("p1") == [("user", "newer words")]


async def test_a_dead_database_is_reported_for_forget_and_quiet_elsewhere(
    tmp_path: object,
) -> None:
    engine = new_engine("postgresql+psycopg2://nobody@127.0.0.1:9/none")
    store = SqlPrivacyStore(new_sessionmaker(engine), timeout=2, clock=now)
    assert await store.consent("p1", "store") is None
    await store.store_texts("p1", [("user", "x")])  # lost, but no error reaches the user
    with pytest.raises(StorageUnavailable):
        await store.forget("p1")

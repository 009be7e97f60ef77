"""Hand-off storage: one open case per user, exactly one claim wins, relays are
remembered, due cases are found from stored times, and no raw id is stored."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.core.clock import now
from bot.core.identity import seal
from bot.storage.handoff import CLAIMED, QUEUED, HandoffStore
from bot.storage.session import new_sessionmaker

T0 = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


def case_values(user: str = "pseudo-1", chat_id: int = 987654321) -> dict[str, object]:
    return {
        "user": user,
        "sealed_chat": seal(b"k", chat_id),
        "locale": "my",
        "tier": 2,
        "indicators": "report_documents_withheld",
        "share_transcript": False,
        "desk": "operators",
        "desk_chat": -1001,
        "created_at": T0,
        "announced_at": T0,
    }


async def test_a_user_has_one_open_case(engine: Engine) -> None:
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    first = await store.open_case(**case_values())
    again = await store.open_case(**case_values())
    assert again.id == first.id and first.state == QUEUED
    assert (await store.open_for_user("pseudo-1")) == first
    assert await store.open_for_user("someone-else") is None


async def test_of_two_simultaneous_claims_exactly_one_wins(engine: Engine) -> None:
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    case = await store.open_case(**case_values())
    await store.change(case.id, {}, {"thread_id": 5})

    def claim(owner: str) -> object:
        return store.change(case.id, {"state": QUEUED}, {"state": CLAIMED, "owner": owner})

    results = await asyncio.gather(*(claim(f"op{n}") for n in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    claimed = await store.get(case.id)
    assert claimed and claimed.state == CLAIMED
    assert claimed.owner == f"op{results.index(True)}"
    assert await store.by_topic(-1001, 5) == claimed


async def test_a_relayed_message_is_remembered_with_its_copy(engine: Engine) -> None:
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    case = await store.open_case(**case_values())
    assert not await store.relayed_before("key-1")
    await store.note_relayed("key-1", case.id, (-1001, 40))
    assert await store.relayed_before("key-1")  # redelivered after a restart
    assert not await store.relayed_before("key-2")
    # the same update handled twice at once: the key stays one, both copies are known
    await store.note_relayed("key-1", case.id, (-1001, 41))
    assert [c.message_id for c in await store.copies_of(case.user)] == [40, 41]


async def test_due_cases_come_from_stored_times(engine: Engine) -> None:
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    waiting = await store.open_case(**case_values("waiting"))
    answered = await store.open_case(**case_values("answered"))
    silent = await store.open_case(**case_values("silent"))
    later = {"user_at": T0 + timedelta(minutes=1), "state": CLAIMED}
    await store.change(answered.id, {}, {**later, "operator_at": T0 + timedelta(minutes=2)})
    await store.change(silent.id, {}, {**later, "operator_at": T0})
    wait = timedelta(minutes=10)
    assert await store.due(T0 + timedelta(minutes=5), wait) == []
    due = {c.user for c in await store.due(T0 + timedelta(minutes=12), wait)}
    assert due == {"waiting", "silent"}
    await store.change(silent.id, {}, {"alerted_at": T0 + timedelta(minutes=12)})
    due = {c.user for c in await store.due(T0 + timedelta(minutes=13), wait)}
    assert due == {"waiting"}  # one alert per unanswered message
    assert waiting.id


async def test_events_are_counted_and_no_raw_id_is_stored(engine: Engine) -> None:
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    case = await store.open_case(**case_values(chat_id=987654321))
    await store.add_event(case, "queued", T0)
    await store.add_event(case, "claimed", T0 + timedelta(minutes=3))
    events = await store.events(T0 - timedelta(days=1))
    assert [(kind, desk, locale) for _, kind, desk, locale, _ in events] == [
        ("queued", "operators", "my"),
        ("claimed", "operators", "my"),
    ]
    with engine.connect() as connection:
        for table in ("handoff_case", "handoff_event"):
            rows = connection.execute(text(f"SELECT * FROM {table}")).fetchall()
            assert "987654321" not in repr(rows)

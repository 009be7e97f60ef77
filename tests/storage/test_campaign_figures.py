"""Every campaign figure rebuilt from a known event log, exactly, suppression included:
counted through the Tally as the bot counts, written by the SQL store, read back."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy.engine import Engine

from bot.campaign import tally as steps
from bot.campaign.figures import Period, tables
from bot.campaign.tally import Arrival, Event
from bot.core.types import as_locale
from bot.storage import campaign, users
from bot.storage.session import new_sessionmaker
from tests.storage.sources import POSTER

MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
WEEK = Period("week", MON, date(2026, 11, 29))
NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)


def arrivals() -> list[Arrival]:
    """12 Burmese readers via the poster on Monday (one scans it twice), 3 Khmer via the
    poster on Tuesday, 6 Thai without a code, 2 English with a forged code."""
    found = [Arrival(MON, f"my{i}", "my", "poster-01") for i in range(12)]
    found.append(Arrival(TUE, "my0", "my", "poster-01"))  # a repeat scan: not counted
    found += [Arrival(TUE, f"km{i}", "km", "poster-01") for i in range(3)]
    found += [Arrival(MON, f"th{i}", "th", "") for i in range(6)]
    found += [Arrival(WED, f"en{i}", "en", "nobody-made-this") for i in range(2)]
    return found


def events() -> list[tuple[Event, int]]:
    """What those people did, in the week; the person's language comes from their row."""

    def e(day: date, who: str, step: str, item: str = "", variant: str = "") -> Event:
        return Event(day, who, "", step, item, variant)

    log: list[tuple[Event, int]] = []
    log += [(e(MON, f"my{i}", steps.TOPIC, "ask_documents"), 1) for i in range(12)]
    log += [(e(TUE, f"km{i}", steps.TOPIC, "ask_documents"), 1) for i in range(3)]
    log += [(e(MON, f"th{i}", steps.CONSENT, variant="yes"), 1) for i in range(6)]
    log += [(e(MON, "my0", steps.CONSENT, variant="no"), 1)]
    for i in range(12):  # before: 6 right, 6 wrong; after: 10 right, 2 wrong
        log.append(
            (
                e(
                    MON,
                    f"my{i}",
                    steps.QUIZ,
                    "fishing/q1",
                    f"before_{'right' if i < 6 else 'wrong'}",
                ),
                1,
            )
        )
        log.append(
            (
                e(
                    TUE,
                    f"my{i}",
                    steps.QUIZ,
                    "fishing/q1",
                    f"after_{'right' if i < 10 else 'wrong'}",
                ),
                1,
            )
        )
    log += [(e(MON, f"my{i}", steps.HOTLINES, "tier 1"), 1) for i in range(7)]
    log += [(e(TUE, "km0", steps.HOTLINES, "tier 1"), 2)]
    log += [(e(TUE, f"my{i}", steps.HANDOFF_WAIT, "1-5 min"), 1) for i in range(5)]
    log += [(e(WED, "km1", steps.HANDOFF_WAIT, "over 60 min"), 1)]
    log += [(e(date(2026, 11, 30), "my1", steps.TOPIC, "ask_fees"), 1)]  # next week
    return log


@pytest.fixture
def figures(engine: Engine) -> dict[str, list[list[str]]]:
    sessions = new_sessionmaker(engine)
    with sessions.begin() as session:
        campaign.save_source(session, POSTER, NOW)
    store = campaign.SqlTallyStore(sessions)
    counted: Counter[Event] = Counter()
    for event, n in events():
        counted[event] += n
    with sessions.begin() as session:  # the user store writes each person's row
        for arrival in arrivals():
            users.remember(session, arrival.sender, as_locale(arrival.locale) or "en", NOW)
    assert asyncio.run(store.write(arrivals(), Counter())) == []  # arrivals mark the rows
    asyncio.run(store.write([], counted))
    with sessions() as session:
        rows = campaign.counts(session, WEEK.first, WEEK.last)
    return {table.name: table.csv_rows() for table in tables(rows, WEEK)}


# worked out by hand: "x" is hidden, either small (1-4) or hidden so that a small one
# cannot be recovered from a total (e.g. reach: poster-01 in Khmer is 3, so its Burmese 12
# goes too, then the Burmese column total, and so on until no line has one hidden cell)
EXPECTED = {
    "reach": [
        ["", "en", "th", "my", "km", "total"],
        ["direct", "0", "x", "0", "0", "x"],
        ["other", "x", "0", "0", "0", "x"],
        ["poster-01", "0", "0", "x", "x", "15"],
        ["total", "x", "x", "x", "x", "23"],
    ],
    "reach_by_day": [
        ["", "direct", "other", "poster-01", "total"],
        ["2026-11-23", "x", "0", "x", "18"],
        ["2026-11-24", "0", "0", "x", "x"],
        ["2026-11-25", "0", "x", "0", "x"],
        ["2026-11-26", "0", "0", "0", "0"],
        ["2026-11-27", "0", "0", "0", "0"],
        ["2026-11-28", "0", "0", "0", "0"],
        ["2026-11-29", "0", "0", "0", "0"],
        ["total", "x", "x", "15", "23"],
    ],
    "funnel": [
        ["", "en", "th", "my", "km", "total"],
        ["arrival", "x", "6", "12", "x", "23"],
        ["consent", "0", "6", "0", "0", "6"],
        ["topic", "0", "0", "x", "x", "15"],
        ["quiz", "0", "0", "24", "0", "24"],
        ["hotlines", "0", "0", "x", "x", "9"],
    ],
    "funnel_by_source": [
        ["", "direct", "other", "poster-01", "total"],
        ["arrival", "x", "x", "15", "23"],
        ["consent", "6", "0", "0", "6"],
        ["topic", "0", "0", "15", "15"],
        ["quiz", "0", "0", "24", "24"],
        ["hotlines", "0", "0", "9", "9"],
    ],
    "knowledge": [
        ["", "right", "wrong", "total"],
        ["fishing before", "6", "6", "12"],
        ["fishing after", "x", "x", "12"],
    ],
    "knowledge_questions": [
        ["", "right", "wrong", "total"],
        ["fishing/q1 before", "6", "6", "12"],
        ["fishing/q1 after", "x", "x", "12"],
    ],
    "referrals": [
        ["", "my", "km", "total"],
        ["tier 1", "x", "x", "9"],
        ["total", "x", "x", "9"],
    ],
    "handoff_waits": [
        ["", "my", "km", "total"],
        ["1-5 min", "x", "0", "x"],
        ["over 60 min", "0", "x", "x"],
        ["total", "x", "x", "6"],
    ],
}


def test_every_figure_of_the_week(figures: dict[str, list[list[str]]]) -> None:
    assert figures == EXPECTED


def test_no_hidden_number_can_be_worked_out_from_its_line(
    figures: dict[str, list[list[str]]],
) -> None:
    for name, rows in figures.items():
        lines = rows[1:]
        columns = list(zip(*lines, strict=True))[1:] if name not in NO_COLUMN_TOTALS else []
        for line in [*(row[1:] for row in lines), *columns]:
            assert list(line).count("x") != 1, (name, line)


NO_COLUMN_TOTALS = {"funnel", "funnel_by_source", "knowledge", "knowledge_questions"}

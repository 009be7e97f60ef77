"""Campaign tools without a database: the shared limiter, sources, the opt-in rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from bot.campaign import optin, sources
from bot.campaign.counting import count_outcome
from bot.campaign.figures import last_complete
from bot.campaign.tally import Arrival, Event, Tally, wait_bucket
from bot.core import messages
from bot.core.types import BotReply


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"code": "a b"}, "code"),
        ({"code": "x" * 65}, "code"),
        ({"code": "other"}, "reserved"),
        ({"channel": "tv"}, "channel"),
        ({"language": "fr"}, "language"),
        ({"name": ""}, "name"),
        ({"colour": "red"}, "unknown field"),
    ],
)
def test_a_bad_source_is_refused_with_its_reason(fields: dict[str, str], problem: str) -> None:
    good = {"code": "poster-01", "name": "Poster", "channel": "poster", "language": "my"}
    with pytest.raises(sources.SourceError, match=problem):
        sources.checked({**good, **fields})


def test_a_source_gets_a_deep_link_and_printable_qr_codes() -> None:
    raw = {"code": "Radio_FM-99", "name": "Radio", "channel": "radio", "language": "lo"}
    source = sources.checked(raw)
    assert source.link("my_bot") == "https://t.me/my_bot?start=Radio_FM-99"
    png, svg = sources.qr_codes(source.link("my_bot"))
    assert png.startswith(b"\x89PNG") and b"<svg" in svg
    with pytest.raises(sources.SourceError, match="twice"):
        sources.parse({"sources": [raw, raw]})


def test_periods_are_whole_and_ended() -> None:
    from datetime import date

    wednesday = date(2026, 12, 2)
    assert last_complete("day", wednesday).first == date(2026, 12, 1)
    week = last_complete("week", wednesday)
    assert (week.first, week.last) == (date(2026, 11, 23), date(2026, 11, 29))
    month = last_complete("month", wednesday)
    assert (month.first, month.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert wait_bucket(0.5) == "0-1 min" and wait_bucket(61) == "over 60 min"


class Store:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.written: list[tuple[list[Arrival], Counter[Event]]] = []

    async def write(self, arrivals: list[Arrival], events: Counter[Event]) -> list[Arrival]:
        if self.fail:
            raise OSError("database down")
        self.written.append((arrivals, events))
        return []


async def test_counts_survive_a_failed_write_and_are_written_once() -> None:
    store = Store(fail=True)
    tally = Tally(store)
    tally.count("p1", "topic", "ask_fees")
    tally.arrived("p1", "poster-01", "my")
    await tally.flush()  # the database is down: kept for the next try
    store.fail = False
    tally.count("p1", "topic", "ask_fees")
    await tally.flush()
    [(arrivals, events)] = store.written
    assert [a.code for a in arrivals] == ["poster-01"]
    assert list(events.values()) == [2]
    await tally.flush()
    assert len(store.written) == 1


def test_hotline_answers_are_counted_by_tier() -> None:
    tally = Tally(Store())
    replies = (BotReply(messages.ROUTED_TIER1), BotReply(messages.ROUTED_HOTLINES))
    count_outcome(tally, "p1", "th", replies)
    assert sorted(e.item for e in tally._events) == ["hotline list", "tier 1"]


class OptIns:
    def __init__(self) -> None:
        self.kept: set[str] = set()

    async def opt_in(self, pseudonym: str, chat_id: int, version: str, locale: str) -> None:
        self.kept.add(pseudonym)

    async def opt_out(self, pseudonym: str, version: str, locale: str) -> bool:
        was = pseudonym in self.kept
        self.kept.discard(pseudonym)
        return was


async def test_opt_in_and_out() -> None:
    store = OptIns()
    rules = optin.OptIn(store)
    assert (await rules.on_data("p", 1, optin.OFFER, "lo")).msgid == optin.QUESTION
    assert (await rules.on_data("p", 1, optin.NO, "lo")).msgid == optin.DECLINED
    assert not store.kept
    assert (await rules.on_data("p", 1, optin.YES, "lo")).msgid == optin.SUBSCRIBED
    assert (await rules.on_data("p", 1, optin.STOP, "lo")).msgid == optin.STOPPED
    assert (await rules.on_data("p", 1, optin.STOP, "lo")).msgid == optin.NOTHING_TO_STOP


async def test_the_adapter_counts_a_deep_link_once_and_the_numbers_a_turn_showed() -> None:
    from bot.campaign.hooks import CountingOutbox, on_turn
    from bot.core.router import Conversation
    from bot.core.routing import load_directory
    from bot.core.urgency import SafetyNet
    from bot.settings import LOCALES_DIR
    from tests.fakes import BOOK, FakeDialogue, FakeStore, RecordingOutbox, command, pipeline, text

    convo = Conversation(
        FakeDialogue(),
        FakeStore(),
        frozenset({"greet", "ask_menu", "ask_hotlines"}),
        SafetyNet.load(LOCALES_DIR / "safety_net"),
        directory=load_directory(LOCALES_DIR),
        answers=BOOK,
    )
    tally, recorded = Tally(Store()), RecordingOutbox()
    out = CountingOutbox(recorded, tally)
    arrivals = [
        command("u1", "start", "poster-01 extra", hint="my"),
        command("u1", "help", "poster-01"),  # not a /start: no arrival
        command("u2", "start"),  # no code: direct
    ]
    for turn in arrivals:
        on_turn(tally, turn)
    on_turn(tally, replace(command("u3", "start", "radio"), chat_type="group"))  # in public
    assert [(a.sender, a.code, a.locale) for a in tally._arrivals] == [
        ("u1", "poster-01", "my"),
        ("u2", "", "en"),
    ]
    await pipeline(convo).handle(text("u4", "they locked us in, help me now"), out)
    assert recorded.sent  # the reply went out as the adapter sends it
    assert [(e.step, e.item) for e in tally._events] == [("hotlines", "tier 1")]

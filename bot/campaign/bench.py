"""Campaign benchmarks (figures for issue #14), printed, never asserted.

python -m bot.campaign.bench report [--events 100000]
    counts synthetic events through the Tally into a fresh SQLite database, then times
    what `make report` does (read a month's counters, build every table and chart)
python -m bot.campaign.bench broadcast [--recipients 2000] [--rates 10,30]
    the whole stack in sandbox mode (as `make bench`), bot/campaign/bench_broadcast.py:
    time to first reply for people chatting at each rate, first alone (the reference),
    then while a broadcast to --recipients people runs; and the broadcast's throughput
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot.campaign import report, tally
from bot.campaign.figures import Period
from bot.campaign.tally import Arrival, Event
from bot.core import clock
from bot.core.identity import pseudonym, seal
from bot.core.types import LOCALES, as_locale
from bot.storage import broadcasts, campaign, users
from bot.storage.session import migrate, new_engine, new_sessionmaker

STEPS = (tally.TOPIC, tally.TIPS, tally.QUIZ, tally.HOTLINES, tally.CONSENT, tally.HANDOFF_WAIT)
MONTH = Period("month", date(2026, 11, 1), date(2026, 11, 30))


def synthetic(count: int, people: int = 5000) -> tuple[list[Arrival], Counter[Event]]:
    """`count` events of `people` people over a month: arrivals from 12 sources, then
    topics, tips, quiz answers, numbers shown, consents, hand-off waits."""
    rng = random.Random(14)
    sources = [f"src-{i:02d}" for i in range(12)]
    arrivals = [
        Arrival(
            MONTH.first + timedelta(days=rng.randrange(30)),
            f"p{i}",
            LOCALES[i % 5],
            rng.choice([*sources, "", "forged"]),
        )
        for i in range(people)
    ]
    events: Counter[Event] = Counter()
    for _ in range(count - people):
        step = rng.choice(STEPS)
        item = {
            tally.TOPIC: f"ask_{rng.randrange(11)}",
            tally.TIPS: f"sector{rng.randrange(5)}",
            tally.QUIZ: f"sector{rng.randrange(5)}/q{rng.randrange(4)}",
            tally.HOTLINES: rng.choice(["tier 1", "tier 2", "tier 3", "hotline list"]),
            tally.HANDOFF_WAIT: rng.choice(["0-1 min", "1-5 min", "5-15 min"]),
        }.get(step, "")
        variant = {
            tally.QUIZ: rng.choice(["before_right", "before_wrong", "after_right"]),
            tally.CONSENT: rng.choice(["yes", "no"]),
        }.get(step, "")
        day = MONTH.first + timedelta(days=rng.randrange(30))
        events[Event(day, f"p{rng.randrange(people)}", "", step, item, variant)] += 1
    return arrivals, events


def opted_in_crowd(
    session: Session, key: bytes, chats: Iterable[int], now: datetime
) -> dict[int, str]:
    """Synthetic people who asked for updates, their languages in turn (en th my km lo):
    each one's user row, written as the user store writes it, and their opt-in, as
    /subscribe stores it (caller commits). Chat id -> language."""
    languages: dict[int, str] = {}
    for index, chat in enumerate(chats):
        me, locale = pseudonym(key, chat), LOCALES[index % len(LOCALES)]
        users.remember(session, me, locale, now)
        broadcasts.subscribe(session, me, seal(key, chat), now)
        languages[chat] = locale
    return languages


def bench_report(count: int) -> None:
    """Print how long writing and reporting `count` events takes."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = new_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        migrate(engine)
        sessions = new_sessionmaker(engine)
        now = clock.now()
        with sessions.begin() as session:
            for i in range(12):
                row = {
                    "code": f"src-{i:02d}",
                    "name": "x",
                    "channel": "poster",
                    "locale": "my",
                    "partner": "",
                    "origin": "file",
                }
                campaign.save_source(session, row, now)
        arrivals, events = synthetic(count)
        with sessions.begin() as session:  # the rows the user store writes; arrivals mark them
            for arrival in arrivals:
                users.remember(session, arrival.sender, as_locale(arrival.locale) or "en", now)
        started = time.perf_counter()
        with sessions.begin() as session:
            campaign.write_tally(session, arrivals, events)
        written = time.perf_counter() - started
        started = time.perf_counter()
        with sessions() as session:
            rows = campaign.counts(session, MONTH.first, MONTH.last)
        built = report.build(rows, MONTH)
        took = time.perf_counter() - started
    print(f"{count} synthetic events ({len(arrivals)} arrivals) -> {len(rows)} counter rows")
    print(f"writing the counters: {written:.2f} s (the bot does this a few seconds at a time)")
    print(f"make report (a month: {len(built.files)} files): {took:.2f} s")


def main() -> None:
    """Run one benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("report", "broadcast"))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rates", default="10,30", help="chat msg/s: a phase for each")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=60)
    args = parser.parse_args()
    args.tier1_users, args.flood_rate, args.flood_seconds = 6, 0.0, 0.0
    if args.what == "report":
        bench_report(args.events)
    else:
        from bot.campaign.bench_broadcast import bench_broadcast

        bench_broadcast(args)


if __name__ == "__main__":
    main()

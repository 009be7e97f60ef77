"""Campaign benchmarks (figures for issue #14), printed, never asserted.

python -m bot.campaign.bench report [--events 100000]
    counts synthetic events through the Tally into a fresh SQLite database, then times
    what `make report` does (read a month's counters, build every table and chart)
python -m bot.campaign.bench broadcast [--recipients 2000] [--rate 30]
    the whole stack in sandbox mode (as `make bench`): time to first reply for people
    chatting at --rate msg/s, first alone (the reference), then while a broadcast to
    --recipients people runs; and the broadcast's throughput
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot.campaign import report, tally
from bot.campaign.figures import Period
from bot.campaign.tally import Arrival, Event
from bot.core.identity import pseudonym, seal
from bot.storage import broadcasts, campaign
from bot.storage.models import User
from bot.storage.session import migrate, new_engine, new_sessionmaker

LOCALES = ("en", "th", "my", "km", "lo")
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


def bench_report(count: int) -> None:
    """Print how long writing and reporting `count` events takes."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = new_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        migrate(engine)
        sessions = new_sessionmaker(engine)
        now = datetime.now(timezone.utc)
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
        started = time.perf_counter()
        with sessions.begin() as session:
            campaign.write_tally(session, arrivals, events, now)
        written = time.perf_counter() - started
        started = time.perf_counter()
        with sessions() as session:
            rows = campaign.counts(session, MONTH.first, MONTH.last)
        built = report.build(rows, MONTH)
        took = time.perf_counter() - started
    print(f"{count} synthetic events ({len(arrivals)} arrivals) -> {len(rows)} counter rows")
    print(f"writing the counters: {written:.2f} s (the bot does this a few seconds at a time)")
    print(f"make report (a month: {len(built.files)} files): {took:.2f} s")


def _seed(db: Path, key: bytes, recipients: int) -> None:
    sessions = new_sessionmaker(new_engine(f"sqlite:///{db}"))
    now = datetime.now(timezone.utc)
    with sessions.begin() as session:
        for index in range(recipients):
            chat = 800_000 + index
            me = pseudonym(key, chat)
            session.add(
                User(
                    pseudonym=me,
                    locale=LOCALES[index % 5],
                    first_seen=now,
                    last_seen=now,
                    source="direct",
                )
            )
            broadcasts.subscribe(session, me, seal(key, chat), now)


def _sent(db: Path) -> int:
    sessions = new_sessionmaker(new_engine(f"sqlite:///{db}"))
    with sessions() as session:
        found = broadcasts.tally(session, 1)
    return found.get(broadcasts.SENT, 0) + found.get(broadcasts.BLOCKED, 0)


def bench_broadcast(recipients: int, rate: float, count: int) -> None:
    """Chat latency alone and during a broadcast; broadcast throughput."""
    from bot.engine.bench import percentile, through_bot
    from bot.sandbox.client import start_stack, stop, wait_until

    staff = 4242
    with tempfile.TemporaryDirectory() as tmp:
        process, client, env = start_stack(Path(tmp), {"STAFF_IDS": str(staff)})
        db = Path(tmp) / "bot.sqlite3"
        try:
            _seed(db, env["PSEUDONYM_KEY"].encode(), recipients)
            asyncio.run(through_bot(client.url, 20, 10, 20))  # warm-up
            alone = asyncio.run(through_bot(client.url, count, rate, 60))
            asked = client.send(staff, "/broadcast documents_131")
            question = client.replies(staff, asked["message_id"], count=6)[-1]
            client.press(staff, question["message_id"], "bc:go:documents_131")
            started = time.perf_counter()
            wait_until(lambda: _sent(db) >= min(200, recipients), 120, "the broadcast")
            during = asyncio.run(through_bot(client.url, count, rate, 60))
            wait_until(lambda: _sent(db) >= recipients, 3600, "the broadcast's end")
            took = time.perf_counter() - started
        finally:
            stop(process)
    print(f"\n{count} messages at {rate:g} msg/s from 60 users; broadcast to {recipients}")
    print(f"{'':<32}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'lost':>6}")
    for name, found in (("chat alone (reference)", alone), ("chat during the broadcast", during)):
        done = [x for x in found if x is not None]
        print(
            f"{name:<32}{percentile(done, 0.5):>8.0f}{percentile(done, 0.95):>8.0f}"
            f"{max(done, default=0):>8.0f}{len(found) - len(done):>6}"
        )
    print(
        f"broadcast: {recipients} in {took:.1f} s = {recipients / took:.1f} msg/s "
        "(people's replies went first)"
    )


def main() -> None:
    """Run one benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("report", "broadcast"))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    if args.what == "report":
        bench_report(args.events)
    else:
        bench_broadcast(args.recipients, args.rate, args.count)


if __name__ == "__main__":
    main()

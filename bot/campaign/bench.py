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
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
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


def _seed(db: Path, key: bytes, recipients: int) -> None:
    with new_sessionmaker(new_engine(f"sqlite:///{db}")).begin() as session:
        opted_in_crowd(session, key, range(800_000, 800_000 + recipients), clock.now())


def _sent(db: Path) -> int:
    sessions = new_sessionmaker(new_engine(f"sqlite:///{db}"))
    with sessions() as session:
        found = broadcasts.tally(session, 1)
    return found.get(broadcasts.SENT, 0) + found.get(broadcasts.BLOCKED, 0)


async def _loads(url: str, db: Path, staff: int, args: argparse.Namespace) -> dict[str, Any]:
    """make bench's ordinary load twice: alone (the reference), then during a broadcast."""
    from bot.engine.bench import preflight, run_load
    from bot.engine.load import Script
    from bot.sandbox.client import SandboxClient, wait_until

    script, client = Script.load(), SandboxClient(url)
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await preflight(http, script, 700_000)
        alone = await run_load(http, script, args, 710_000, flood=False)
        asked = client.send(staff, "/broadcast documents_131")
        question = client.replies(staff, asked["message_id"], count=6)[-1]
        client.press(staff, question["message_id"], "bc:go:documents_131")
        started = time.perf_counter()
        await asyncio.to_thread(wait_until, lambda: _sent(db) >= 100, 120, "the broadcast")
        during = await run_load(http, script, args, 720_000, flood=False)
        sent_during = _sent(db)
        await asyncio.to_thread(
            wait_until, lambda: _sent(db) >= args.recipients, 3600, "the broadcast's end"
        )
        took = time.perf_counter() - started
    return {
        "alone": alone,
        "during": during,
        "script": script,
        "took": took,
        "sent_during": sent_during,
    }


def bench_broadcast(args: argparse.Namespace) -> None:
    """Chat latency alone and during a broadcast (make bench's method); throughput."""
    from bot.engine.bench_report import figures, row
    from bot.sandbox.client import start_stack, stop

    staff = 4242
    with tempfile.TemporaryDirectory() as tmp:
        process, client, env = start_stack(Path(tmp), {"STAFF_IDS": str(staff)})
        args.stack_pid = process.pid
        db = Path(tmp) / "bot.sqlite3"
        try:
            _seed(db, env["PSEUDONYM_KEY"].encode(), args.recipients)
            found = asyncio.run(_loads(client.url, db, staff, args))
        finally:
            stop(process)
    print(
        f"\n{args.rate:g} msg/s for {args.seconds:g} s from {args.users} people (make bench's "
        f"ordinary load); broadcast to {args.recipients} people"
    )
    print(
        f"{'':<32}{'offered':>8}{'carried':>9}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'lost':>6}{'order':>7}{'floor':>7}{'bubbles':>9}   (ms, msg/s)"
    )
    for name in ("alone", "during"):
        load = found[name]
        label = "chat alone (reference)" if name == "alone" else "chat during the broadcast"
        print(row(label, figures(load, load.ordinary), args.rate))
    took = found["took"]
    print(
        f"broadcast: {args.recipients} in {took:.1f} s = {args.recipients / took:.1f} msg/s "
        f"overall ({found['sent_during']} sent by the end of the chat load)"
    )


def main() -> None:
    """Run one benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("report", "broadcast"))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=60)
    args = parser.parse_args()
    args.tier1_users, args.flood_rate, args.flood_seconds = 6, 0.0, 0.0
    if args.what == "report":
        bench_report(args.events)
    else:
        bench_broadcast(args)


if __name__ == "__main__":
    main()

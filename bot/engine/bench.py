"""make bench: the whole stack under campaign-day load, every reply matched to its message.

Starts the stack as `make run` does (sandbox mode; `--replicas 2 --scaled` for Redis,
PostgreSQL and two engines), then in one run:
1. the reference: the bare engine's REST turn (bot/engine/turns.py), quiet;
2. ordinary traffic: RATE msg/s from USERS people in the five languages for SECONDS,
   while new people send /start and at once an emergency message;
3. the same again while one person floods (10 msg/s for 30 s);
and prints carried rate, Bot API in -> first reply p50/p95/p99, lost, out of order, the
tier-1 figures, everyone else's p95 with and without the flood, and the stack's RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.core.types import LOCALES, Locale
from bot.engine.load import DANGER, Chat, Request, Script, match, percentile, send, stack_rss_mb
from bot.engine.load import watch as watch_chat
from bot.engine.turns import measure_rest
from bot.sandbox.client import start_stack, stop

GRACE = 20.0  # seconds after the last message for late replies; later ones count as lost


@dataclass
class Load:
    """One load run's chats: ordinary people, new people in danger, and a flooder."""

    ordinary: list[Chat] = field(default_factory=list)
    danger: list[Chat] = field(default_factory=list)
    flood: list[Chat] = field(default_factory=list)
    started: float = 0.0
    rss_mb: float = 0.0

    def chats(self) -> list[Chat]:
        """Every chat of the run."""
        return [*self.ordinary, *self.danger, *self.flood]


async def first_reply_like(http: httpx.AsyncClient, user: int, after: int, expect: str) -> str:
    """The expected bubble if the bot sent it after the message (the last bubbles of an
    earlier answer may come first), else the first reply there was."""
    found: list[dict[str, object]] = []
    for _ in range(20):  # each round waits for one more bubble, up to 2 s
        params = {"chat_id": user, "after_id": after, "count": len(found) + 1, "wait": 2}
        more = (await http.get("/sandbox/messages", params=params)).json()
        if len(more) <= len(found):
            break
        found = more
        if any(m.get("text") == expect for m in found):
            return expect
    return str(found[0].get("text")) if found else "(no reply)"


async def preflight(
    http: httpx.AsyncClient, script: Script, first_user: int
) -> list[tuple[str, str, str]]:
    """Each message once, quietly: leave out those the engine reads otherwise (warm-up too).
    What was left out: (language, message, the first reply it got)."""
    dropped: list[tuple[str, str, str]] = []

    async def one_language(index: int, locale: Locale) -> None:
        chat = Chat(first_user + index, locale)
        for rows in script.messages[chat.locale].values():
            for text, expect in list(rows):
                request = Request(chat.user, text, expect)
                await send(http, chat, request)
                got = await first_reply_like(http, chat.user, request.sent_id, expect)
                if got != expect:
                    script.drop(chat.locale, text)
                    dropped.append((locale, text, got))

    await asyncio.gather(*(one_language(i, loc) for i, loc in enumerate(LOCALES)))
    return dropped


async def traffic(
    http: httpx.AsyncClient, script: Script, load: Load, args: argparse.Namespace, flood: bool
) -> None:
    """Send everything on schedule; each send is its own task, so a slow one delays none."""
    tasks: list[asyncio.Task[None]] = []
    counts: dict[int, int] = {}

    def fire(chat: Chat, at: float, text: str, expect: str, **extra: str) -> None:
        async def go() -> None:
            await asyncio.sleep(max(0.0, load.started + at - time.monotonic()))
            await send(http, chat, Request(chat.user, text, expect), **extra)

        tasks.append(asyncio.create_task(go()))

    for i in range(int(args.rate * args.seconds)):
        chat = load.ordinary[i % len(load.ordinary)]
        n = counts[chat.user] = counts.get(chat.user, -1) + 1
        fire(chat, i / args.rate, *script.next_for(chat.locale, chat.user, n))
    for j, chat in enumerate(load.danger):
        at = (j + 1) * args.seconds / (len(load.danger) + 1)
        fire(chat, at, "/start", script.messages[chat.locale]["greet"][0][1])
        fire(chat, at + 0.05, DANGER[chat.locale], "")  # while /start still waits
    for k in range(int(args.flood_rate * args.flood_seconds) if flood else 0):
        chat = load.flood[0]
        fire(chat, k / args.flood_rate, *script.next_for(chat.locale, chat.user, k))
    await asyncio.gather(*tasks)


async def run_load(
    http: httpx.AsyncClient, script: Script, args: argparse.Namespace, base: int, flood: bool
) -> Load:
    """One run: watch every chat, send on schedule, wait for late replies, match them."""
    load = Load()
    load.ordinary = [Chat(base + u, LOCALES[u % 5]) for u in range(args.users)]
    load.danger = [Chat(base + 500 + d, LOCALES[d % 5]) for d in range(args.tier1_users)]
    load.flood = [Chat(base + 900, "th")] if flood else []
    done = asyncio.Event()
    watchers = [asyncio.create_task(watch_chat(http, chat, done)) for chat in load.chats()]
    load.started = time.monotonic() + 0.5

    async def sample_rss() -> None:
        while not done.is_set():
            load.rss_mb = max(load.rss_mb, stack_rss_mb(args.stack_pid))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample_rss())
    await traffic(http, script, load, args, flood)
    for _ in range(int(GRACE / 0.5)):  # late replies still count, up to GRACE seconds
        if _all_answered(load, script):
            break
        await asyncio.sleep(0.5)
    done.set()
    await asyncio.gather(*watchers, sampler)
    return load


def _all_answered(load: Load, script: Script) -> bool:
    """True once every message has a matched first reply (matching as it stands now)."""
    for chat in load.chats():
        for request in chat.requests:
            request.answered_at, request.floor = None, False
        match(chat, script.floor[chat.locale])
    return all(r.answered_at is not None for c in load.chats() for r in c.requests)


@dataclass(frozen=True)
class Figures:
    """What one group of messages measured."""

    sent: int
    answered: int
    floor: int
    out_of_order: int
    carried: float  # msg/s
    bubbles: float  # the bot's messages per second to these chats
    latencies: tuple[float, ...]  # seconds, answered ones


def figures(load: Load, chats: list[Chat], script: Script) -> Figures:
    """Match replies and sum up a group of chats of a run."""
    disorder = sum(match(chat, script.floor[chat.locale]) for chat in chats)
    requests = [r for chat in chats for r in chat.requests]
    done = [r for r in requests if r.answered_at is not None]
    span = max((r.answered_at or 0.0 for r in done), default=0.0) - load.started
    return Figures(
        sent=len(requests),
        answered=len(done),
        floor=sum(r.floor for r in done),
        out_of_order=disorder,
        carried=len(done) / span if span > 0 else 0.0,
        bubbles=sum(len(chat.replies) for chat in chats) / span if span > 0 else 0.0,
        latencies=tuple(r.latency or 0.0 for r in done),
    )


def row(name: str, found: Figures, offered: float) -> str:
    """One line of the load table (milliseconds)."""
    ms = [1000 * percentile(found.latencies, q) for q in (0.5, 0.95, 0.99)]
    lost = found.sent - found.answered
    return (
        f"{name:<30}{offered:>8.1f}{found.carried:>9.1f}{ms[0]:>7.0f}{ms[1]:>7.0f}{ms[2]:>7.0f}"
        f"{lost:>6}{found.out_of_order:>7}{found.floor:>7}{found.bubbles:>9.1f}"
    )


def danger_line(name: str, load: Load) -> str:
    """The emergency messages of new people, each sent right after their /start."""
    waits = [
        r.latency if r.latency is not None else float("inf")
        for chat in load.danger
        for r in chat.requests
        if not r.expect
    ]
    within = sum(1 for w in waits if w <= 2.0)
    worst = max(waits, default=float("nan"))
    return (
        f"{name:<30} p95 {1000 * percentile(waits, 0.95):.0f} ms, max {1000 * worst:.0f} ms, "
        f"{within}/{len(waits)} within 2 s"
    )


def report(
    args: argparse.Namespace, reference: str, runs: dict[str, Load], script: Script
) -> None:
    """Print every figure of the run."""
    mode = f"{args.replicas} engine(s)" + (", Redis, PostgreSQL" if args.scaled else ", SQLite")
    print(f"\nmake bench ({mode}); reference measured in the same run, quiet:\n{reference}")
    mix = "one-bubble answers and 3-bubble topics" if args.topics else "one-bubble answers"
    print(
        f"\nload: {args.rate:g} msg/s offered for {args.seconds:g} s from {args.users} people "
        f"in 5 languages ({mix}); {args.tier1_users} new people send /start and at once an "
        "emergency message"
    )
    print(
        f"{'':<30}{'offered':>8}{'carried':>9}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'lost':>6}{'order':>7}{'floor':>7}{'bubbles':>9}   (ms, msg/s)"
    )
    p95s = {}
    for name, load in runs.items():
        found = figures(load, load.ordinary, script)
        p95s[name] = percentile(found.latencies, 0.95)
        print(row(f"ordinary, {name}", found, args.rate))
    for name, load in runs.items():
        print(danger_line(f"tier 1 under load, {name}", load))
    flood = runs.get("with a flood")
    if flood is not None and flood.flood:
        found = figures(flood, flood.flood, script)
        quiet, loud = p95s["no flood"], p95s["with a flood"]
        print(
            f"flooding person: {found.sent} sent at {args.flood_rate:g}/s, {found.answered} "
            f"answered; everyone else's p95 {1000 * quiet:.0f} -> {1000 * loud:.0f} ms "
            f"({100 * (loud - quiet) / quiet:+.0f}%)"
        )
    peak = max(load.rss_mb for load in runs.values())
    print(f"RSS of the whole stack (sandbox, bot, engines, actions): peak {peak:.0f} MB")


async def bench(url: str, env: dict[str, str], args: argparse.Namespace) -> None:
    """The reference, the preflight, and both load runs, in one stack."""
    script = Script.load(topics=args.topics)
    kinds, lengths = await measure_rest(env["RASA_URL"].split(",")[0], env["RASA_AUTH_TOKEN"])
    reference = "  bare engine REST turn p50: " + ", ".join(
        f"{kind} {ms:.1f} ms" for kind, ms in kinds.items()
    )
    reference += "\n  by conversation length: " + ", ".join(
        f"turn {mark} {ms:.1f} ms" for mark, ms in lengths.items()
    )
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        dropped = await preflight(http, script, 800_000)
        if dropped:
            reference += f"\n  ({len(dropped)} bench messages left out: answered otherwise)"
        for locale, text, got in dropped if args.verbose else ():
            reference += f"\n    {locale}: {text!r} -> {got[:60]!r}"
        runs = {"no flood": await run_load(http, script, args, 810_000, flood=False)}
        runs["with a flood"] = await run_load(http, script, args, 820_000, flood=True)
    report(args, reference, runs, script)


def main() -> None:
    """Start the stack, run the bench, stop the stack."""
    parser = argparse.ArgumentParser(description="campaign-day load through the whole stack")
    parser.add_argument("--rate", type=float, default=30.0, help="ordinary messages per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--tier1-users", type=int, default=6)
    parser.add_argument("--flood-rate", type=float, default=10.0)
    parser.add_argument("--flood-seconds", type=float, default=30.0)
    parser.add_argument("--replicas", type=int, default=1, help="engine replicas")
    parser.add_argument("--scaled", action="store_true", help="Redis and PostgreSQL")
    parser.add_argument("--topics", action="store_true", help="add 3-bubble topic questions")
    parser.add_argument("--verbose", action="store_true", help="list left-out messages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, client, env = start_stack(Path(tmp), replicas=args.replicas, scaled=args.scaled)
        args.stack_pid = process.pid
        try:
            asyncio.run(bench(client.url, env, args))
        finally:
            stop(process)


if __name__ == "__main__":
    main()

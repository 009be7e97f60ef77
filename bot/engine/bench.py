"""make bench: the whole stack under campaign-day load, every reply matched to its message.

Starts the stack as `make run` does (sandbox mode; `--replicas 2 --scaled` for Redis,
PostgreSQL and two engines), then in one run:
1. the reference, quiet: the bare engine's REST turn (bot/engine/turns.py) per kind of
   answer and by conversation length, and what one replica carries back to back;
2. for each mix (the issue's: ordinary questions, two of five a three-bubble topic; and
   one-bubble answers only): RATE msg/s from USERS people in the five languages for
   SECONDS, while new people send /start and at once an emergency message;
3. the same again while one person floods (10 msg/s for 30 s);
and prints carried rate, Bot API in -> first reply p50/p95/p99, lost, out of order, the
bot's messages per second, the tier-1 figures, everyone else's p95 with and without the
flood, the CPU each part of the stack used, and its RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.core.types import LOCALES, Locale
from bot.engine.bench_report import Load, report
from bot.engine.load import (
    DANGER,
    MIXES,
    Chat,
    Request,
    Script,
    cores_between,
    match,
    send,
    stack_cpu,
    stack_rss_mb,
)
from bot.engine.load import watch as watch_chat
from bot.engine.turns import measure_capacity, measure_rest
from bot.sandbox.aio import SandboxSession
from bot.sandbox.client import start_stack, stop

QUIET = 5.0  # seconds without a reply after which what is unanswered counts as lost
DRAIN_MAX = 120.0  # at most this long for late replies after the last message


async def first_reply_like(http: SandboxSession, user: int, after: int, expect: str) -> str:
    """The expected bubble if the bot sent it after the message (the last bubbles of an
    earlier answer may come first), else the first reply there was."""
    found: list[dict[str, object]] = []
    for _ in range(20):  # each round waits for one more bubble, up to 2 s
        more = await http.get(
            "/sandbox/messages", chat_id=user, after_id=after, count=len(found) + 1, wait=2
        )
        if len(more) <= len(found):
            break
        found = more
        if any(m.get("text") == expect for m in found):
            return expect
    return str(found[0].get("text")) if found else "(no reply)"


async def preflight(
    http: SandboxSession, script: Script, first_user: int
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
    http: SandboxSession, script: Script, load: Load, args: argparse.Namespace, flood: bool
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
    http: SandboxSession, script: Script, args: argparse.Namespace, base: int, flood: bool
) -> Load:
    """One run: watch every chat, send on schedule, wait for late replies, match them."""
    load = Load(script)
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
    cpu, since = stack_cpu(args.stack_pid), time.monotonic()
    await traffic(http, script, load, args, flood)  # the CPU of the offered load, not the drain
    load.cores = cores_between(cpu, stack_cpu(args.stack_pid), time.monotonic() - since)
    await drained(load)
    done.set()
    await asyncio.gather(*watchers, sampler)
    return load


async def drained(load: Load) -> None:
    """Wait until every message is answered, or the bot has sent these chats nothing for
    QUIET seconds (what is unanswered then is lost), at most DRAIN_MAX seconds; so late
    replies still count, and the next run starts on a quiet stack."""
    deadline = time.monotonic() + DRAIN_MAX
    while time.monotonic() < deadline and not _all_answered(load):
        last = max((at for c in load.chats() for at, _, _ in c.replies), default=load.started)
        if time.monotonic() - last > QUIET:
            return
        await asyncio.sleep(0.5)


def _all_answered(load: Load) -> bool:
    """True once every message has a matched first reply (matching as it stands now)."""
    for chat in load.chats():
        match(chat, load.script.floor[chat.locale])
    return all(r.answered_at is not None for c in load.chats() for r in c.requests)


async def reference(env: dict[str, str], args: argparse.Namespace) -> str:
    """The bare engine, quiet: its REST turn per kind of answer and by conversation length,
    and the turns per second one replica serves to people writing back to back."""
    url, token = env["RASA_URL"].split(",")[0], env["RASA_AUTH_TOKEN"]
    kinds, lengths = await measure_rest(url, token)
    rate, p50_ms = await measure_capacity([url], token, args.capacity_people)
    return (
        "  bare engine REST turn p50: "
        + ", ".join(f"{kind} {ms:.1f} ms" for kind, ms in kinds.items())
        + "\n  by conversation length: "
        + ", ".join(f"turn {mark} {ms:.1f} ms" for mark, ms in lengths.items())
        + f"\n  one engine replica, {args.capacity_people} people back to back: "
        + f"{rate:.0f} turns/s (p50 {p50_ms:.0f} ms)"
    )


async def bench(url: str, env: dict[str, str], args: argparse.Namespace) -> None:
    """The reference, the preflight, and the load runs of each mix, in one stack."""
    script = Script.load(mixes=MIXES)
    quiet = await reference(env, args)
    runs: dict[str, dict[str, Load]] = {}
    async with SandboxSession(url) as http:
        dropped = await preflight(http, script, 800_000)
        if dropped:
            quiet += f"\n  ({len(dropped)} bench messages left out: answered otherwise)"
        for locale, text, got in dropped if args.verbose else ():
            quiet += f"\n    {locale}: {text!r} -> {got[:60]!r}"
        base = 810_000
        for mix in args.mixes.split(","):
            runs[mix] = {}
            for flood in (False, True):
                load = await run_load(http, script.only(mix), args, base, flood)
                runs[mix]["with a flood" if flood else "no flood"] = load
                base += 1000
    report(args, quiet, runs)


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
    parser.add_argument(
        "--mixes", default=",".join(MIXES), help=f"comma-separated, of: {', '.join(MIXES)}"
    )
    parser.add_argument("--capacity-people", type=int, default=8)
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

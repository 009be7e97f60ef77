"""`python -m bot.campaign.bench broadcast`: chat latency while a broadcast runs (#14).

The whole stack in sandbox mode, as `make bench` starts it: the real bot process, the
engine, the action server and the local Bot API sandbox. `--recipients` synthetic people
have opted in. For each chat rate of `--rates`, on the one stack:
1. the reference: make bench's one-bubble load (every reply matched to the message it
   answers, bot/engine/load.py) at that rate, no broadcast;
2. a staff member sends `/broadcast` and presses "Send to N people", as in Telegram; once
   the sandbox has received the first batch, the same load again, while it sends;
3. the broadcast to its end.
Throughput is what the sandbox (Telegram's side) received: copies whose text carries the
broadcast header, counted while people chatted and after.
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
import time
from argparse import Namespace
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.campaign.bench import opted_in_crowd
from bot.campaign.sender import BATCH
from bot.core import clock
from bot.engine.bench import preflight, run_load
from bot.engine.bench_report import Load, danger_line, figures, row
from bot.engine.load import Script
from bot.sandbox.aio import SandboxSession
from bot.sandbox.client import start_stack, stop
from bot.storage import broadcasts
from bot.storage.session import new_engine, new_sessionmaker

BROADCAST = "documents_131"  # locales/broadcasts.yml
HEADER = "📬"  # every copy begins with the header ("📬 Update", in each language)
STAFF = 4242


@dataclass
class Phase:
    """One chat rate: the load alone, the load during a broadcast, and the broadcast."""

    rate: float
    alone: Load
    during: Load
    at_chat_start: int  # the broadcast's copies received when the second load began
    at_chat_end: int
    chat_seconds: float
    rest_seconds: float  # from that load's end to the broadcast's end
    total: int  # the broadcast's copies received in all
    ended_during_chat: bool


def _seed(db: Path, key: bytes, recipients: int) -> None:
    with _sessions(db).begin() as session:
        opted_in_crowd(session, key, range(800_000, 800_000 + recipients), clock.now())


@functools.cache
def _sessions(db: Path) -> sessionmaker[Session]:
    return new_sessionmaker(new_engine(f"sqlite:///{db}"))


def _finished(db: Path) -> bool:
    """No broadcast is running any more: every recipient has an outcome."""
    with _sessions(db)() as session:
        return not broadcasts.running(session)


async def _copies(http: SandboxSession) -> int:
    """Broadcast copies the sandbox has received, the staff's previews aside."""
    found = await http.get("/sandbox/received", contains=HEADER)
    return sum(n for chat, n in found.items() if int(chat) != STAFF)


async def _until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    """Poll twice a second until check() is true (each check reads the sandbox's every
    message or opens the database: not more often, on a stack under load)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.5)


async def _send_broadcast(http: SandboxSession) -> None:
    """Staff ask for the broadcast, get five previews and the question, press Send."""
    asked = await http.post("/sandbox/send", {"user_id": STAFF, "text": "/broadcast " + BROADCAST})
    shown = await http.get(
        "/sandbox/messages", chat_id=STAFF, after_id=asked["message_id"], count=6, wait=30
    )
    go = f"bc:go:{BROADCAST}"
    if len(shown) < 6 or go not in str(shown[-1].get("reply_markup")):
        raise RuntimeError(f"/broadcast offered no Send button: {shown[-1:]}")
    body = {"user_id": STAFF, "message_id": shown[-1]["message_id"], "data": go}
    await http.post("/sandbox/press", body)


async def _phase(http: SandboxSession, script: Script, args: Namespace, base: int) -> Phase:
    """The load alone, then a broadcast and, once it sends, the load again; its end."""
    alone = await run_load(http, script, args, base, flood=False)
    before = await _copies(http)
    await _send_broadcast(http)

    async def sending() -> bool:
        return await _copies(http) >= before + BATCH

    await _until(sending, 120, "the broadcast's first batch")
    at_start, began = await _copies(http) - before, time.monotonic()
    during = await run_load(http, script, args, base + 1000, flood=False)
    at_end, ended = await _copies(http) - before, time.monotonic()
    ended_during = await asyncio.to_thread(_finished, args.db)

    async def finished() -> bool:
        return await asyncio.to_thread(_finished, args.db)

    await _until(finished, 900, "the broadcast's end")
    total = await _copies(http) - before
    rest = time.monotonic() - ended
    return Phase(
        args.rate, alone, during, at_start, at_end, ended - began, rest, total, ended_during
    )


async def _phases(url: str, args: Namespace) -> list[Phase]:
    """The preflight, then one phase per chat rate, on one stack."""
    script = Script.load()
    phases = []
    async with SandboxSession(url) as http:
        await preflight(http, script, 700_000)
        for index, rate in enumerate(float(r) for r in args.rates.split(",")):
            args.rate = rate
            phases.append(await _phase(http, script, args, 710_000 + 2000 * index))
    return phases


def bench_broadcast(args: Namespace) -> None:
    """Start the stack, opt the recipients in, run the phases, stop it, print."""
    with tempfile.TemporaryDirectory() as tmp:
        process, client, env = start_stack(Path(tmp), {"STAFF_IDS": str(STAFF)})
        args.stack_pid, args.db = process.pid, Path(tmp) / "bot.sqlite3"
        try:
            _seed(args.db, env["PSEUDONYM_KEY"].encode(), args.recipients)
            phases = asyncio.run(_phases(client.url, args))
        finally:
            stop(process)
    report(args, phases)


def report(args: Namespace, phases: list[Phase]) -> None:
    """The chat rows (alone, then during the broadcast), tier 1, the throughput."""
    pace = os.environ.get("BROADCAST_RATE", "20 (the default)")
    print(
        f"\nchat: make bench's one-bubble load for {args.seconds:g} s from {args.users} people "
        f"in 5 languages ({args.tier1_users} new people send /start and at once an emergency "
        f"message), first alone (the reference), then while a broadcast to "
        f"{args.recipients} people runs; BROADCAST_RATE {pace}"
    )
    print(
        f"{'':<32}{'offered':>8}{'carried':>9}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'lost':>6}{'order':>7}{'floor':>7}{'bubbles':>9}   (ms, msg/s)"
    )
    for phase in phases:
        for name, load in (("alone (reference)", phase.alone), ("during", phase.during)):
            label = f"{phase.rate:g} msg/s, {name}"
            print(row(label, figures(load, load.ordinary), phase.rate))
    print("tier 1 (new people: /start, then at once an emergency message):")
    for phase in phases:
        print(danger_line(f"{phase.rate:g} msg/s, alone", phase.alone))
        print(danger_line(f"{phase.rate:g} msg/s, during", phase.during))
    print("broadcast: copies the sandbox received, per second")
    for phase in phases:
        chat = (phase.at_chat_end - phase.at_chat_start) / phase.chat_seconds
        rest = (phase.total - phase.at_chat_end) / max(phase.rest_seconds, 1e-6)
        note = " (it ended before the chat load did)" if phase.ended_during_chat else ""
        print(
            f"  {phase.rate:g} msg/s of chat: {chat:.1f} while people chatted "
            f"({phase.chat_seconds:.0f} s), {rest:.1f} after ({phase.rest_seconds:.0f} s); "
            f"{phase.total} of {args.recipients} copies{note}"
        )

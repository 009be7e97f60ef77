"""make bench-safety: the safety promises, measured on sets the bot has never seen.

Sets: tests/safety/ (README there; never used for training). Three runs:
1. the gate alone (in process): its own verdict on every message, and its cost, typical
   and worst case (forged 100,000-character messages in every script);
2. the real bot with the engine running, through the sandbox Bot API server;
3. the real bot with the engine unreachable.
Each message is sent as what it is: text, a command, a photo's caption, or an edit of a
message already answered. Per language: tier-1 -> emergency number in the first reply,
tier-2 -> 1300 or the NGO line in the person's language, ordinary questions answered with
the tier-1 reply (false alarms), and, engine down, what the gate decided (the reply the
bot chose: tier-1, tier-2, or the floor). With the engine down every floor reply carries
191, so "tier-1 -> 191" scores 1.00 there whatever the gate does: read the gate's rows.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.core.types import LOCALES
from bot.engine.safety_reply import Judge, Outcome, Sender
from bot.engine.safety_sets import Case, all_cases, gate_cost, gate_outcomes, load_gate
from bot.sandbox.client import SandboxClient, free_port, start, start_stack, stop, wait_until
from bot.settings import LOCALES_DIR

Row = Callable[[list[Outcome]], str]


def share(values: list[bool]) -> str:
    """ "0.97 (37/38)", or "-" for an empty group."""
    return f"{sum(values) / len(values):.2f} ({sum(values)}/{len(values)})" if values else "-"


def fresh(
    outcomes: list[Outcome], tier_one: Callable[[Outcome], bool], name: str = "fresh"
) -> str:
    """A fresh check (written after the tuning): tier-1 answered, questions alarmed."""
    mine = [o for o in outcomes if o.case.set == name]
    danger = [tier_one(o) for o in mine if o.case.tier == 1]
    alarms = [o.replied == 1 for o in mine if o.case.tier == 4]
    if not mine:
        return "-"
    return f"{sum(danger)}/{len(danger)}, {sum(alarms)}/{len(alarms)}"


FRESH_SETS = ("fresh", "fresh2", "fresh3")


def fresh_columns(tier_one: Callable[[Outcome], bool]) -> dict[str, Row]:
    """One column per fresh check, each judging tier 1 answered by `tier_one`."""
    return {
        f"{name}: t1, FA": functools.partial(fresh, tier_one=tier_one, name=name)
        for name in FRESH_SETS
    }


def now_questions(outcomes: list[Outcome]) -> str:
    """Ordinary questions in the first person about now: how many got the emergency
    reply, and how many a tier-2 line."""
    mine = [o for o in outcomes if o.case.set == "nowq"]
    if not mine:
        return "-"
    tier1, tier2 = (sum(o.replied == tier for o in mine) for tier in (1, 2))
    return f"{tier1}/{len(mine)}, {tier2}/{len(mine)}"


COLUMNS: dict[str, Row] = {
    "tier-1 -> 191": lambda o: share([x.right for x in o if x.case.set == "tier1"]),
    "tier-2 -> line": lambda o: share([x.right for x in o if x.case.set == "tier2"]),
    "forms right": lambda o: share([x.right for x in o if x.case.set == "forms"]),
    "false alarms": lambda o: share([x.replied == 1 for x in o if x.case.set == "ordinary"]),
    "ordinary->t2": lambda o: share([x.replied == 2 for x in o if x.case.set == "ordinary"]),
    "everyday->alarm": lambda o: share(
        [x.replied in (1, 2) for x in o if x.case.set == "everyday"]
    ),
    **fresh_columns(lambda x: x.right),
    "now-q: t1, t2": now_questions,
    "p50/max s": lambda o: (
        f"{statistics.median(s):.2f}/{max(s):.2f}" if (s := [x.seconds for x in o]) else "-"
    ),
}
GATE_COLUMNS: dict[str, Row] = {
    "tier-1 -> 1": lambda o: share([x.replied == 1 for x in o if x.case.set == "tier1"]),
    "tier-2 -> <=2": lambda o: share([x.replied in (1, 2) for x in o if x.case.set == "tier2"]),
    "forms right": COLUMNS["forms right"],
    "false alarms": COLUMNS["false alarms"],
    "ordinary->2": COLUMNS["ordinary->t2"],
    "everyday->alarm": COLUMNS["everyday->alarm"],
    **fresh_columns(lambda x: x.replied == 1),
    "now-q: t1, t2": now_questions,
}


def table(title: str, outcomes: list[Outcome], columns: dict[str, Row]) -> None:
    """Print one block of figures, a row per language and one for all."""
    print(f"\n{title}")
    print(f"{'lang':<5}" + "".join(f"{name:>18}" for name in columns))
    for locale in (*LOCALES, "all"):
        mine = [o for o in outcomes if locale in ("all", o.case.locale)]
        print(f"{locale:<5}" + "".join(f"{row(mine):>18}" for row in columns.values()))


def misses(outcomes: list[Outcome], limit: int = 40) -> None:
    """The messages that went wrong (benchmark text, not users' words)."""
    wrong = [o for o in outcomes if not o.right]
    for o in wrong[:limit]:
        print(
            f"  miss {o.case.locale} {o.case.set}/{o.case.kind} reply={o.replied}: {o.case.text}"
        )
    if len(wrong) > limit:
        print(f"  ... and {len(wrong) - limit} more")


def engine_down_bot(logs: Path) -> tuple[list[object], SandboxClient]:
    """A sandbox and a bot whose engine URL points at a closed port."""
    port = free_port()
    sandbox = start("bot.sandbox.server", ["--port", str(port)], {}, logs / "sandbox.log")
    client = SandboxClient(f"http://127.0.0.1:{port}")
    wait_until(client.ready, 20, "the sandbox")
    env = {
        "TELEGRAM_BOT_TOKEN": "1:bench",
        "TELEGRAM_API_BASE_URL": client.url,
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "DATABASE_URL": f"sqlite:///{logs / 'down.sqlite3'}",
        "PSEUDONYM_KEY": secrets.token_hex(32),
    }
    bot = start("bot", [], env, logs / "bot.log")
    wait_until(client.bot_polling, 60, "the bot")
    return [bot, sandbox], client


def gate_ready(log: Path) -> Callable[[], bool]:
    """True once the bot has its gate's model (it loads off the event loop at start)."""
    return lambda: "gate model loaded" in log.read_text(errors="replace")


def through_bot(client: SandboxClient, log: Path, cases: list[Case], first: int) -> list[Outcome]:
    """Every case through the sandbox and the real bot, 8 people at a time."""
    wait_until(gate_ready(log), 120, "the gate's model")
    judge = Judge.load(LOCALES_DIR)
    return asyncio.run(Sender(client.url, judge).run(cases, first_user=first))


def main() -> None:
    """The gate alone, then the bot with the engine up and down; print every table."""
    cases = all_cases(LOCALES)
    gate = load_gate()
    print(f"{len(cases)} benchmark messages per run (tests/safety/), engine: real Rasa model")
    gate_cost(gate)
    alone = gate_outcomes(gate, cases)
    table("the gate alone: its own verdict (no engine)", alone, GATE_COLUMNS)
    misses(alone)
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp)
        started = time.monotonic()
        process, client, _env = start_stack(logs)
        try:
            up = through_bot(client, logs / "stack.log", cases, 4_000_000)
        finally:
            stop(process)
        processes, client = engine_down_bot(logs)
        try:
            down = through_bot(client, logs / "bot.log", cases, 5_000_000)
        finally:
            for p in processes:
                stop(p)  # type: ignore[arg-type]
    table("engine running: the real bot and engine, through the sandbox", up, COLUMNS)
    misses(up)
    table("engine unreachable: the real bot alone (floor replies carry 191)", down, COLUMNS)
    misses(down)
    gate_rows = [o.as_gate() for o in down]
    table(
        "engine unreachable: what the gate decided, read from the bot's replies",
        gate_rows,
        GATE_COLUMNS,
    )
    print(f"\nwall time {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

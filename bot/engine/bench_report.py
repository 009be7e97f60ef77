"""What `make bench` prints: one row per load run, the tier-1 and flood lines, and RSS."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from bot.engine.load import Chat, Script, match, percentile

ISSUE_TARGETS = (
    "#11 targets: carried >= 29.5 msg/s at 30 offered, p50 <= 150 ms, p95 <= 400 ms, 0 lost, "
    "0 out of order; tier 1 p95 <= 1 s, all within 2 s; others' p95 +20% at most with a "
    "flood; engine REST turn p50 <= 25 ms; RSS <= 2048 MB"
)


@dataclass
class Load:
    """One load run's chats: ordinary people, new people in danger, and a flooder."""

    script: Script
    ordinary: list[Chat] = field(default_factory=list)
    danger: list[Chat] = field(default_factory=list)
    flood: list[Chat] = field(default_factory=list)
    started: float = 0.0
    rss_mb: float = 0.0
    cores: dict[str, float] = field(default_factory=dict)  # part -> cores while offered

    def chats(self) -> list[Chat]:
        """Every chat of the run."""
        return [*self.ordinary, *self.danger, *self.flood]


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


def figures(load: Load, chats: list[Chat]) -> Figures:
    """Match replies and sum up a group of chats of a run."""
    disorder = sum(match(chat, load.script.floor[chat.locale]) for chat in chats)
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
        f"{name:<32}{offered:>8.1f}{found.carried:>9.1f}{ms[0]:>7.0f}{ms[1]:>7.0f}{ms[2]:>7.0f}"
        f"{lost:>6}{found.out_of_order:>7}{found.floor:>7}{found.bubbles:>9.1f}"
    )


def danger_line(name: str, load: Load) -> str:
    """The emergency messages of new people, each sent right after their /start."""
    for chat in load.danger:
        match(chat, load.script.floor[chat.locale])
    waits = [
        r.latency if r.latency is not None else float("inf")
        for chat in load.danger
        for r in chat.requests
        if not r.expect
    ]
    within = sum(1 for w in waits if w <= 2.0)
    worst = max(waits, default=float("nan"))
    return (
        f"  {name:<30} p95 {1000 * percentile(waits, 0.95):.0f} ms, max {1000 * worst:.0f} ms, "
        f"{within}/{len(waits)} within 2 s"
    )


def cpu_line(name: str, load: Load) -> str:
    """Cores each part of the stack used while the load was offered (the bench's own
    client is not part of the stack), and the bot process's CPU per carried message."""
    parts = " · ".join(f"{part} {cores:.2f}" for part, cores in sorted(load.cores.items()))
    carried = figures(load, load.chats()).carried
    per = 1000 * load.cores.get("bot", 0.0) / carried if carried else float("nan")
    return f"  {name:<30} {parts}; bot {per:.1f} ms a message"


def flood_line(mix: str, quiet: Load, loud: Load, args: argparse.Namespace) -> str:
    """The flooder's own figures, and how much everyone else's p95 moved."""
    found = figures(loud, loud.flood)
    before = percentile(figures(quiet, quiet.ordinary).latencies, 0.95)
    after = percentile(figures(loud, loud.ordinary).latencies, 0.95)
    return (
        f"  {mix} mix: {found.sent} sent at {args.flood_rate:g}/s, {found.answered} answered; "
        f"everyone else's p95 {1000 * before:.0f} -> {1000 * after:.0f} ms "
        f"({100 * (after - before) / before:+.0f}%)"
    )


def report(args: argparse.Namespace, reference: str, runs: dict[str, dict[str, Load]]) -> None:
    """Print every figure of the run: `runs` is mix -> ("no flood" | "with a flood") -> run."""
    mode = f"{args.replicas} engine(s)" + (", Redis, PostgreSQL" if args.scaled else ", SQLite")
    print(f"\nmake bench ({mode}); reference measured in the same run, quiet:\n{reference}")
    print(
        f"\nload: {args.rate:g} msg/s offered for {args.seconds:g} s from {args.users} people "
        f"in 5 languages; {args.tier1_users} new people send /start and at once an emergency "
        "message. Mixes: issue (ordinary questions: greet, thanks, who are you, and two "
        "topics whose answers are 3 bubbles: 1.8 bubbles a message), one-bubble (greet, "
        "thanks, who are you, goodbye, menu)"
    )
    print(
        f"{'':<32}{'offered':>8}{'carried':>9}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'lost':>6}{'order':>7}{'floor':>7}{'bubbles':>9}   (ms, msg/s)"
    )
    for mix, pair in runs.items():
        for name, load in pair.items():
            print(row(f"{mix} mix, {name}", figures(load, load.ordinary), args.rate))
    print("tier 1 under load (new people, /start then at once an emergency message):")
    for mix, pair in runs.items():
        for name, load in pair.items():
            print(danger_line(f"{mix} mix, {name}", load))
    print(f"one person flooding at {args.flood_rate:g} msg/s for {args.flood_seconds:g} s:")
    for mix, pair in runs.items():
        if "with a flood" in pair and "no flood" in pair:
            print(flood_line(mix, pair["no flood"], pair["with a flood"], args))
    print("CPU while the load was offered, cores (of 2), and the bot's CPU per carried message:")
    for mix, pair in runs.items():
        for name, load in pair.items():
            print(cpu_line(f"{mix} mix, {name}", load))
    peak = max(load.rss_mb for pair in runs.values() for load in pair.values())
    print(
        "RSS of the whole stack (sandbox, bot, engines, actions; Redis if it started one): "
        f"peak {peak:.0f} MB"
    )
    print(ISSUE_TARGETS)

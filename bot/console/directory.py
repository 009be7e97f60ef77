"""The Directory page: every hotline with its hours, "open now" (the core's clock and
hours parser), tiers, sources and last check, stale entries first; which placeholders
and messages show its number, and which routes (tier, place, language, age) offer it
right now, computed by the bot's own routing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.console.catalog import Message
from bot.console.html import badges, e, page, table
from bot.core import routing
from bot.core.directory import Directory, Entry
from bot.core.hotlines import stand_ins
from bot.core.types import LOCALES, WHERE, Profile

TIERS = {1: "tier 1", 2: "tier 2", 3: "tier 3", routing.HOTLIST: "hotline list"}
AGES = {False: "adults", True: "under-18s"}


def routes(directory: Directory, now: datetime) -> dict[str, list[str]]:
    """Per entry key: "tier 1: TH (en th), LA (lo) ..." for every route that shows it now."""
    found: dict[str, dict[str, set[str]]] = {}
    for tier in TIERS:
        for where in WHERE:
            for locale in LOCALES:
                for child in (False, True):
                    routed = routing.route(directory, tier, locale, Profile(where, child), now)
                    for entry in (*routed.local, *routed.from_thailand):
                        label = f"{TIERS[tier]} · {AGES[child]}"
                        places = found.setdefault(entry.key, {})
                        places.setdefault(label, set()).add(f"{where}:{locale}")
    return {key: _summary(by_label) for key, by_label in found.items()}


def _summary(by_label: dict[str, set[str]]) -> list[str]:
    lines = []
    for label, pairs in by_label.items():
        per_place: dict[str, list[str]] = {}
        for pair in sorted(pairs):
            where, locale = pair.split(":")
            per_place.setdefault(where, []).append(locale)
        places = "; ".join(f"in {w}: {' '.join(ls)}" for w, ls in per_place.items())
        lines.append(f"{label}: {places}")
    return lines


def shown_by(directory: Directory, entry: Entry, found: Iterable[Message]) -> list[str]:
    """The placeholders whose number is this line's now, and how many messages use them."""
    names = [
        name
        for name in sorted({*directory.placeholders, entry.key})
        if (line := directory.resolve(name)) is not None and line.key == entry.key
    ]
    texts = list(found)
    return [
        f"%({name})s in {sum(1 for m in texts if f'%({name})s' in m.msgid)} message(s)"
        for name in names
    ]


def status(entry: Entry, now: datetime) -> str:
    """Open now / closed now / hours unknown / withdrawn, as a label."""
    if entry.verified_on is None:
        return '<span class="flag">withdrawn: never shown</span>'
    if entry.is_open(now):
        return '<span class="open">open now</span>'
    return '<span class="closed">closed now</span>' if entry.hours_known else "hours unknown"


def row(entry: Entry, now: datetime, shown: list[str], offered: list[str]) -> list[str]:
    """One entry's cells (already HTML)."""
    stale = entry.is_stale(now.date())
    numbers = " / ".join(entry.numbers)
    if entry.from_abroad:
        numbers += f" · from abroad {' / '.join(entry.from_abroad)}"
    who = ", ".join(entry.serves) + (f" {entry.ages[0]}-{entry.ages[1]}" if entry.ages else "")
    if entry.offer_to:
        who += f" · offered to {' '.join(entry.offer_to)} readers"
    checked = f"{entry.verified_on or 'never'} by {entry.verified_by or '?'}"
    return [
        f"<strong>{e(entry.name)}</strong><br><small>{e(entry.organisation)} · "
        f"{e(entry.key)}</small>",
        e(numbers),
        status(entry, now),
        e(str(entry.hours)),
        e(" ".join(entry.languages)),
        e(f"{entry.country} · {who}"),
        e(", ".join(TIERS.get(t, str(t)) for t in entry.tiers)),
        e(entry.source),
        (badges(["stale: phone it"]) if stale else "") + e(checked),
        "<br>".join(e(x) for x in [*shown, *offered]) or "—",
    ]


def directory_page(
    directory: Directory | None, now: datetime, found: list[Message], csrf: str
) -> str:
    """Every entry, stale first, then by name."""
    if directory is None:
        body = (
            '<p class="refused">locales/hotlines.yml is missing or unreadable: the bot uses '
            "its built-in numbers (bot/core/hotlines.py). Fix the file and reload.</p>"
        )
        return page("Directory", body, csrf, "/directory")
    offered = routes(directory, now)
    entries = sorted(directory.entries, key=lambda x: (not x.is_stale(now.date()), x.name))
    rows = [row(x, now, shown_by(directory, x, found), offered.get(x.key, [])) for x in entries]
    head = ["Line", "Numbers", "Now", "Hours", "Languages", "Where · for whom", "Tiers"]
    head += ["Source", "Verified", "Shown by (numbers in messages; routes now)"]
    notes = "".join(f"<li>{e(x)}</li>" for x in stand_ins(directory, directory.placeholders))
    stale = sum(1 for x in directory.entries if x.is_stale(now.date()))
    body = (
        f'<p class="summary">Bangkok time {e(now.strftime("%Y-%m-%d %H:%M"))} · '
        f"{len(entries)} lines, {stale} due for a new phone check (listed first). Edit "
        "<code>locales/hotlines.yml</code> (its header explains every field), then "
        "reload on the Messages page.</p>"
        f"{f'<ul class=notes>{notes}</ul>' if notes else ''}" + table(head, rows, "directory")
    )
    return page("Directory", body, csrf, "/directory")

"""The numbers for staff, from case events only (no text, no ids): time to claim, to the
first operator reply, case duration, escalations, cases per desk and per language."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import median

Event = tuple[int, str, str, str, datetime]  # case id, kind, desk, locale, at


def _minutes(pairs: list[tuple[datetime, datetime]]) -> str:
    values = [(end - start).total_seconds() / 60 for start, end in pairs if end >= start]
    return f"{median(values):.1f}" if values else "-"


def figures(events: list[Event]) -> dict[str, str]:
    """Fill the FIGURES text from events, oldest first."""
    first: dict[tuple[int, str], datetime] = {}
    desks: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    escalated = 0
    for case_id, kind, desk, locale, at in events:
        first.setdefault((case_id, kind), at)
        if kind == "queued":
            desks[desk] += 1
            languages[locale] += 1
        escalated += kind == "escalated"
    cases = {case_id for case_id, kind in first if kind == "queued"}

    def spans(start: str, end: str) -> list[tuple[datetime, datetime]]:
        return [
            (first[(c, start)], first[(c, end)])
            for c in cases
            if (c, start) in first and (c, end) in first
        ]

    return {
        "cases": str(len(cases)),
        "closed": str(sum((c, "closed") in first for c in cases)),
        "claim": _minutes(spans("queued", "claimed")),
        "reply": _minutes(spans("queued", "first_reply")),  # as the person waits
        "duration": _minutes(spans("queued", "closed")),
        "escalated": str(escalated),
        "desks": ", ".join(f"{d} {n}" for d, n in desks.most_common()) or "-",
        "languages": ", ".join(f"{lo} {n}" for lo, n in languages.most_common()) or "-",
    }

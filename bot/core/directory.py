"""The hotline directory (locales/hotlines.yml): who can help, when, and how we know.

Only verified entries are ever shown (shared/spec/safety.md invariant 3); "open now" is
computed at the moment of asking; entries whose last verification is older than
STALE_AFTER are reported to staff. Numbers are ASCII digits (invariant 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

STALE_AFTER = timedelta(days=90)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = frozenset({"government", "iom_un", "ngo"})
_NUMBER = re.compile(r"^\+?[0-9][0-9 -]*[0-9]$")
_SPAN = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
REQUIRED = (
    "key",
    "name",
    "numbers",
    "organisation",
    "kind",
    "country",
    "languages",
    "hours",
    "tiers",
    "topics",
    "source",
)


class DirectoryError(ValueError):
    """The directory file breaks a rule; the message names the entry."""


@dataclass(frozen=True)
class Entry:
    """One hotline."""

    key: str
    name: str
    numbers: tuple[str, ...]
    organisation: str
    kind: str
    country: str
    languages: tuple[str, ...]
    always_open: bool
    hours_known: bool
    weekly: dict[str, tuple[time, time]]
    timezone: str
    tiers: tuple[int, ...]
    source: str
    verified_on: date | None
    verified_by: str
    topics: tuple[str, ...] = ()

    def is_open(self, now: datetime) -> bool:
        """Open at the given moment (an aware datetime), in the entry's own time zone."""
        if self.always_open:
            return True
        local = now.astimezone(ZoneInfo(self.timezone))
        span = self.weekly.get(DAYS[local.weekday()])
        return span is not None and span[0] <= local.time() < span[1]

    def is_stale(self, today: date) -> bool:
        """Verified too long ago (or never)."""
        return self.verified_on is None or today - self.verified_on > STALE_AFTER


def _hours(key: str, raw: Any) -> tuple[bool, bool, dict[str, tuple[time, time]], str]:
    if raw == "24/7":
        return True, True, {}, "Asia/Bangkok"
    if raw == "unknown":
        return False, False, {}, "Asia/Bangkok"
    if not isinstance(raw, dict) or not isinstance(raw.get("weekly"), dict):
        raise DirectoryError(f"{key}: hours must be '24/7', 'unknown' or {{timezone, weekly}}")
    weekly = {}
    for day, span in raw["weekly"].items():
        match = _SPAN.match(str(span))
        if day not in DAYS or not match:
            raise DirectoryError(f"{key}: bad opening hours {day}: {span!r} (use 08:30-16:30)")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        weekly[day] = (time(h1, m1), time(h2, m2))
    timezone = str(raw.get("timezone", "Asia/Bangkok"))
    ZoneInfo(timezone)  # an unknown zone raises here, at load time
    return False, True, weekly, timezone


def parse_entry(raw: dict[str, Any]) -> Entry:
    """One validated entry."""
    key = str(raw.get("key", "?"))
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise DirectoryError(f"{key}: missing {', '.join(missing)}")
    numbers = tuple(str(n) for n in raw["numbers"])
    if not numbers or not all(_NUMBER.match(n) for n in numbers):
        raise DirectoryError(
            f"{key}: numbers must be ASCII digits, e.g. '1300' or '+66 2 343 9300'"
        )
    if raw["kind"] not in KINDS:
        raise DirectoryError(f"{key}: kind must be one of {', '.join(sorted(KINDS))}")
    always, known, weekly, timezone = _hours(key, raw["hours"])
    verified = raw.get("verified") or {}
    on = verified.get("date")
    return Entry(
        key=key,
        name=str(raw["name"]),
        numbers=numbers,
        organisation=str(raw["organisation"]),
        kind=str(raw["kind"]),
        country=str(raw["country"]),
        languages=tuple(str(x) for x in raw["languages"]),
        always_open=always,
        hours_known=known,
        weekly=weekly,
        timezone=timezone,
        tiers=tuple(int(t) for t in raw["tiers"]),
        source=str(raw["source"]),
        verified_on=on if isinstance(on, date) else None,
        verified_by=str(verified.get("by", "")),
        topics=tuple(str(x) for x in raw["topics"]),
    )


@dataclass(frozen=True)
class Directory:
    """All entries; `shown` is what users may see."""

    entries: tuple[Entry, ...]

    @classmethod
    def load(cls, path: Path) -> Directory:
        """Read and validate the file; any broken entry refuses the whole file."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        entries = tuple(parse_entry(raw) for raw in data)
        keys = [e.key for e in entries]
        if len(set(keys)) != len(keys):
            raise DirectoryError("two entries share a key")
        return cls(entries)

    @property
    def shown(self) -> tuple[Entry, ...]:
        """Verified entries only: an unverified number is never shown."""
        return tuple(e for e in self.entries if e.verified_on is not None)

    def numbers(self) -> dict[str, str]:
        """Placeholder values (%(key)s) from the verified entries."""
        return {e.key: " / ".join(e.numbers) for e in self.shown}

    def open_now(self, now: datetime) -> tuple[Entry, ...]:
        """Verified entries open at `now`; 24-hour lines are always among them."""
        return tuple(e for e in self.shown if e.is_open(now))

    def stale(self, today: date) -> tuple[Entry, ...]:
        """Entries due for a new phone check."""
        return tuple(e for e in self.entries if e.is_stale(today))

"""Dated values that messages quote (locales/facts.yml), e.g. %(min_wage_range)s.

Every entry carries a value, a source and the date staff last checked it. An entry with
`kind: date` holds a date, and every entry's check date is offered as `<key>_checked`;
both are written in the reader's language and calendar (format_day): a Thai reader sees
the Buddhist era (6 ธันวาคม 2569), the others the Gregorian year with their own month
names, always in ASCII digits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from babel.dates import format_date

BUDDHIST_ERA = 543  # Thai years: B.E. = A.D. + 543
CHECKED = "_checked"  # suffix of the placeholder that shows when a fact was last checked
STALE_AFTER = dt.timedelta(days=90)  # like the directory: older checks are reported
# Babel's long date of each language, except Thai (Buddhist era) and English (day first,
# as English is read in South-East Asia)
BABEL_LOCALE = {"en": "en_GB", "my": "my", "km": "km", "lo": "lo"}


@dataclass(frozen=True)
class Facts:
    """Plain values (the same in every language) and dates (written per language)."""

    values: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dt.date] = field(default_factory=dict)
    checked: dict[str, dt.date] = field(default_factory=dict)  # key -> last check

    def stale(self, today: dt.date) -> list[str]:
        """Keys whose last check is older than STALE_AFTER (staff should look again)."""
        return sorted(k for k, day in self.checked.items() if today - day > STALE_AFTER)


def format_day(day: dt.date, locale: str) -> str:
    """A date as the reader writes it: Thai in the Buddhist era, ASCII digits everywhere."""
    if locale == "th":
        return f"{format_date(day, 'd MMMM', locale='th')} {day.year + BUDDHIST_ERA}"
    return str(format_date(day, "long", locale=BABEL_LOCALE.get(locale, "en_GB")))


def _day(value: Any, where: str) -> dt.date:
    """An ISO date (YAML may already have parsed it)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ValueError(f"facts.yml: {where} must be a date like 2026-03-31") from error


def read_facts(path: Path) -> Facts:
    """Read and check locales/facts.yml; ValueError names the first problem."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    facts = Facts()
    for key, entry in data.items():
        missing = {"value", "source", "checked"} - set(entry or {})
        if missing:
            raise ValueError(f"{path.name}: {key} lacks {', '.join(sorted(missing))}")
        kind = entry.get("kind", "text")
        if kind not in ("text", "date"):
            raise ValueError(f"{path.name}: {key}: kind is text or date, not {kind!r}")
        if kind == "date":
            facts.dates[str(key)] = _day(entry["value"], f"{key}.value")
        else:
            facts.values[str(key)] = str(entry["value"])
        checked = _day(entry["checked"], f"{key}.checked")
        facts.checked[str(key)] = checked
        facts.dates[f"{key}{CHECKED}"] = checked
    return facts


def load_facts(path: Path) -> dict[str, str]:
    """key -> value of the plain (non-date) facts; every entry must carry a value, a
    source and a check date."""
    return read_facts(path).values

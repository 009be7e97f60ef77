"""Opening hours: one format and one parser for the hotline directory and the operator desks.

Staff write hours the same way in locales/hotlines.yml and in a desks file:

    hours: "24/7"                                   # always open
    hours: unknown                                  # not known (directory only)
    hours: ["mon-fri 08:30-16:30", "sat 09:00-12:00"]  # weekly windows, local time

A window is a day or a range of days (`fri-mon` wraps round the week) and a span of
the same day; `24:00` ends a day. A night shift is written as two windows
(`mon-fri 22:00-24:00`, `tue-sat 00:00-06:00`). Times are read in a time zone the owner
of the hours gives (Bangkok for desks; the line's own zone for the directory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24/7"
UNKNOWN = "unknown"
_WINDOW = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))? "
    r"(\d\d):(\d\d)-(\d\d):(\d\d)$"
)
EXAMPLE = "'24/7', 'unknown' or a list like ['mon-fri 08:30-16:30']"


class HoursError(ValueError):
    """Hours written in a way the parser does not accept; the message shows the right way."""


@dataclass(frozen=True)
class Window:
    """Some weekdays (0 = Monday), from `start` to `end` minutes after midnight."""

    days: frozenset[int]
    start: int
    end: int
    text: str = ""  # as staff wrote it, for the staff's /directory view

    def covers(self, weekday: int, minute: int) -> bool:
        """True when this weekday and minute of the day fall inside the window."""
        return weekday in self.days and self.start <= minute < self.end

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Hours:
    """When something answers: always, at known weekly windows, or unknown."""

    always: bool = False
    known: bool = True
    windows: tuple[Window, ...] = ()

    def is_open(self, now: datetime, zone: tzinfo) -> bool:
        """Open at `now` (an aware datetime), reading the windows in `zone`; unknown hours
        count as closed here (callers decide whether to show such lines)."""
        if self.always:
            return True
        local = now.astimezone(zone)
        minute = local.hour * 60 + local.minute
        return any(w.covers(local.weekday(), minute) for w in self.windows)

    def __str__(self) -> str:
        if self.always:
            return ALWAYS
        if not self.known:
            return UNKNOWN
        return ", ".join(str(w) for w in self.windows)


ALWAYS_OPEN = Hours(always=True)
NOT_KNOWN = Hours(known=False)


def parse_window(text: str) -> Window:
    """One window such as 'mon-fri 08:30-16:30'."""
    match = _WINDOW.match(text.strip().lower())
    if not match:
        raise HoursError(f"{text!r} is not like 'mon-fri 08:30-16:30'")
    first, last = DAYS.index(match[1]), DAYS.index(match[2] or match[1])
    days = frozenset(d % 7 for d in range(first, first + (last - first) % 7 + 1))
    start = int(match[3]) * 60 + int(match[4])
    end = int(match[5]) * 60 + int(match[6])
    if int(match[4]) > 59 or int(match[6]) > 59 or not 0 <= start < end <= 24 * 60:
        raise HoursError(f"{text!r} must end after it starts, within one day (00:00-24:00)")
    return Window(days, start, end, " ".join(text.lower().split()))


def parse_hours(raw: object, allow_unknown: bool = True) -> Hours:
    """Hours as staff write them (see the module docstring); raises HoursError."""
    if raw == ALWAYS:
        return ALWAYS_OPEN
    if raw == UNKNOWN and allow_unknown:
        return NOT_KNOWN
    if not isinstance(raw, list) or not raw:
        raise HoursError(f"hours must be {EXAMPLE}")
    return Hours(windows=tuple(parse_window(str(item)) for item in raw))

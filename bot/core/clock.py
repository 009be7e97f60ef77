"""The one clock of the bot: what time it is, for everything that asks.

Opening hours ("open now"), desks, case timers, consent and retention times all read
`now()`; storage gets it injected (it may not import the core). Durations measured
inside one process (timeouts, typing) use time.monotonic: they are not the time of day.

Tests need night and day on demand, so `BOT_TEST_NOW` (an ISO 8601 moment with its
offset, e.g. 2026-11-28T02:30:00+07:00) sets the clock of a bot process to that moment
when it is first read; from there it runs at the normal speed, so timers and
escalations still fire. It is for tests only and is not part of shared/spec/runtime.md:
never set it in production, where the real clock decides which lines are open.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)
TEST_NOW = "BOT_TEST_NOW"
BANGKOK = ZoneInfo("Asia/Bangkok")  # desks, staff views and Thai lines read hours here
Clock = Callable[[], datetime]


@lru_cache(maxsize=8)
def _offset(raw: str) -> timedelta:
    """How far BOT_TEST_NOW moves the clock, fixed when the value is first read."""
    try:
        fixed = datetime.fromisoformat(raw)
    except ValueError:
        log.warning("%s is not an ISO 8601 moment; using the real clock", TEST_NOW)
        return timedelta(0)
    if fixed.tzinfo is None:
        log.warning("%s has no UTC offset; using the real clock", TEST_NOW)
        return timedelta(0)
    return fixed - datetime.now(timezone.utc)


def now() -> datetime:
    """An aware datetime (UTC): the real time, or the test moment plus the time since."""
    raw = os.environ.get(TEST_NOW, "").strip()
    offset = _offset(raw) if raw else timedelta(0)  # first: it reads the time itself
    return datetime.now(timezone.utc) + offset


def seconds() -> float:
    """Now as seconds since the epoch (for state that stores plain numbers)."""
    return now().timestamp()


def bangkok_now() -> datetime:
    """Now, in Bangkok time (what staff and desks read)."""
    return now().astimezone(BANGKOK)

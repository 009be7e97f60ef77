"""The time the directory's "open now" is computed at.

Tests need night and day on demand, so `BOT_TEST_NOW` (an ISO 8601 moment with its
offset, e.g. 2026-11-28T02:30:00+07:00) fixes the clock of a bot process. It is for
tests only and is not part of shared/spec/runtime.md: never set it in production, where
the real clock decides which lines are open.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

log = logging.getLogger(__name__)
TEST_NOW = "BOT_TEST_NOW"


def now() -> datetime:
    """An aware datetime: the fixed test moment when BOT_TEST_NOW is valid, else now."""
    raw = os.environ.get(TEST_NOW, "").strip()
    if raw:
        try:
            fixed = datetime.fromisoformat(raw)
        except ValueError:
            log.warning("%s is not an ISO 8601 moment; using the real clock", TEST_NOW)
        else:
            if fixed.tzinfo is not None:
                return fixed
            log.warning("%s has no UTC offset; using the real clock", TEST_NOW)
    return datetime.now(timezone.utc)

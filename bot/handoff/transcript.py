"""The user's last few messages to the bot, kept in memory only, for a case card.

Shown to operators only if the user agrees; never written to disk or the database, and
forgotten after a while or when the process stops (minimum data, safety.md invariant 8).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

KEEP = 6  # messages per user
MAX_AGE = 30 * 60.0  # seconds
MAX_USERS = 10_000


class RecentTexts:
    """A bounded, expiring memory of users' recent texts, by pseudonym."""

    def __init__(self) -> None:
        self._texts: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()

    def add(self, user: str, text: str) -> None:
        """Remember one text of a user."""
        texts = self._texts.setdefault(user, deque(maxlen=KEEP))
        texts.append((time.monotonic(), text[:500]))
        self._texts.move_to_end(user)
        while len(self._texts) > MAX_USERS:
            self._texts.popitem(last=False)

    def recent(self, user: str) -> list[str]:
        """The user's texts of the last MAX_AGE seconds, oldest first."""
        limit = time.monotonic() - MAX_AGE
        return [text for at, text in self._texts.get(user, ()) if at >= limit]

    def forget(self, user: str) -> None:
        """Drop a user's texts (once shared, or declined)."""
        self._texts.pop(user, None)

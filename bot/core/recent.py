"""Bounded memory of recent users: the bot keeps a little state per person in RAM (language,
place, consent choice, a quiz attempt), never for more than the most recent RECENT_USERS."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")
RECENT_USERS = 50_000  # how many users' state the bot keeps in memory


def remember_recent(cache: OrderedDict[K, V], key: K, value: V, limit: int = RECENT_USERS) -> None:
    """Keep a recent user's value, forgetting the least recent beyond `limit`."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > limit:
        cache.popitem(last=False)

"""The one keeper of each conversation's tier (#12.1): every other part reads it here.

The rules are bot/core/urgency/conversation.py; this keeps the result: in the state port
(this process, or Redis for every process) and in the database, so that a restart, a second
process, or an engine outage never changes the tier a case is routed by. Reads come from
the memo and fall back to the database within its deadline; writes to the database happen
after the reply (bot/core/record.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Protocol

from bot.core import clock as wall
from bot.core.record import Recorder
from bot.core.state import DAY, State, key
from bot.core.urgency import Verdict
from bot.core.urgency.conversation import ConversationTier, decayed, fold, fold_verdict, unread

MEMO_TTL = DAY


class TierStore(Protocol):
    """Where conversation tiers outlive the memo (the user table); may fail."""

    async def get_tier(self, user: str) -> str | None:
        """The stored record (JSON), or None when unknown or unreachable."""
        ...

    async def remember_tier(self, user: str, record: str) -> None:
        """Store the record (JSON); a failure only loses this write."""
        ...


def _dump(record: ConversationTier) -> str:
    return json.dumps(asdict(record))


def _load(raw: str | None) -> ConversationTier | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return ConversationTier(
            int(data["tier"]), tuple(str(s) for s in data["signs"]), float(data["at"]),
            int(data.get("unread", 0)),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return None


class TierBook:
    """Reads and changes the conversation tier of each person."""

    def __init__(
        self,
        state: State,
        store: TierStore | None,
        recorder: Recorder,
        clock: Callable[[], float] = wall.seconds,
    ) -> None:
        self._state = state
        self._store = store
        self._recorder = recorder
        self._clock = clock

    async def current(self, user: str) -> ConversationTier:
        """The person's conversation tier now (decay applied)."""
        record = _load(await self._state.get(key("tier", user)))
        if record is None and self._store is not None:
            record = _load(await self._store.get_tier(user))
            if record is not None:
                await self._state.put(key("tier", user), _dump(record), MEMO_TTL)
        return decayed(record or ConversationTier(), self._clock())

    async def note(self, user: str, tier: int, sign: str) -> ConversationTier:
        """One more sign of a tier (1-3; 4 changes nothing)."""
        before = await self.current(user)
        after = fold(before, tier, sign, self._clock())
        if after != before:
            await self._save(user, after)
        return after

    async def verdict(self, user: str, verdict: Verdict) -> ConversationTier:
        """What the gate saw in a turn: its tier and any coercion signs."""
        before = await self.current(user)
        after = fold_verdict(before, verdict, self._clock())
        if after != before:
            await self._save(user, after)
        return after

    async def unread(self, user: str) -> None:
        """A turn nobody could classify (the engine was down, the gate saw nothing)."""
        await self._save(user, unread(await self.current(user), self._clock()))

    async def _save(self, user: str, record: ConversationTier) -> None:
        raw = _dump(record)
        await self._state.put(key("tier", user), raw, MEMO_TTL)
        if self._store is not None:
            store = self._store
            self._recorder.later(user, lambda: store.remember_tier(user, raw))

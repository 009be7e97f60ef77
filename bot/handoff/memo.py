"""Whether a person has an open case, without asking the database on every turn.

Almost nobody has an open case, yet every turn must know (a case takes the turn instead of
the bot). The answer is kept in the state port (this process, or Redis for every process)
and changed by CaseBook at each event that opens or ends a case; the database is read,
within a short deadline, only when the memo does not know. Memo entries expire after
MEMO_TTL, so a process that missed an event (no Redis, two processes) is wrong for at most
that long.
"""

from __future__ import annotations

from bot.core.state import State, key
from bot.storage.handoff import OPEN, Case, HandoffStore

NONE = "0"  # the memo's value for "no open case"
MEMO_TTL = 600.0


class CaseMemo:
    """Open-case memo per pseudonym, kept by CaseBook."""

    def __init__(self, store: HandoffStore, state: State) -> None:
        self._store = store
        self._state = state

    async def open_case_of(self, user: str) -> Case | None:
        """The person's open case, if any; raises StoreUnavailable when the database must
        be asked and does not answer in time."""
        known = await self._state.get(key("case", user))
        if known == NONE:
            return None
        if known is not None and known.isdigit():
            case = await self._store.get(int(known))
            if case is not None and case.state in OPEN and case.user == user:
                return case
        case = await self._store.open_for_user(user)
        await self.remember(user, case)
        return case

    async def remember(self, user: str, case: Case | None) -> None:
        """Note a case that opened (or None: it ended)."""
        value = str(case.id) if case is not None and case.state in OPEN else NONE
        await self._state.put(key("case", user), value, MEMO_TTL)

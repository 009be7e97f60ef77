"""The tier of a conversation: pure rules over a small value the pipeline stores.

shared/spec/intents.md: the tier of a conversation is the most urgent tier seen so far
(1 beats 2 beats 3 beats 4), and a tier-3 problem together with a coercion sign
(documents withheld, debt, threats, confinement) counts as tier 2. Signs come from three
places, all told to `seen()`:
- the gate's verdict on a turn (its tier, and the coercion signs its model read);
- the engine's intent for a turn (bot/tiers.py maps it to a tier and a coercion sign);
- an answer of the short check that is a sign (bot/core/screening.py: its intent).

Decay (decided here, README "Safety"): the tier holds for `HOLD` (14 days) after the
latest sign, and every new sign renews it. After 14 days without a sign the conversation
is back to information (tier 4) and its signs are forgotten: someone who wrote about
unpaid wages last season is not met as a person at risk today, and a person in danger
who writes again within two weeks is still routed as one (a desk, the lines offered).

The value is small and plain (`as_dict`/`from_dict`), so the pipeline can keep it in
Redis or the database; nothing here stores or reads anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.tiers import COERCION_SIGNS, INFORMATION, tier_of

HOLD = timedelta(days=14)


@dataclass(frozen=True)
class ConversationTier:
    """What the conversation has shown so far: the most urgent tier and coercion signs."""

    worst: int = INFORMATION  # most urgent tier seen, before the coercion rule
    coercion: frozenset[str] = frozenset()  # coercion intents seen (bot/tiers.py)
    last_sign: datetime | None = None  # when the latest sign was seen (aware datetime)

    def held(self, now: datetime) -> bool:
        """Whether the latest sign is recent enough to count (see the decay above)."""
        return self.last_sign is not None and now - self.last_sign <= HOLD

    def tier(self, now: datetime) -> int:
        """The conversation's tier now: decay, then tier 3 + coercion counts as tier 2."""
        if not self.held(now):
            return INFORMATION
        if self.worst == 3 and self.coercion:
            return 2
        return self.worst

    def seen(
        self,
        now: datetime,
        *,
        tier: int | None = None,
        intent: str | None = None,
        coercion: Iterable[str] = (),
    ) -> ConversationTier:
        """The state after one more turn: a gate tier, an engine or check intent, or the
        coercion signs the gate read. A turn with no sign changes nothing."""
        tiers = [t for t in (tier, tier_of(intent) if intent else None) if t and t < INFORMATION]
        signs = {s for s in coercion if s in COERCION_SIGNS}
        if intent in COERCION_SIGNS:
            signs.add(intent)
        if not tiers and not signs:
            return self
        current = self if self.held(now) else ConversationTier()
        return ConversationTier(
            worst=min([current.worst, *tiers]),
            coercion=current.coercion | signs,
            last_sign=now,
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for Redis or a database column)."""
        return {
            "worst": self.worst,
            "coercion": sorted(self.coercion),
            "last_sign": self.last_sign.isoformat() if self.last_sign else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationTier:
        """The value as_dict() wrote; anything malformed reads as no sign yet."""
        try:
            worst = int(data.get("worst", INFORMATION))
            signs = frozenset(str(s) for s in data.get("coercion") or ()) & COERCION_SIGNS
            stamp = data.get("last_sign")
            last = datetime.fromisoformat(stamp) if stamp else None
        except (TypeError, ValueError, AttributeError):
            return cls()
        if not 1 <= worst <= INFORMATION or (last is not None and last.tzinfo is None):
            return cls()
        return cls(worst, signs, last)

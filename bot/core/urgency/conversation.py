"""The tier of a conversation: pure rules over a small value the pipeline stores.

shared/spec/intents.md: the tier of a conversation is the most urgent tier seen so far
(1 beats 2 beats 3 beats 4), and a tier-3 problem together with a coercion sign
(documents withheld, debt, threats, confinement) counts as tier 2. Signs come from:
- the gate's verdict on a turn: its tier, and the coercion signs its model read even in
  a message the engine takes for a wages problem (`fold_verdict`);
- the engine's answer: the tier of the intent it named, the intent as the sign;
- the short check: an answer that is a sign (bot/core/screening.py), its intent;
- turns nobody could read (the engine down, the gate saw nothing): `unread`.
bot/core/tierbook.py (the pipeline) keeps the value per person and calls these; nothing
here stores or reads anything.

Decay (decided here; README "Safety"): `DECAY` (14 days) after the latest sign the
conversation starts again at tier 4 with no signs; every sign renews it. A person in
danger who writes again within two weeks is still routed as one (desk, lines offered);
someone who asked about unpaid wages last season is not met as a person at risk today.
While some of a person's words went unread, a hand-off treats the conversation as at
least tier 2 (possible trafficking), never as information only (`for_routing`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.urgency.context import Verdict
from bot.tiers import COERCION_SIGNS, INFORMATION

DECAY = 14 * 24 * 3600.0  # seconds after the latest sign
MAX_SIGNS = 12  # sign names kept, oldest dropped
UNREAD_TIER = 2


@dataclass(frozen=True)
class ConversationTier:
    """The tier of one conversation and the names of the signs behind it (no words)."""

    tier: int = INFORMATION  # most urgent tier seen, the coercion rule applied
    signs: tuple[str, ...] = ()  # intent names (and the gate's sign names), oldest first
    at: float = 0.0  # unix time of the latest sign
    unread: int = 0  # turns since the latest sign that nobody could classify


def decayed(record: ConversationTier, now: float) -> ConversationTier:
    """An old record starts again from nothing."""
    if record.at and now - record.at > DECAY:
        return ConversationTier()
    return record


def fold(record: ConversationTier, tier: int, sign: str, now: float) -> ConversationTier:
    """The record after one more sign: a tier (4: none) and its name (an intent, a
    coercion intent the gate read, or "" for none). A sign renews the decay."""
    current = decayed(record, now)
    if tier >= INFORMATION and sign not in COERCION_SIGNS:
        return current  # information, or a name that is no sign: nothing changes
    signs = current.signs
    if sign:
        signs = tuple(dict.fromkeys((*signs, sign)))[-MAX_SIGNS:]
    most = min(current.tier, tier)
    if most == 3 and COERCION_SIGNS.intersection(signs):
        most = 2
    return ConversationTier(most, signs, now, current.unread)


def fold_verdict(record: ConversationTier, verdict: Verdict, now: float) -> ConversationTier:
    """The record after the gate's verdict on a turn: its tier, then each coercion sign."""
    if verdict.tier is not None:
        record = fold(record, verdict.tier, verdict.sign, now)
    for sign in sorted(verdict.coercion):
        record = fold(record, INFORMATION, sign, now)
    return record


def unread(record: ConversationTier, now: float) -> ConversationTier:
    """The record after a turn that could not be classified."""
    current = decayed(record, now)
    return replace(current, unread=current.unread + 1, at=current.at or now)


def for_routing(record: ConversationTier) -> int:
    """The tier a hand-off is routed and shown by."""
    return min(record.tier, UNREAD_TIER) if record.unread else record.tier

"""The conversation's tier: how urgent a person's whole conversation is, from its signs.

Pure rules (the "urgency" stream refines them); bot/core/tierbook.py keeps the result per
person and is the only place that changes it. What feeds it: the gate's verdicts, the
engine's tier answers, the short check's signs, and turns nobody could read (the engine
was down and the gate saw nothing).

- escalation: the most urgent tier seen wins;
- coercion: tier 3 together with a coercion sign counts as tier 2 (safety.md);
- decay: DECAY after the last sign the conversation starts again at tier 4;
- unread turns: while the engine could not read some of the person's words, a hand-off
  treats the conversation as at least tier 2 (possible trafficking), never as "information
  only"; the case card says how many turns went unread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.tiers import COERCION_SIGNS, INFORMATION

DECAY = 30 * 24 * 3600.0  # seconds after the last sign
MAX_SIGNS = 12  # names kept, oldest dropped
UNREAD_TIER = 2


@dataclass(frozen=True)
class ConversationTier:
    """The tier of one conversation and the names of the signs behind it (no words)."""

    tier: int = INFORMATION
    signs: tuple[str, ...] = ()
    at: float = 0.0  # unix time of the last sign
    unread: int = 0  # turns since the last sign that nobody could classify


def fold(record: ConversationTier, tier: int, sign: str, now: float) -> ConversationTier:
    """The record after one more sign of a tier."""
    current = decayed(record, now)
    signs = tuple(dict.fromkeys((*current.signs, sign)))[-MAX_SIGNS:] if sign else current.signs
    most = min(current.tier, tier)
    if most == 3 and COERCION_SIGNS.intersection(signs):
        most = 2
    return ConversationTier(most, signs, now, current.unread)


def unread(record: ConversationTier, now: float) -> ConversationTier:
    """The record after a turn that could not be classified."""
    current = decayed(record, now)
    return replace(current, unread=current.unread + 1, at=current.at or now)


def decayed(record: ConversationTier, now: float) -> ConversationTier:
    """An old record starts again from nothing."""
    if record.at and now - record.at > DECAY:
        return ConversationTier()
    return record


def for_routing(record: ConversationTier) -> int:
    """The tier a hand-off is routed and shown by."""
    return min(record.tier, UNREAD_TIER) if record.unread else record.tier

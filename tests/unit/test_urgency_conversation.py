"""The tier of a conversation (shared/spec/intents.md), pure rules over a small value."""

from __future__ import annotations

from bot.core.screening import BY_KEY
from bot.core.urgency.context import Verdict
from bot.core.urgency.conversation import (
    DECAY,
    ConversationTier,
    decayed,
    fold,
    fold_verdict,
    for_routing,
    unread,
)
from bot.tiers import tier_of

NOW = 1_800_000_000.0
DAY = 24 * 3600.0
NEW = ConversationTier()


def seen(record: ConversationTier, intent: str, at: float = NOW) -> ConversationTier:
    """What the pipeline does with an engine or short-check intent."""
    return fold(record, tier_of(intent), intent, at)


def test_a_new_conversation_is_information() -> None:
    assert NEW.tier == 4 and for_routing(NEW) == 4


def test_the_most_urgent_tier_seen_wins() -> None:
    record = seen(NEW, "report_unpaid_wages")
    assert record.tier == 3
    record = fold(record, 1, "phrase", NOW)
    assert record.tier == 1
    assert seen(record, "report_documents_withheld").tier == 1  # 1 beats 2


def test_tier_three_with_a_coercion_sign_counts_as_tier_two() -> None:
    wages = seen(NEW, "report_excessive_hours")
    assert wages.tier == 3
    # the gate read a debt in a message the engine took for a working-hours problem
    gate = Verdict(coercion=frozenset({"report_debt_bondage"}))
    assert fold_verdict(wages, gate, NOW).tier == 2
    # in either order, across turns
    first = fold_verdict(NEW, Verdict(coercion=frozenset({"report_threats"})), NOW)
    assert first.tier == 4  # a sign alone, nothing to go with it yet
    assert seen(first, "report_deception").tier == 2


def test_the_short_checks_signs_count() -> None:
    wages = seen(NEW, "report_unpaid_wages")
    assert seen(wages, BY_KEY["documents"].intent).tier == 2
    assert seen(wages, BY_KEY["leave"].intent).tier == 1


def test_a_turn_without_a_sign_changes_nothing() -> None:
    record = fold(NEW, 2, "phrase", NOW)
    assert seen(record, "ask_wages", NOW + DAY) == record
    assert fold_verdict(record, Verdict(), NOW + DAY) == record


def test_the_tier_decays_to_information_two_weeks_after_the_last_sign() -> None:
    record = fold_verdict(NEW, Verdict(1, "phrase", frozenset({"report_debt_bondage"})), NOW)
    assert decayed(record, NOW + DECAY) == record
    assert decayed(record, NOW + DECAY + 60) == NEW
    # a new sign after the decay starts from nothing: old signs are forgotten
    fresh = seen(record, "report_unpaid_wages", NOW + 20 * DAY)
    assert (fresh.tier, fresh.signs) == (3, ("report_unpaid_wages",))
    # a sign within the two weeks renews it
    renewed = seen(record, "report_unpaid_wages", NOW + 10 * DAY)
    assert decayed(renewed, NOW + 20 * DAY).tier == 1


def test_unread_turns_route_a_hand_off_as_at_least_tier_two() -> None:
    record = unread(NEW, NOW)
    assert record.unread == 1 and for_routing(record) == 2
    assert for_routing(unread(fold(NEW, 1, "phrase", NOW), NOW)) == 1

"""The tier of a conversation (shared/spec/intents.md), pure rules over a small value."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.screening import BY_KEY
from bot.core.urgency.conversation import HOLD, ConversationTier

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_a_new_conversation_is_information() -> None:
    assert ConversationTier().tier(NOW) == 4


def test_the_most_urgent_tier_seen_wins() -> None:
    state = ConversationTier().seen(NOW, intent="report_unpaid_wages")
    assert state.tier(NOW) == 3
    state = state.seen(NOW, tier=1)
    assert state.tier(NOW) == 1
    state = state.seen(NOW, intent="report_documents_withheld")
    assert state.tier(NOW) == 1  # 1 beats 2


def test_tier_three_with_a_coercion_sign_counts_as_tier_two() -> None:
    wages = ConversationTier().seen(NOW, intent="report_excessive_hours")
    assert wages.tier(NOW) == 3
    # the gate read a debt in a message the engine took for a wages problem
    assert wages.seen(NOW, coercion={"report_debt_bondage"}).tier(NOW) == 2
    # signs are remembered across turns, in either order
    first = ConversationTier().seen(NOW, coercion={"report_threats"})
    assert first.tier(NOW) == 4  # a sign alone, with nothing to go with it
    assert first.seen(NOW, intent="report_deception").tier(NOW) == 2


def test_the_short_checks_signs_count() -> None:
    documents, leave = BY_KEY["documents"], BY_KEY["leave"]
    state = ConversationTier().seen(NOW, intent="report_unpaid_wages")
    assert state.seen(NOW, intent=documents.intent).tier(NOW) == 2
    assert state.seen(NOW, intent=leave.intent).tier(NOW) == 1


def test_a_turn_without_a_sign_changes_nothing() -> None:
    state = ConversationTier().seen(NOW, tier=2)
    assert state.seen(NOW + timedelta(days=3), intent="ask_wages") is state
    assert state.seen(NOW, tier=None) is state


def test_the_tier_decays_to_information_after_two_weeks_without_a_sign() -> None:
    state = ConversationTier().seen(NOW, tier=1, coercion={"report_debt_bondage"})
    assert state.tier(NOW + HOLD) == 1
    assert state.tier(NOW + HOLD + timedelta(minutes=1)) == 4
    # a new sign renews the hold, and after a decay the old signs are forgotten
    later = NOW + timedelta(days=20)
    fresh = state.seen(later, intent="report_unpaid_wages")
    assert fresh.tier(later) == 3
    assert fresh.coercion == frozenset()
    renewed = state.seen(NOW + timedelta(days=10), intent="report_unpaid_wages")
    assert renewed.tier(NOW + timedelta(days=20)) == 1


def test_the_value_survives_a_round_trip_and_bad_data_reads_as_no_sign() -> None:
    state = ConversationTier().seen(NOW, intent="report_threats", coercion={"nonsense"})
    assert ConversationTier.from_dict(state.as_dict()) == state
    assert state.coercion == frozenset({"report_threats"})
    for bad in (
        {"worst": "x"},
        {"worst": 9},
        {"last_sign": "yesterday"},
        {"worst": 2, "last_sign": "2026-12-01T09:00:00"},
    ):
        assert ConversationTier.from_dict(bad) == ConversationTier()

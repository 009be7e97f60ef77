"""Keep the conversation's tier: the most urgent seen so far (shared/spec/safety.md)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

TIER_OF_INTENT: dict[str, int] = {
    **dict.fromkeys(
        [
            "emergency_help",
            "report_confinement",
            "report_violence",
            "report_sexual_exploitation",
            "report_forced_scam_work",
        ],
        1,
    ),
    **dict.fromkeys(
        [
            "report_documents_withheld",
            "report_debt_bondage",
            "report_threats",
            "report_child_labour",
            "report_third_party",
        ],
        2,
    ),
    **dict.fromkeys(["report_unpaid_wages", "report_deception", "report_excessive_hours"], 3),
}
COERCION_SIGNS = frozenset(
    {"report_documents_withheld", "report_debt_bondage", "report_threats", "report_confinement"}
)
INFORMATION = 4


def conversation_tier(intents: list[str]) -> int:
    """Most urgent tier of the intents so far; tier 3 plus a coercion sign counts as tier 2."""
    tiers = [TIER_OF_INTENT.get(intent, INFORMATION) for intent in intents]
    tier = min(tiers, default=INFORMATION)
    if tier == 3 and COERCION_SIGNS.intersection(intents):
        tier = 2
    return tier


class ActionTrackTier(Action):  # type: ignore[misc]
    """Record the conversation tier in the `tier` slot after every classified turn."""

    def name(self) -> str:
        """The action's name in domain.yml."""
        return "action_track_tier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Compute the tier from every user intent of this conversation."""
        intents = [
            str(event.get("parse_data", {}).get("intent", {}).get("name"))
            for event in tracker.events
            if event.get("event") == "user"
        ]
        return [SlotSet("tier", float(conversation_tier(intents)))]

"""Keep the conversation's tier: the most urgent seen so far (shared/spec/safety.md)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.tiers import conversation_tier


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

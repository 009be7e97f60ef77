"""Custom actions for the Rasa action server: rasa run actions --actions bot.actions."""

from bot.actions.tier import ActionTrackTier

__all__ = ["ActionTrackTier"]

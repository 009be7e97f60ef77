"""Urgency: the one owner of how urgent a turn and a conversation are (shared/spec/safety.md).

- `Gate.screen(text)` is the first step of every turn, whatever its kind (text, command,
  caption, edit, button that carries text, mid-case message). It is cheap, bounded and
  pure: it runs before any queue, lock, database read or engine call, and decides whether
  the bot answers with emergency numbers at once (tier 1) or must bring a hotline even if
  the engine fails (tier 2).
- the phrase lists and context cues staff edit live in locales/safety_net/<lang>.yml
  (`net.py`); `context.py` tells a disclosure from a question; `matching.py` makes the
  match blind to spacing, punctuation and look-alike letters; `model.py` reads danger said
  in other words; `conversation.py` keeps the tier of a conversation.
- intent -> tier is bot/tiers.py (standard library only, so Rasa components share it);
  `intent_tier` is how the rest of the bot reads the tier of an intent the engine named.

Every other module reads a `Verdict` from here and never decides a tier itself.
"""

from bot.core.urgency.context import Verdict
from bot.core.urgency.gate import Gate
from bot.core.urgency.net import SafetyNet
from bot.tiers import tier_of as intent_tier

__all__ = ["Gate", "SafetyNet", "Verdict", "intent_tier"]

"""TierOneGuard: plausible danger wins, but a question about danger is still a question.

shared/spec/safety.md: "Tier 1 wins" (invariant 2) and "no false alarms" (invariant 11).
After the classifier and the fallback, the guard looks at the message in context with the
same rules, cues and model as the bot's gate (bot/core/urgency: context.py, the cues of
locales/safety_net/<lang>.yml, the gate's model; the classifier's own scores if that
model cannot be had), so the gate and the engine judge a question the same way:
- an *information question* ("is sex work legal in Thailand?", "is this job in KK Park
  real?") is never promoted to a tier-1 intent, and a tier-1 intent on top gives way to
  the best other intent, so the person gets the information they asked for;
- otherwise, if a tier-1 intent holds at least `threshold` confidence it comes first, so
  a person who may be in danger gets the emergency numbers rather than a brochure. A
  person who writes in the first person about danger now is never held back by doubt.
  When the gate's model is there, it must agree a little (a tier-1 phrase, "me … now",
  or its own tier-1 share reaching `threshold`): everyday words such as "my wife sells
  at the market" (violence 0.24 under small_talk 0.29) are not lifted to an emergency.
Runs last, so the fallback cannot undo it.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.urgency.context import Scan, information_question, some_danger
from bot.core.urgency.matching import match_form
from bot.core.urgency.model import Scores, TierModel, load_or_train
from bot.core.urgency.net import SafetyNet
from bot.settings import LOCALES_DIR, MODELS_DIR, PROJECT_DIR
from bot.text.normalize import normalize
from bot.tiers import TIER1, TIER2

log = logging.getLogger(__name__)
FALLBACK = "nlu_fallback"
Ranking = list[dict[str, Any]]


def scores_of(ranking: Ranking) -> Scores:
    """The classifier's own reading, in the gate's terms (shares of the intent groups)."""
    shares = [r for r in ranking if r["name"] != FALLBACK]
    return Scores(
        danger=sum(float(r["confidence"]) for r in shares if r["name"] in TIER1),
        risk=sum(float(r["confidence"]) for r in shares if r["name"] in TIER2),
        asking=sum(float(r["confidence"]) for r in shares if str(r["name"]).startswith("ask_")),
    )


def rerank(
    ranking: Ranking, threshold: float, scan: Scan | None = None, scores: Scores | None = None
) -> Ranking:
    """The ranking with plausible danger first, or with danger out of the way of a
    question for information (scan: the message's cues, None: no context known; scores:
    the gate model's reading, None: the classifier's own)."""
    if not ranking:
        return ranking
    if scan is not None and information_question(scan, scores or scores_of(ranking)):
        if ranking[0]["name"] not in TIER1:
            return ranking
        others = [r for r in ranking if r["name"] not in TIER1]
        return [*others, *(r for r in ranking if r["name"] in TIER1)] if others else ranking
    if scan is not None and scores is not None and not some_danger(scan, scores, threshold):
        return ranking  # the classifier alone, faintly: "my wife sells at the market"
    return promote(ranking, threshold)


def promote(ranking: Ranking, threshold: float) -> Ranking:
    """The ranking with the best tier-1 intent first if it reaches threshold."""
    if not ranking or ranking[0]["name"] in TIER1:
        return ranking
    danger = next((r for r in ranking if r["name"] in TIER1), None)
    if danger is None or danger["confidence"] < threshold:
        return ranking
    return [danger, *(r for r in ranking if r is not danger)]


def load_net() -> SafetyNet | None:
    """The phrase files' cues; without them the guard promotes as before, never worse."""
    try:
        return SafetyNet.load(LOCALES_DIR / "safety_net")
    except Exception as error:  # unreadable cues must not stop the engine
        log.error("safety net cues unreadable, tier-1 guard without context: %s", error)
        return None


def load_model() -> TierModel | None:
    """The gate's model; without it the guard reads the classifier's own scores."""
    try:
        return load_or_train(PROJECT_DIR, MODELS_DIR)
    except Exception as error:  # the engine must start without it
        log.error("gate model unavailable, tier-1 guard reads the classifier: %s", error)
        return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TierOneGuard(GraphComponent):  # type: ignore[misc]
    """Re-rank after the classifier: plausible danger first, questions left as questions."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The confidence a tier-1 intent needs to win."""
        return {"threshold": 0.2}

    def __init__(
        self, config: dict[str, Any], net: SafetyNet | None = None, model: TierModel | None = None
    ) -> None:
        self._threshold = float({**self.get_default_config(), **config}["threshold"])
        self._net, self._model = net, model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TierOneGuard:
        """Build the component (nothing to train); cues and model are read when it starts."""
        return cls(config, load_net(), load_model())

    def read(self, text: str) -> tuple[Scan | None, Scores | None]:
        """The message's cues and the gate model's scores, as the gate reads them."""
        if self._net is None or not text:
            return None, None
        form = match_form(normalize(text, squeeze_spaces=False))
        return self._net.scan(form), self._model.scores(form) if self._model else None

    def scan(self, text: str) -> Scan | None:
        """The message's cues alone."""
        return self.read(text)[0]

    def process(self, messages: list[Message]) -> list[Message]:
        """Re-rank each message."""
        for message in messages:
            ranking = list(message.get("intent_ranking") or [])
            scan, scores = self.read(str(message.get(TEXT) or ""))
            ranking = rerank(ranking, self._threshold, scan, scores)
            if ranking:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set("intent_ranking", ranking, add_to_output=True)
        return messages

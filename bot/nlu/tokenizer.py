"""SeaTokenizer: Rasa tokenizer for Thai, Lao, Khmer, Burmese and Latin text."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.text.normalize import normalize
from bot.text.segment import segment, warm_up


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SeaTokenizer(Tokenizer):  # type: ignore[misc]
    """Normalise (NFC, invisible characters, Zawgyi, repeats), then segment per script."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's tokenizer options; intents are never split."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SeaTokenizer:
        """Build the component (nothing to train or persist) with its segmenters loaded."""
        warm_up()
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Tokens of one attribute; offsets point into the original text where possible."""
        original = message.get(attribute) or ""
        tokens: list[Token] = []
        position = 0
        for word in segment(normalize(original)):
            found = original.find(word, position)
            start = found if found >= 0 else position
            tokens.append(Token(word, start))
            position = start + len(word) if found >= 0 else position
        return self._apply_token_pattern(tokens)  # type: ignore[no-any-return]

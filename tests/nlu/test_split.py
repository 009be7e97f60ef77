"""Held-out sets are held out: no sentence is both trained on and tested on (#12.6).

Compared after normalising and lower-casing (`sentence_key`), against every language's
training data (one model reads all five), and dev against test.
"""

from __future__ import annotations

import pytest

from bot.core.types import LOCALES
from bot.engine.nlu_eval import heldout_path, read_examples, sentence_key, training_examples


@pytest.fixture(scope="module")
def trained() -> set[str]:
    return {sentence_key(text) for text, _ in training_examples()}


@pytest.mark.parametrize("split", ["dev", "test"])
@pytest.mark.parametrize("locale", LOCALES)
def test_no_heldout_sentence_is_in_the_training_data(
    trained: set[str], locale: str, split: str
) -> None:
    examples = read_examples(heldout_path(locale, split))
    shared = sorted({text for text, _ in examples if sentence_key(text) in trained})
    assert not shared, f"{split}_{locale}.yml sentences also in intents/: {shared[:10]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_dev_and_test_share_no_sentence(locale: str) -> None:
    dev = {sentence_key(t) for t, _ in read_examples(heldout_path(locale, "dev"))}
    test = {sentence_key(t) for t, _ in read_examples(heldout_path(locale, "test"))}
    assert not dev & test, sorted(dev & test)[:10]


def test_the_check_catches_a_copied_sentence(trained: set[str]) -> None:
    """The comparison is not fooled by case, spacing or an invisible character."""
    text, _ = training_examples()[0]
    assert sentence_key(f"  {text.upper()}\u200b!") in trained


def test_no_safety_benchmark_sentence_is_trained_on_or_in_two_sets(trained: set[str]) -> None:
    """tests/safety/ measures the bot on words it has not seen (its README)."""
    from bot.engine.safety_sets import all_cases

    seen: dict[str, str] = {}
    for case in all_cases(LOCALES):
        key = sentence_key(case.text)
        assert key not in trained, f"{case.set}_{case.locale}: {case.text!r} is in intents/"
        # the same command or 🆘 is sent in every language's forms set; never in two sets
        assert seen.setdefault(key, case.set) == case.set, (
            f"{case.text!r}: {seen[key]}, {case.set}"
        )

"""The trained model on the held-out test sets (tests/nlu/test_<lang>.yml, never tuned on).

A floor, not the target: `make eval-nlu` prints the full figures (README "NLU").
"""

from __future__ import annotations

import os

import pytest

from bot.core.types import LOCALES
from bot.engine.fingerprint import model_path
from bot.engine.nlu_eval import Score, evaluate, heldout_path, read_examples

FLOOR = 0.85


@pytest.fixture(scope="module")
def scores() -> dict[str, Score]:
    model = model_path()
    if not model.exists():
        if os.environ.get("CI"):
            pytest.fail("no trained model: `make test` trains it before pytest")
        pytest.skip("no trained model for the current data (run `make model`)")
    return {
        locale: evaluate(model, read_examples(heldout_path(locale, "test"))) for locale in LOCALES
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_heldout_accuracy_stays_above_the_floor(scores: dict[str, Score], locale: str) -> None:
    assert scores[locale].n >= 33 * 5
    assert scores[locale].accuracy >= FLOOR, scores[locale].confusions

"""Held-out sub-topic questions get their specific answer (issue #16).

tests/nlu/subtopics.yml holds sentences written apart from the training data and from the
keywords of locales/subtopics.yml. A floor, not the target: `make eval-subtopics` prints
the figures per language and split (README "Sub-topics").
"""

from __future__ import annotations

import os

import pytest

from bot.core.subtopics import SubtopicBook, folded
from bot.core.types import LOCALES
from bot.engine.eval_subtopics import Case, figures, read_cases
from bot.engine.fingerprint import model_path
from bot.engine.nlu_eval import (
    heldout_path,
    predict,
    read_examples,
    sentence_key,
    training_examples,
)
from bot.settings import LOCALES_DIR

FLOOR = 0.85  # end to end, on the test split of each language
BOOK = SubtopicBook.load(LOCALES_DIR / "subtopics.yml")
CASES = read_cases()


def test_every_language_has_test_and_dev_sentences_for_every_subtopic() -> None:
    wanted = {s.answer for s in BOOK.subtopics} | {"ask_return_home"}
    for locale in LOCALES:
        for split in ("dev", "test"):
            found = {c.answer for c in CASES if c.locale == locale and c.split == split}
            assert found == wanted, (locale, split, wanted ^ found)


def test_no_subtopic_sentence_is_trained_on_or_used_as_a_keyword() -> None:
    trained = {sentence_key(text) for text, _ in training_examples()}
    keywords = {k for s in BOOK.subtopics for words in s.keywords.values() for k in words}
    for case in CASES:
        assert sentence_key(case.text) not in trained, case.text
        assert folded(case.text).strip() not in keywords, case.text


def test_each_sentence_is_also_in_the_held_out_intent_set() -> None:
    for locale in LOCALES:
        for split in ("dev", "test"):
            held = set(read_examples(heldout_path(locale, split)))
            mine = {(c.text, c.intent) for c in CASES if c.locale == locale and c.split == split}
            assert mine <= held, sorted(mine - held)[:3]


@pytest.fixture(scope="module")
def predicted() -> list[str]:
    model = model_path()
    if not model.exists():
        if os.environ.get("CI"):
            pytest.fail("no trained model: `make test` trains it before pytest")
        pytest.skip("no trained model for the current data (run `make model`)")
    return predict(model, [(c.text, c.intent) for c in CASES]).predicted


@pytest.mark.parametrize("locale", LOCALES)
def test_specific_questions_get_their_specific_answer(predicted: list[str], locale: str) -> None:
    index = [i for i, c in enumerate(CASES) if c.locale == locale and c.split == "test"]
    cases: list[Case] = [CASES[i] for i in index]
    found = figures(BOOK, cases, [predicted[i] for i in index])
    assert found.answer >= FLOOR, found

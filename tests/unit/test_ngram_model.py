"""The n-gram model: SVM margins, and a Naive Bayes share only where cross-validation wants it."""

from __future__ import annotations

import numpy as np

from bot.nlu import ngram_model

CONFIG = {
    "word_ngrams": [1, 2],
    "char_ngrams": [1, 4],
    "C": 1.0,
    "nb_weights": [0.5, 1.0, 2.0],
    "nb_alpha": 0.03,
    "selection_folds": 3,
    "min_gain": 0.005,
}
TOPICS = {
    "sport": ["the team won the match", "a goal in the final minute", "the coach of the team"],
    "health": ["the doctor gave medicine", "a fever and a cough", "the hospital nurse helped"],
    "travel": ["the train to the border", "a cheap hotel near the station", "our bus ticket"],
}


def _data(copies: int) -> tuple[list[str], list[str]]:
    texts = [t for texts in TOPICS.values() for t in texts] * copies
    labels = [label for label, texts in TOPICS.items() for _ in texts] * copies
    return texts, labels


def test_a_trained_model_ranks_the_right_topic_first() -> None:
    model = ngram_model.train(*_data(4), CONFIG)
    scores = model.scores(
        ["the coach and the team", "medicine for a cough", "a bus to the border"]
    )
    assert [str(model.labels[i]) for i in scores.argmax(axis=1)] == ["sport", "health", "travel"]


def test_without_a_naive_bayes_share_scores_are_the_svm_margins() -> None:
    model = ngram_model.train(*_data(4), {**CONFIG, "nb_weights": []})
    texts = ["a goal for the team"]
    assert model.nb is None and model.nb_weight == 0
    margins = model.svm.decision_function(model.features(texts))
    assert np.allclose(model.scores(texts), margins)


def test_blend_with_no_weight_leaves_margins_unchanged_and_a_share_moves_them() -> None:
    margins = np.array([[1.0, -0.5, -1.0]])
    log_probs = np.log(np.array([[0.1, 0.8, 0.1]]))
    assert np.allclose(ngram_model.blend(margins, log_probs, 0.0), margins)
    assert ngram_model.blend(margins, log_probs, 2.0).argmax() == 1


def test_too_few_examples_per_class_for_the_folds_keep_the_svm_alone() -> None:
    model = ngram_model.train(*_data(1), {**CONFIG, "selection_folds": 5})
    assert model.nb_weight == 0 and model.nb is None

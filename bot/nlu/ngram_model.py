"""The n-gram model behind NgramSvmClassifier: TF-IDF n-grams, a linear SVM, and a Naive
Bayes share chosen on the training data itself.

A linear SVM is the best single model for the bot's intents (short messages, about 40
intents in five languages). On longer, topical texts a Naive Bayes view of the same
features adds what the SVM underweights: rare words that are strong evidence for one
class (SIB-200 dev, README "NLU"). Rather than fix the mix for one kind of data, training
measures it: k-fold cross-validation on the training examples scores the SVM alone and the
SVM plus each candidate share of ComplementNB, and keeps a share only when it beats the
SVM alone by `min_gain`. On the bot's intents that picks 0 (the SVM alone, as before).

Scores are SVM margins plus `nb_weight` times the Naive Bayes log-probabilities brought
to the margins' spread, so with `nb_weight` 0 they are exactly the SVM's margins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC


def _words(text: str) -> list[str]:
    return text.split(" ")


@dataclass
class NgramModel:
    """Fitted vectorisers and classifiers; `scores` gives one row of class scores per text."""

    words: TfidfVectorizer
    chars: TfidfVectorizer
    svm: LinearSVC
    nb: ComplementNB | None
    nb_weight: float

    @property
    def labels(self) -> NDArray[Any]:
        """Class names, in the order of the score columns."""
        return np.asarray(self.svm.classes_)

    def features(self, texts: Sequence[str]) -> csr_matrix:
        """Word and character n-gram TF-IDF features of segmented texts."""
        return hstack([self.words.transform(texts), self.chars.transform(texts)]).tocsr()

    def scores(self, texts: Sequence[str]) -> NDArray[Any]:
        """Class scores, one row per text (higher is more likely)."""
        features = self.features(texts)
        margins = np.asarray(np.atleast_2d(self.svm.decision_function(features)))
        if self.nb is None or self.nb_weight == 0:
            return margins
        return blend(margins, np.asarray(self.nb.predict_log_proba(features)), self.nb_weight)


def blend(margins: NDArray[Any], log_probs: NDArray[Any], weight: float) -> NDArray[Any]:
    """SVM margins plus weight x Naive Bayes log-probabilities scaled to the margins' spread."""
    centred = log_probs - log_probs.mean(axis=1, keepdims=True)
    spread = margins.std(axis=1, keepdims=True) / (centred.std(axis=1, keepdims=True) + 1e-9)
    return np.asarray(margins + weight * spread * centred)


def vectorisers(config: dict[str, Any]) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Unfitted word and character n-gram vectorisers."""
    words = TfidfVectorizer(
        tokenizer=_words,
        token_pattern=None,
        lowercase=False,
        sublinear_tf=True,
        ngram_range=tuple(config["word_ngrams"]),
    )
    chars = TfidfVectorizer(
        analyzer="char_wb", sublinear_tf=True, ngram_range=tuple(config["char_ngrams"])
    )
    return words, chars


def _fit_pair(features: csr_matrix, labels: NDArray[Any], config: dict[str, Any]) -> Any:
    # seeded: liblinear shuffles its coordinates, so an unseeded fit can wobble between runs
    svm = LinearSVC(C=config["C"], class_weight="balanced", random_state=0)
    svm.fit(features, labels)
    nb = ComplementNB(alpha=config["nb_alpha"]).fit(features, labels)
    return svm, nb


def choose_nb_weight(features: csr_matrix, labels: NDArray[Any], config: dict[str, Any]) -> float:
    """The Naive Bayes share that cross-validates best; 0 unless one wins by min_gain."""
    candidates = [float(w) for w in config["nb_weights"] if w > 0]
    folds = int(config["selection_folds"])
    smallest_class = int(np.unique(labels, return_counts=True)[1].min())
    if not candidates or folds < 2 or smallest_class < folds:
        return 0.0
    right = np.zeros(len(candidates) + 1)
    splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(features, labels)
    for train, held_out in splits:
        svm, nb = _fit_pair(features[train], labels[train], config)
        margins = np.atleast_2d(svm.decision_function(features[held_out]))
        log_probs = nb.predict_log_proba(features[held_out])
        gold = labels[held_out]
        for i, weight in enumerate([0.0, *candidates]):
            predicted = svm.classes_[blend(margins, log_probs, weight).argmax(axis=1)]
            right[i] += np.sum(predicted == gold)
    accuracy = right / len(labels)
    best = int(accuracy.argmax())
    if best and accuracy[best] >= accuracy[0] + config["min_gain"]:
        return candidates[best - 1]
    return 0.0


def train(texts: Sequence[str], labels: Sequence[str], config: dict[str, Any]) -> NgramModel:
    """Fit the vectorisers, choose the Naive Bayes share, fit the final classifiers."""
    words, chars = vectorisers(config)
    features = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    gold = np.asarray(labels)
    weight = choose_nb_weight(features, gold, config)
    svm, nb = _fit_pair(features, gold, config)
    return NgramModel(words, chars, svm, nb if weight else None, weight)

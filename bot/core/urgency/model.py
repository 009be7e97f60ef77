"""The gate's own reading of a message: a small model of the intents, inside the bot.

Danger phrases catch the words staff listed; people say the same thing in endless other
ways ("the manager struck me", "captain dont allow us off the ship"). The gate therefore
also scores each message with a linear model over character n-grams of its match form,
trained on the engine's own examples (intents/), and sums the scores of the tier-1
intents (`danger`), the tier-2 intents (`risk`) and the information intents (`asking`).
It needs no segmenter and no engine: about a millisecond a message, with the engine down.

Everyday words ("my name is …", "my phone broke") are the `small_talk` intent: neither
danger, risk nor asking. Without it, nearly every first-person sentence read as a
disclosure, since the other intents are all questions or disclosures.

The model is trained once per version of intents/ (a few seconds) and cached in models/
as gate-<fingerprint>.joblib, like the engine's model.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import yaml

from bot.core.urgency.matching import match_form
from bot.text.normalize import normalize
from bot.tiers import COERCION_SIGNS, TIER1, TIER2

log = logging.getLogger(__name__)
VERSION = "2"  # raise when the features or the classifier change
READ = 1024  # characters of a message the model reads (a bounded cost; phrases read it all)
TEMPERATURE = 5.0  # softmax sharpness over the SVM's margins (as the engine's classifier)
COERCION = (
    0.25  # share of a coercion intent (documents, debt, threats, confinement) read as a sign
)
_CODE = ("bot/core/urgency/model.py", "bot/core/urgency/matching.py", "bot/text/normalize.py")


@dataclass(frozen=True)
class Scores:
    """How much a message reads like each kind of intent (shares that sum to at most 1)."""

    danger: float = 0.0  # tier-1 intents
    risk: float = 0.0  # tier-2 intents
    asking: float = 0.0  # ask_* intents: a question for information
    coercion: frozenset[str] = frozenset()  # coercion intents read with at least COERCION


def read_intents(folder: Path) -> list[tuple[str, str]]:
    """(text, intent) of every training example under folder (Rasa NLU YAML)."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(folder.glob("**/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            for line in str(item.get("examples", "")).splitlines():
                if line.strip().startswith("- ") and "intent" in item:
                    pairs.append((line.strip()[2:].strip(), str(item["intent"])))
    return pairs


class TierModel:
    """Character n-gram TF-IDF and a linear SVM over the intents."""

    def __init__(self, vectorizer: Any, svm: Any) -> None:
        self._vectorizer, self._svm = vectorizer, svm
        labels = [str(label) for label in svm.classes_]
        self._coercion = [(i, label) for i, label in enumerate(labels) if label in COERCION_SIGNS]
        self._masks = {
            "danger": np.array([label in TIER1 for label in labels]),
            "risk": np.array([label in TIER2 for label in labels]),
            "asking": np.array([label.startswith("ask_") for label in labels]),
        }

    @classmethod
    def train(cls, examples: list[tuple[str, str]]) -> TierModel:
        """Fit on (text, intent) pairs."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        forms = [match_form(normalize(text)) for text, _ in examples]
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True, min_df=2
        )
        features = vectorizer.fit_transform(forms)
        svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0)  # the same model each time
        svm.fit(features, [intent for _, intent in examples])
        return cls(vectorizer, svm)

    def scores(self, form: str) -> Scores:
        """Scores of one message in match form."""
        margins = self._svm.decision_function(self._vectorizer.transform([form[:READ]]))[0]
        shares = np.exp((margins - margins.max()) * TEMPERATURE)
        shares /= shares.sum()
        signs = frozenset(label for i, label in self._coercion if shares[i] >= COERCION)
        totals = {name: float(shares[mask].sum()) for name, mask in self._masks.items()}
        return Scores(**totals, coercion=signs)

    def save(self, path: Path) -> None:
        """Write the model (atomically: several bot processes may start at once)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{id(self)}.tmp")
        joblib.dump((self._vectorizer, self._svm), partial)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> TierModel:
        """Read a model written by save()."""
        vectorizer, svm = joblib.load(path)
        return cls(vectorizer, svm)


def fingerprint(project: Path) -> str:
    """Hash of what the model depends on: the training examples and this code."""
    digest = hashlib.sha256(VERSION.encode())
    paths = sorted((project / "intents").glob("**/*.yml")) + [project / p for p in _CODE]
    for path in paths:
        if path.exists():
            digest.update(path.relative_to(project).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_or_train(project: Path, cache: Path) -> TierModel:
    """The model for the current intents/: from the cache, or trained and cached."""
    path = cache / f"gate-{fingerprint(project)}.joblib"
    if path.exists():
        try:
            return TierModel.load(path)
        except Exception as error:  # a torn or foreign file: train again
            log.warning("gate model unreadable, training again: %s", type(error).__name__)
    model = TierModel.train(read_intents(project / "intents"))
    try:
        model.save(path)
        for old in sorted(cache.glob("gate-*.joblib"), key=lambda p: p.stat().st_mtime)[:-3]:
            old.unlink(missing_ok=True)
    except OSError as error:  # a read-only deploy still gets the model, just not cached
        log.warning("gate model not cached: %s", type(error).__name__)
    return model

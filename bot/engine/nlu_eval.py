"""Score an NLU model on labelled examples: accuracy, macro-F1, tier-1 recall, confusions.

Held-out sets (tests/nlu/, README "NLU"): `dev_<lang>.yml` is the one thresholds and
changes are tuned on; `test_<lang>.yml` is the held-out figure, never tuned on. Neither
shares a sentence with intents/ (compared by `sentence_key`; tests/nlu/test_split.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.core.urgency.context import Scan
from bot.core.urgency.model import Scores
from bot.nlu.tier_guard import TierOneGuard, rerank
from bot.settings import PROJECT_DIR
from bot.text.normalize import normalize
from bot.tiers import TIER1

HELDOUT_DIR = PROJECT_DIR / "tests" / "nlu"
SPLITS = ("dev", "test")
FALLBACK = "nlu_fallback"
Ranking = list[dict[str, Any]]


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for item in data.get("nlu", []):
        for line in str(item.get("examples", "")).splitlines():
            if line.strip().startswith("- "):
                pairs.append((line.strip()[2:].strip(), str(item["intent"])))
    return pairs


def sentence_key(text: str) -> str:
    """What makes two sentences "the same" for the held-out check: the normalised text,
    lower-cased, spaces collapsed, without punctuation around it."""
    return re.sub(r"\s+", " ", normalize(text).casefold()).strip(" .,!?…'\"")


def heldout_path(locale: str, split: str) -> Path:
    """tests/nlu/dev_<lang>.yml or tests/nlu/test_<lang>.yml."""
    return HELDOUT_DIR / f"{split}_{locale}.yml"


def training_examples(root: Path = PROJECT_DIR) -> list[tuple[str, str]]:
    """Every training example of every language (one model reads all five)."""
    found: list[tuple[str, str]] = []
    for path in sorted((root / "intents").glob("**/*.yml")):
        found.extend(read_examples(path))
    return found


@dataclass(frozen=True)
class Score:
    """Figures for one language."""

    n: int
    accuracy: float
    macro_f1: float
    tier1_recall: float
    confusions: list[tuple[tuple[str, str], int]]
    latencies_ms: list[float]


def score(gold: list[str], predicted: list[str], latencies_ms: list[float]) -> Score:
    """Compute the figures from gold and predicted labels."""
    pairs = list(zip(gold, predicted, strict=True))
    f1s = []
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in pairs)
        fp = sum(p == label != g for g, p in pairs)
        fn = sum(g == label != p for g, p in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    tier1 = [(g, p) for g, p in pairs if g in TIER1]
    return Score(
        n=len(gold),
        accuracy=sum(g == p for g, p in pairs) / max(1, len(gold)),
        macro_f1=statistics.fmean(f1s) if f1s else 0.0,
        tier1_recall=sum(p in TIER1 for _, p in tier1) / len(tier1) if tier1 else 1.0,
        confusions=Counter((g, p) for g, p in pairs if g != p).most_common(5),
        latencies_ms=latencies_ms,
    )


async def parse_all(agent: Any, texts: list[str]) -> tuple[list[Any], list[float]]:
    """The model's parse of each text, and the parse latency of each in ms."""
    parsed, latencies = [], []
    for text in texts:
        started = time.perf_counter()
        parsed.append(await agent.parse_message(text))
        latencies.append((time.perf_counter() - started) * 1000)
    return parsed, latencies


def quiet_rasa() -> None:
    """Rasa's structlog prints every parsed text at debug level; benchmarks need none of it."""
    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


@dataclass(frozen=True)
class Parsed:
    """A model's answers on labelled examples, kept so that thresholds can be replayed."""

    texts: list[str]
    gold: list[str]
    rankings: list[Ranking]  # the classifier's own ranking, before fallback and guard
    predicted: list[str]  # what the whole pipeline said
    latencies_ms: list[float]
    reads: list[tuple[Scan | None, Scores | None]]  # cues and gate scores, as the guard reads

    def score(self) -> Score:
        """Figures of the pipeline as configured."""
        return score(self.gold, self.predicted, self.latencies_ms)

    def replay(self, fallback: float, ambiguity: float, guard: float) -> Score:
        """Figures as if config.yml had these thresholds (the same rules, no retraining)."""
        predicted = [
            simulate(r, read, fallback, ambiguity, guard)
            for r, read in zip(self.rankings, self.reads, strict=True)
        ]
        return score(self.gold, predicted, self.latencies_ms)


def simulate(
    ranking: Ranking,
    read: tuple[Scan | None, Scores | None],
    fallback: float,
    ambiguity: float,
    guard: float,
) -> str:
    """The intent FallbackClassifier and TierOneGuard would give with these thresholds."""
    if not ranking:
        return FALLBACK
    result = list(ranking)
    top = ranking[0]["confidence"]
    second = ranking[1]["confidence"] if len(ranking) > 1 else 0.0
    if top < fallback or top - second < ambiguity:
        result.insert(0, {"name": FALLBACK, "confidence": fallback})
    return str(rerank(result, guard, *read)[0]["name"])


def predict(model: Path, examples: list[tuple[str, str]]) -> Parsed:
    """Load a trained Rasa model and parse every example."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    texts, gold = [t for t, _ in examples], [i for _, i in examples]
    parsed, latencies = asyncio.run(parse_all(agent, texts))
    rankings = [
        sorted(
            (r for r in p.get("intent_ranking") or [] if r["name"] != FALLBACK),
            key=lambda r: -float(r["confidence"]),
        )
        for p in parsed
    ]
    predicted = [str(p["intent"]["name"]) for p in parsed]
    guard = TierOneGuard.create({}, None, None, None)  # type: ignore[arg-type]  # no storage
    return Parsed(texts, gold, rankings, predicted, latencies, [guard.read(t) for t in texts])


def evaluate(model: Path, examples: list[tuple[str, str]]) -> Score:
    """Load a trained Rasa model and score it on examples."""
    return predict(model, examples).score()

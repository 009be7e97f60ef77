"""Score an NLU model on labelled examples: accuracy, macro-F1, tier-1 recall, confusions."""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.tiers import TIER1


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for item in data.get("nlu", []):
        for line in str(item.get("examples", "")).splitlines():
            if line.strip().startswith("- "):
                pairs.append((line.strip()[2:].strip(), str(item["intent"])))
    return pairs


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
    labels = sorted(set(gold))
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    tier1 = [(g, p) for g, p in zip(gold, predicted, strict=True) if g in TIER1]
    confusions = Counter(
        (g, p) for g, p in zip(gold, predicted, strict=True) if g != p
    ).most_common(5)
    return Score(
        n=len(gold),
        accuracy=sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(1, len(gold)),
        macro_f1=statistics.fmean(f1s) if f1s else 0.0,
        tier1_recall=sum(p in TIER1 for _, p in tier1) / len(tier1) if tier1 else 1.0,
        confusions=confusions,
        latencies_ms=latencies_ms,
    )


async def parse_all(agent: Any, texts: list[str]) -> tuple[list[str], list[float]]:
    """Intent names the model predicts for texts, and the parse latency of each in ms."""
    predicted, latencies = [], []
    for text in texts:
        started = time.perf_counter()
        result = await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
        predicted.append(str(result["intent"]["name"]))
    return predicted, latencies


def quiet_rasa() -> None:
    """Rasa's structlog prints every parsed text at debug level; benchmarks need none of it."""
    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def evaluate(model: Path, examples: list[tuple[str, str]]) -> Score:
    """Load a trained Rasa model and score it on examples."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    texts, gold = [t for t, _ in examples], [i for _, i in examples]
    predicted, latencies = asyncio.run(parse_all(agent, texts))
    return score(gold, predicted, latencies)

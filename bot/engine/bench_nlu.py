"""make bench-nlu: the project's NLU pipeline on the public SIB-200 topic benchmark.

Trains config.yml's pipeline (SeaTokenizer + NgramSvmClassifier) on each language's
train.tsv from ../shared/benchmarks/sib200 and reports test.tsv accuracy next to the
paper's baselines (Adelani et al., EACL 2024, Table 7), with the training time and the
median parse time per sentence. Tune with `--split dev`; report test once.
SIB200_DIR overrides where the data is (a worktree sits one level deeper than a clone).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.engine.nlu_eval import quiet_rasa
from bot.settings import PROJECT_DIR

SIB200_PLACES = [PROJECT_DIR.parent / "shared", PROJECT_DIR.parent.parent / "shared"]
# language folder -> (MLP, XLM-R base, XLM-R large, GPT-4 zero-shot) test accuracy, %
PAPER = {
    "tha_Thai": (69.47, 87.5, 91.0, 75.5),
    "lao_Laoo": (69.66, 88.2, 87.6, 44.0),
    "khm_Khmr": (74.08, 85.8, 89.2, 70.4),
    "mya_Mymr": (65.73, 81.1, 87.2, 62.2),
}


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """(text, label) rows; "science/technology" becomes the intent science_technology."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(row["text"].strip(), row["category"].replace("/", "_")) for row in rows]


def write_nlu(rows: list[tuple[str, str]], path: Path) -> None:
    """Rasa NLU YAML for rows."""
    by_label: dict[str, list[str]] = {}
    for text, label in rows:
        by_label.setdefault(label, []).append(text)
    nlu = [
        {"intent": label, "examples": "".join(f"- {t}\n" for t in texts)}
        for label, texts in sorted(by_label.items())
    ]
    path.write_text(yaml.safe_dump({"version": "3.1", "nlu": nlu}, allow_unicode=True))


def sib200_dir() -> Path | None:
    """Where the benchmark lies: $SIB200_DIR, or shared/ beside the clone or the worktree."""
    if os.environ.get("SIB200_DIR"):
        return Path(os.environ["SIB200_DIR"])
    found = [p / "benchmarks" / "sib200" for p in SIB200_PLACES]
    return next((p for p in found if p.exists()), None)


async def accuracy(model: str, rows: list[tuple[str, str]]) -> tuple[float, float]:
    """Share of rows whose best non-fallback intent is the gold label; median parse ms."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    right, latencies = 0, []
    for text, label in rows:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        latencies.append((time.perf_counter() - started) * 1000)
        ranking = [r["name"] for r in parsed["intent_ranking"] if r["name"] != "nlu_fallback"]
        right += bool(ranking) and ranking[0] == label
    return right / len(rows), statistics.median(latencies)


def main() -> int:
    """Train and score per language; print the table."""
    from rasa.model_training import train_nlu

    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    split = parser.parse_args().split
    quiet_rasa()
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"  # time every training, not Rasa's cache hits
    sib200 = sib200_dir()
    if sib200 is None:
        print("SIB-200 not found: set SIB200_DIR")
        return 1
    columns = f"{'MLP':>7}{'XLM-R b':>9}{'XLM-R l':>9}{'GPT-4':>7}{'train s':>9}{'parse ms':>10}"
    print(f"{'language':<10}{split:>7}{columns}   (paper baselines: test)")
    ours_all = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder, baselines in PAPER.items():
            data = Path(tmp) / f"{folder}.yml"
            write_nlu(read_tsv(sib200 / folder / "train.tsv"), data)
            started = time.monotonic()
            model = train_nlu(
                str(PROJECT_DIR / "config.yml"), str(data), tmp, fixed_model_name=folder
            )
            seconds = time.monotonic() - started
            rows = read_tsv(sib200 / folder / f"{split}.tsv")
            ours, parse_ms = asyncio.run(accuracy(str(model), rows))
            ours_all.append(100 * ours)
            cells = "".join(
                f"{b:>9.1f}" if i in (1, 2) else f"{b:>7.1f}" for i, b in enumerate(baselines)
            )
            print(f"{folder:<10}{100 * ours:>7.1f}{cells}{seconds:>9.0f}{parse_ms:>10.1f}")
    print(f"mean      {sum(ours_all) / len(ours_all):>7.1f}   (char n-gram SVM floor: about 72)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

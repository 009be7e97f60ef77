"""make eval-nlu: train on intents/, score the held-out sets per language.

Prints, for the dev set (tests/nlu/dev_<lang>.yml, what thresholds are tuned on) and the
test set (tests/nlu/test_<lang>.yml, never tuned on): accuracy, macro-F1, tier-1 recall
and the top confusions per language, with training time, parse latency (p50) and model
size. `--tune` replays FallbackClassifier and TierOneGuard thresholds on the dev set only.
With --min-accuracy it exits 1 when a language's test accuracy is below it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.core.types import LOCALES
from bot.engine.nlu_eval import Parsed, Score, heldout_path, predict, quiet_rasa, read_examples
from bot.settings import PROJECT_DIR

RASA = PROJECT_DIR / ".venv" / "bin" / "rasa"
FALLBACKS = (0.1, 0.15, 0.2, 0.25, 0.3)
GUARDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4)


def train_nlu(out: Path) -> tuple[Path, float]:
    """Train an NLU-only model on intents/; return its path and the seconds it took."""
    started = time.monotonic()
    rasa = str(RASA) if RASA.exists() else "rasa"
    where = ["--config", "config.yml", "--out", str(out), "--fixed-model-name", "eval"]
    subprocess.run(
        [rasa, "train", "nlu", "--nlu", "intents", *where],
        cwd=PROJECT_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "eval.tar.gz", time.monotonic() - started


def row(locale: str, s: Score) -> str:
    """One line of the table."""
    confusions = ", ".join(f"{g}->{p} ({n})" for (g, p), n in s.confusions[:3])
    p50 = statistics.median(s.latencies_ms) if s.latencies_ms else 0.0
    return (
        f"{locale:<5}{s.n:>5}{s.accuracy:>10.3f}{s.macro_f1:>10.3f}"
        f"{s.tier1_recall:>15.3f}{p50:>8.1f}  {confusions}"
    )


def table(split: str, parsed: dict[str, Parsed]) -> dict[str, Score]:
    """Print the figures of one split; return them per language."""
    what = "tuned on" if split == "dev" else "held out, never tuned on"
    print(f"\n{split} set ({what})")
    print(
        f"{'lang':<5}{'n':>5}{'accuracy':>10}{'macro-F1':>10}{'tier-1 recall':>15}"
        f"{'p50 ms':>8}  top confusions (gold -> predicted)"
    )
    scores = {locale: p.score() for locale, p in parsed.items()}
    for locale, s in scores.items():
        print(row(locale, s))
    return scores


def tune(dev: dict[str, Parsed], ambiguity: float) -> None:
    """Replay thresholds on the dev set: mean accuracy, worst language, tier-1 recall."""
    print(f"\ntuning on the dev set (ambiguity {ambiguity}): fallback x guard")
    print(f"{'fallback':>9}{'guard':>7}{'mean acc':>10}{'min acc':>9}{'tier-1 recall':>15}")
    for fallback in FALLBACKS:
        for guard in GUARDS:
            scores = [p.replay(fallback, ambiguity, guard) for p in dev.values()]
            accuracies = [s.accuracy for s in scores]
            recall = statistics.fmean(s.tier1_recall for s in scores)
            print(
                f"{fallback:>9.2f}{guard:>7.2f}{statistics.fmean(accuracies):>10.3f}"
                f"{min(accuracies):>9.3f}{recall:>15.3f}"
            )


def main() -> int:
    """Train, score each language on dev and test, print the tables."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="score this model instead of training")
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    parser.add_argument("--tune", action="store_true", help="sweep thresholds on dev")
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="score dev alone: for judging a change without seeing the test figure",
    )
    args = parser.parse_args()
    splits = ("dev",) if args.dev_only else ("dev", "test")
    quiet_rasa()
    with tempfile.TemporaryDirectory() as tmp:
        model, seconds = (args.model, 0.0) if args.model else train_nlu(Path(tmp))
        print(f"training: {seconds:.0f} s   model size: {model.stat().st_size / 1e6:.1f} MB")
        parsed: dict[str, dict[str, Parsed]] = {
            split: {
                locale: predict(model, read_examples(heldout_path(locale, split)))
                for locale in LOCALES
            }
            for split in splits
        }
    scores = table("dev", parsed["dev"])
    if not args.dev_only:
        scores = table("test", parsed["test"])
    if args.tune:
        tune(parsed["dev"], ambiguity=0.02)
    failed = [locale for locale, s in scores.items() if s.accuracy < args.min_accuracy]
    if failed:
        print(f"test accuracy below {args.min_accuracy:.2f}: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

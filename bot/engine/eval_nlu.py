"""make eval-nlu: train on intents/, score the held-out tests/nlu/test_<lang>.yml per language.

Prints accuracy, macro-F1, tier-1 recall and the top confusions per language, and the
training time, parse latency (p50) and model size. With --min-accuracy it exits 1 when a
language scores below it (make test uses 0.85).
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
from bot.engine.nlu_eval import evaluate, quiet_rasa, read_examples
from bot.settings import PROJECT_DIR

RASA = PROJECT_DIR / ".venv" / "bin" / "rasa"


def train_nlu(out: Path) -> tuple[Path, float]:
    """Train an NLU-only model on intents/; return its path and the seconds it took."""
    started = time.monotonic()
    subprocess.run(
        [
            str(RASA) if RASA.exists() else "rasa",
            "train",
            "nlu",
            "--nlu",
            "intents",
            "--config",
            "config.yml",
            "--out",
            str(out),
            "--fixed-model-name",
            "eval",
        ],
        cwd=PROJECT_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "eval.tar.gz", time.monotonic() - started


def main() -> int:
    """Train, score each language, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="score this model instead of training")
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    args = parser.parse_args()
    quiet_rasa()
    with tempfile.TemporaryDirectory() as tmp:
        model, seconds = (args.model, 0.0) if args.model else train_nlu(Path(tmp))
        size_mb = model.stat().st_size / 1e6
        print(f"training: {seconds:.0f} s   model size: {size_mb:.1f} MB")
        print(
            f"{'lang':<5}{'n':>5}{'accuracy':>10}{'macro-F1':>10}{'tier-1 recall':>15}"
            f"{'p50 ms':>8}  top confusions (gold -> predicted)"
        )
        failed = []
        for locale in LOCALES:
            path = PROJECT_DIR / "tests" / "nlu" / f"test_{locale}.yml"
            if not path.exists():
                print(f"{locale:<5} no held-out set")
                failed.append(locale)
                continue
            s = evaluate(model, read_examples(path))
            confusions = ", ".join(f"{g}->{p} ({n})" for (g, p), n in s.confusions[:3])
            p50 = statistics.median(s.latencies_ms)
            print(
                f"{locale:<5}{s.n:>5}{s.accuracy:>10.3f}{s.macro_f1:>10.3f}"
                f"{s.tier1_recall:>15.3f}{p50:>8.1f}  {confusions}"
            )
            if s.accuracy < args.min_accuracy:
                failed.append(locale)
    if failed:
        print(f"below {args.min_accuracy:.2f} or missing: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

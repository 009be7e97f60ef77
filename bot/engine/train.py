"""Train the Rasa model only when its inputs changed; keep the few newest models."""

from __future__ import annotations

import subprocess
import sys
import time

from bot.core.urgency.model import load_or_train
from bot.engine.fingerprint import fingerprint, model_path
from bot.settings import MODELS_DIR, PROJECT_DIR

KEEP = 3


def train() -> int:
    """Return rasa's exit status (0 when the cached model is already current)."""
    target = model_path()
    if target.exists():
        print(f"model is current: {target.relative_to(PROJECT_DIR)}")
        return 0
    started = time.monotonic()
    command = [
        str(PROJECT_DIR / ".venv" / "bin" / "rasa")
        if (PROJECT_DIR / ".venv").exists()
        else "rasa",
        "train",
        "--data",
        "intents",
        "stories",
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--out",
        str(MODELS_DIR),
        "--fixed-model-name",
        fingerprint(),
    ]
    status = subprocess.call(command, cwd=PROJECT_DIR)
    if status == 0:
        print(f"trained {target.name} in {time.monotonic() - started:.0f} s")
        old = sorted(MODELS_DIR.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)[:-KEEP]
        for path in old:
            path.unlink()
    return status


def train_gate() -> None:
    """The safety gate's own small model (bot/core/urgency/model.py), cached beside it."""
    started = time.monotonic()
    load_or_train(PROJECT_DIR, MODELS_DIR)
    print(f"gate model ready in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    status = train()
    if status == 0:
        train_gate()
    sys.exit(status)

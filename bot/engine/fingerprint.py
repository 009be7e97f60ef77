"""A fingerprint of everything the trained model depends on; prints it when run."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.settings import MODELS_DIR, PROJECT_DIR

INPUTS = (
    "config.yml",
    "domain.yml",
    "requirements.lock",
    "intents/**/*.yml",
    "stories/**/*.yml",
    "bot/nlu/*.py",
    "bot/text/*.py",
)


def fingerprint(root: Path = PROJECT_DIR) -> str:
    """Hash of the model's inputs: same inputs, same model file."""
    digest = hashlib.sha256()
    for pattern in INPUTS:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = PROJECT_DIR) -> Path:
    """Where the model for the current inputs is (or will be) stored."""
    return MODELS_DIR / f"{fingerprint(root)}.tar.gz"


if __name__ == "__main__":
    print(fingerprint())

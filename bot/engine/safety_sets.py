"""The safety benchmark sets (tests/safety/, README there): load them, and score the gate.

Never used for training; `make bench-safety` sends them through the real bot, and this
module also scores the gate's own verdict on them (the net alone, no engine).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.core.routing import load_ages
from bot.core.urgency import Gate, SafetyNet
from bot.core.urgency.model import load_or_train
from bot.engine.nlu_eval import read_examples
from bot.settings import LOCALES_DIR, MODELS_DIR, PROJECT_DIR
from bot.tiers import tier_of

if TYPE_CHECKING:
    from bot.engine.safety_reply import Outcome

SAFETY_DIR = PROJECT_DIR / "tests" / "safety"
SETS = ("ordinary", "everyday", "tier1", "tier2", "forms", "fresh", "fresh2", "fresh3", "nowq")
NO_SIGN_SETS = ("ordinary", "everyday", "nowq")  # the bot must answer these with no alarm
KINDS = ("text", "command", "caption", "edit")


@dataclass(frozen=True)
class Case:
    """One benchmark message: its set, language, kind of update, text and expected tier."""

    set: str
    locale: str
    kind: str
    text: str
    tier: int  # 1, 2, or 4 (ordinary and everyday: no alarm)


def set_path(name: str, locale: str, folder: Path = SAFETY_DIR) -> Path:
    """tests/safety/<set>_<lang>.yml"""
    return folder / f"{name}_{locale}.yml"


def load_cases(name: str, locale: str, folder: Path = SAFETY_DIR) -> list[Case]:
    """Every message of one set in one language."""
    path = set_path(name, locale, folder)
    if name != "forms":
        return [
            Case(name, locale, "text", text, tier_of(intent) if name not in NO_SIGN_SETS else 4)
            for text, intent in read_examples(path)
        ]
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for item in data.get("forms") or []:
        kind = str(item.get("kind", "text"))
        if kind not in KINDS:
            raise ValueError(f"{path.name}: unknown kind {kind!r}")
        cases.append(Case(name, locale, kind, str(item["text"]), int(item["tier"])))
    return cases


def all_cases(locales: tuple[str, ...], folder: Path = SAFETY_DIR) -> list[Case]:
    """Every message of every set, language by language."""
    return [case for lo in locales for name in SETS for case in load_cases(name, lo, folder)]


def load_gate() -> Gate:
    """The gate as the bot runs it: the project's phrase files and its model."""
    net = SafetyNet.load(LOCALES_DIR / "safety_net")
    return Gate(net, load_or_train(PROJECT_DIR, MODELS_DIR), load_ages(LOCALES_DIR))


def gate_outcomes(gate: Gate, cases: list[Case]) -> list[Outcome]:
    """The gate's own verdict on every case, judged as the bot's reply would be."""
    from bot.engine.safety_reply import Outcome

    return [Outcome(c, gate.screen(c.text).tier, False).as_gate() for c in cases]


FORGED = {
    "Latin": "a" * 100_000,
    "Latin words": "they took my passport " * 5_000,
    "letters spaced": "a " * 50_000,
    "stacked marks": "a\u0336" * 50_000,
    "Cyrillic": "аеор " * 20_000,
    "Thai": "ช่วย" * 25_000,
    "Lao": "ຊ່ວຍ" * 25_000,
    "Khmer": "ខ្ញុំ" * 25_000,
    "Burmese": "ငါ" * 50_000,
    "Zawgyi": "ကၽြန္ေတာ္တို႔ကို ပိတ္ထားတယ္ " * 4_000,
    "mixed scripts": "help ช่วย ကူ ជួយ " * 8_000,
}


def gate_cost(gate: Gate, repeats: int = 5) -> None:
    """Print what screening costs: typical messages, and forged 100k-character ones."""
    typical = [c.text for c in all_cases(("en", "th", "my", "km", "lo"))]
    gate.screen("warm up")
    started = time.perf_counter()
    for text in typical:
        gate.screen(text)
    mean_ms = (time.perf_counter() - started) * 1000 / len(typical)
    print(
        f"\ngate cost: {mean_ms:.2f} ms a message on average ({len(typical)} benchmark messages)"
    )
    print("forged messages (about 100,000 characters; the gate reads a bounded window):")
    worst = 0.0
    for name, text in FORGED.items():
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            gate.screen(text)
            times.append((time.perf_counter() - started) * 1000)
        worst = max(worst, max(times))
        print(
            f"  {name:<15}{len(text):>8} chars  median {sorted(times)[repeats // 2]:6.1f} ms"
            f"  max {max(times):6.1f} ms"
        )
    print(f"  worst case: {worst:.1f} ms")

"""The safety net: danger phrases checked by the bot itself, before and beside the engine.

If a message contains a tier-1 phrase the bot answers with the emergency numbers at once,
whatever the engine thinks or whether it answers at all (shared/spec/safety.md,
invariants 1 and 2). Tier-2 phrases choose the hotline reply when the engine is down.
Phrases live in locales/safety_net/<lang>.yml so staff can extend them without code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.text.normalize import normalize

TIERS = ("tier1", "tier2")


def _compile(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a phrase list; Latin phrases must match whole words."""
    parts = []
    for phrase in sorted({normalize(p).lower() for p in phrases if p.strip()}, key=len):
        escaped = re.escape(phrase).replace(r"\ ", r"\s+")
        parts.append(rf"(?<![a-z]){escaped}(?![a-z])" if phrase.isascii() else escaped)
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class SafetyNet:
    """Compiled phrase lists: tier -> one regex over all languages."""

    patterns: dict[str, re.Pattern[str] | None]

    @classmethod
    def empty(cls) -> SafetyNet:
        """A net that never fires (tests, or before the phrase files are readable)."""
        return cls({tier: None for tier in TIERS})

    @classmethod
    def load(cls, folder: Path) -> SafetyNet:
        """Read every <lang>.yml in folder; phrases of all languages apply to every message."""
        phrases: dict[str, list[str]] = {tier: [] for tier in TIERS}
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for tier in TIERS:
                phrases[tier].extend(str(p) for p in data.get(tier) or [])
        return cls({tier: _compile(phrases[tier]) for tier in TIERS})

    def tier(self, text: str) -> int | None:
        """1 or 2 when text holds a phrase of that tier (1 wins), else None."""
        clean = normalize(text).lower()
        for number, tier in ((1, "tier1"), (2, "tier2")):
            pattern = self.patterns.get(tier)
            if pattern is not None and pattern.search(clean):
                return number
        return None

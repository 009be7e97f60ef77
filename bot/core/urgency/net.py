"""The safety net: danger phrases and context cues, read from files staff edit.

locales/safety_net/<lang>.yml (format in README "Safety net: the phrase files"):
- `tier1`, `tier2`: phrases that show that tier on their own;
- `tier1_if_personal`, `tier2_if_personal`: phrases with everyday or informational uses
  ("lock", "KK Park", "debt"), which count only when the person writes about their own
  situation, not when they ask about something;
- `cues`: `personal` (me, we are…), `plea` (what do I do, where do we hide…: counts as
  personal too), `now` (now, right now…), `asking` (is this real,
  how, what…) and `information` (how to avoid, is it legal, the penalty…) words, which
  tell a disclosure from a question (bot/core/urgency/context.py);
- `cues.not_asking`: words that hold an asking cue without asking anything (Lao ບໍລິສັດ,
  "company", holds ບໍ, the question particle); they are blanked before asking cues are looked for;
- `commands` (any file): command names that are tier 1 on their own (/sos).
Phrases of every file apply to every message (people mix languages and scripts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core.urgency.context import Scan
from bot.core.urgency.matching import compile_phrases, match_form
from bot.text.normalize import normalize

PHRASES = ("tier1", "tier2", "tier1_if_personal", "tier2_if_personal")
CUES = ("personal", "plea", "now", "asking", "information")
NOT_ASKING = "not_asking"
Pattern = re.Pattern[str]


def _forms(phrases: list[object]) -> list[str]:
    return [match_form(normalize(str(p))) for p in phrases if str(p).strip()]


@dataclass(frozen=True)
class SafetyNet:
    """Compiled phrase and cue lists of all languages."""

    patterns: dict[str, Pattern | None] = field(default_factory=dict)
    commands: frozenset[str] = frozenset()
    not_asking: Pattern | None = None

    @classmethod
    def empty(cls) -> SafetyNet:
        """A net that never fires (tests, or before the phrase files are readable)."""
        return cls()

    @classmethod
    def load(cls, folder: Path) -> SafetyNet:
        """Read every *.yml in folder; raises on a file that is not a mapping of lists."""
        lists: dict[str, list[str]] = {name: [] for name in (*PHRASES, *CUES, NOT_ASKING)}
        commands: set[str] = set()
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ValueError(f"{path.name}: expected sections such as tier1: [...]")
            for name in PHRASES:
                lists[name].extend(_forms(data.get(name) or []))
            for name in (*CUES, NOT_ASKING):
                lists[name].extend(_forms((data.get("cues") or {}).get(name) or []))
            commands.update(str(c).lower().lstrip("/") for c in data.get("commands") or [])
        # cues must not end inside a syllable (Lao ບໍ, a question, is not ບໍ່, not)
        not_asking = compile_phrases(lists.pop(NOT_ASKING))
        patterns = {name: compile_phrases(forms, name in CUES) for name, forms in lists.items()}
        return cls(patterns, frozenset(commands), not_asking)

    def scan(self, form: str) -> Scan:
        """Which phrase lists and cues occur in a message in match form."""
        # "ບໍລິສັດ" (company) is no question although it holds ບໍ: blank such words first
        asking_form = self.not_asking.sub(" ", form) if self.not_asking else form
        found = {
            name: pattern is not None
            and pattern.search(asking_form if name == "asking" else form) is not None
            for name, pattern in self.patterns.items()
        }
        # asking what to do, where to hide, is speaking of one's own situation
        found["personal"] = found.get("personal", False) or found.get("plea", False)
        return Scan(**found)

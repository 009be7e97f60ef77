"""Notice when users say how old they are, so a child gets child routing (safety.md 9).

The bot reads this itself, like the safety net, so it works with the engine down. The
statements live in locales/age/<lang>.yml: `age` regular expressions whose first group
is the writer's age in digits (any script's digits: int() reads ๑๕ as 15), and `child`
phrases that say "I am under 18" without a number. A statement counts only when it is
about the writer ("I am 15"), never about someone else ("my daughter is 14").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.text.normalize import normalize

ADULT = 18
YOUNGEST = 7
# what may be left of a message that only states an age: "ครับ", "ပါတယ်", "years old"
LEFTOVER = 8  # "I am 2" is more likely "2 days late" or a typo than a toddler writing
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class AgeStatement:
    """What a message said about the writer's age."""

    under_18: bool
    whole_message: bool  # nothing much else was said, so the engine need not answer

    @property
    def adult_only(self) -> bool:
        """The message only says the writer is 18 or older ("I am 40"): no sign of anything."""
        return self.whole_message and not self.under_18


@dataclass(frozen=True)
class AgeReader:
    """Compiled age statements of all languages."""

    ages: tuple[re.Pattern[str], ...]
    child: tuple[str, ...]

    @classmethod
    def empty(cls) -> AgeReader:
        """A reader that never finds an age (tests, unreadable files)."""
        return cls((), ())

    @classmethod
    def load(cls, folder: Path) -> AgeReader:
        """Read every <lang>.yml in folder; every language's statements apply to all text."""
        ages: list[re.Pattern[str]] = []
        child: list[str] = []
        for path in sorted(folder.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            ages.extend(re.compile(str(p)) for p in data.get("age") or [])
            child.extend(_squeeze(str(p)) for p in data.get("child") or [] if str(p).strip())
        return cls(tuple(ages), tuple(child))

    def read(self, text: str) -> AgeStatement | None:
        """The writer's age statement in text, or None when there is none."""
        clean = normalize(text).lower()
        squeezed = _squeeze(clean)
        for phrase in self.child:
            at = squeezed.find(phrase)
            if at >= 0 and (not phrase.isascii() or _whole_words(squeezed, at, len(phrase))):
                return AgeStatement(True, len(squeezed) - len(phrase) <= LEFTOVER)
        for pattern in self.ages:
            match = pattern.search(clean)
            if match is None:
                continue
            try:
                years = int(match.group(1))
            except (IndexError, ValueError, TypeError):
                continue
            if years < YOUNGEST:
                continue
            rest = _squeeze(clean[: match.start()] + clean[match.end() :])
            return AgeStatement(years < ADULT, len(rest) <= LEFTOVER)
        return None


def _squeeze(text: str) -> str:
    """Lower-case, normalised, without spaces: Thai, Lao, Khmer, Burmese users space freely."""
    return _SPACES.sub("", normalize(text).lower())


def _whole_words(text: str, at: int, length: int) -> bool:
    """A Latin phrase must not be the inside of a longer word ("imachild" is fine)."""
    before = text[at - 1] if at > 0 else " "
    after = text[at + length] if at + length < len(text) else " "
    return not before.isalpha() and not after.isalpha()

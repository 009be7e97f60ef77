"""Which of our languages a text is written in, judged by its Unicode script."""

from __future__ import annotations

import re
from collections import Counter

# script ranges; Latin means English (romanized Lao or Burmese also lands here, and
# the caller decides whether a short Latin message is enough to switch language).
_SCRIPTS = {
    "th": re.compile("[\u0e01-\u0e5b]"),
    "lo": re.compile("[\u0e81-\u0edf]"),
    "km": re.compile("[\u1780-\u17ff\u19e0-\u19ff]"),
    "my": re.compile("[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]"),
    "en": re.compile("[A-Za-z]"),
}


def letter_counts(text: str) -> Counter[str]:
    """Count the letters of each supported script in text."""
    counts: Counter[str] = Counter()
    for char in text:
        for locale, pattern in _SCRIPTS.items():
            if pattern.match(char):
                counts[locale] += 1
                break
    return counts


def detect_script_locale(text: str, min_letters: int = 2) -> str | None:
    """Return the locale whose script text is written in, or None when too little to tell.

    Thai, Lao, Khmer and Burmese beat Latin: people mix English words (passport, boss, OT)
    into their own script far more often than the reverse. Latin needs two words, so
    "ok" or "hi" from a Burmese reader does not flip the conversation into English.
    """
    counts = letter_counts(text)
    native = Counter({k: v for k, v in counts.items() if k != "en" and v >= min_letters})
    if native:
        return native.most_common(1)[0][0]
    if len(re.findall(r"[A-Za-z]{2,}", text)) >= 2:
        return "en"
    return None

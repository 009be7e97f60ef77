"""Split text into words for the four scripts written without spaces, plus Latin.

Each run of one script goes to its own segmenter: Thai (pythainlp newmm), Lao (laonlp),
Khmer (khmer-nltk), Burmese (syllables, Sylbreak rules); Latin and digits by words.
All segmenters ship their dictionaries or models in the package: nothing is downloaded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

_RUNS = re.compile(
    r"(?P<th>[\u0e01-\u0e5b]+)|(?P<lo>[\u0e81-\u0edf]+)|(?P<km>[\u1780-\u17ff\u19e0-\u19ff]+)"
    r"|(?P<my>[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]+)|(?P<latin>[^\W_]+)"
)
# Sylbreak (Ye Kyaw Thu): a syllable starts at a consonant not followed by asat or virama,
# or at an independent vowel, digit or symbol.
_MY_SYLLABLE = re.compile(
    r"((?<!\u1039)[\u1000-\u1021](?![\u103a\u1039])|[\u1023-\u1027\u1029\u102a\u103f\u104c-\u104f\u1040-\u1049])"
)


@functools.lru_cache(maxsize=1)
def _thai() -> Callable[[str], list[str]]:
    from pythainlp.tokenize import word_tokenize

    return lambda text: list(word_tokenize(text, engine="newmm", keep_whitespace=False))


@functools.lru_cache(maxsize=1)
def _lao() -> Callable[[str], list[str]]:
    from laonlp.tokenize import word_tokenize

    return lambda text: list(word_tokenize(text))


@functools.lru_cache(maxsize=1)
def _khmer() -> Callable[[str], list[str]]:
    import logging

    logging.getLogger("khmer-nltk").setLevel(logging.WARNING)
    from khmernltk import word_tokenize

    return lambda text: list(word_tokenize(text))


def burmese_syllables(text: str) -> list[str]:
    """Break Burmese text into syllables."""
    return _MY_SYLLABLE.sub(r" \1", text).split()


def segment(text: str) -> list[str]:
    """Words of text, in order, lower-cased for Latin; punctuation and spaces dropped."""
    words: list[str] = []
    for match in _RUNS.finditer(text):
        run, script = match.group(), match.lastgroup
        if script == "th":
            words.extend(_thai()(run))
        elif script == "lo":
            words.extend(_lao()(run))
        elif script == "km":
            words.extend(_khmer()(run))
        elif script == "my":
            words.extend(burmese_syllables(run))
        else:
            words.append(run.lower())
    return [word for word in (w.strip() for w in words) if word]

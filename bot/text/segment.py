"""Split text into words for the four scripts written without spaces, plus Latin.

Each run of one script goes to its own segmenter: Thai (pythainlp newmm), Lao (laonlp),
Khmer (khmer-nltk), Burmese (burmesenlp's dictionary longest match over syllables); Latin
and digits by words. All segmenters ship their dictionaries or models in the package:
nothing is downloaded. Burmese words beat Burmese syllables on both the bot's held-out
intents and SIB-200 dev (README "NLU"); ICU's dictionary break iterator won nothing on
either, so it is not used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

_RUNS = re.compile(
    r"(?P<th>[\u0e01-\u0e5b]+)|(?P<lo>[\u0e81-\u0edf]+)|(?P<km>[\u1780-\u17ff\u19e0-\u19ff]+)"
    r"|(?P<my>[\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff]+)|(?P<latin>[^\W_]+(?:['’][^\W_]+)*)"
)
# "don't" and "dont", "i'm" and "im" are one word: people type both, phones insert ’
_APOSTROPHES = re.compile("['’]")


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


@functools.lru_cache(maxsize=1)
def _burmese() -> Callable[[str], list[str]]:
    import logging

    # its Zawgyi hint fires on sound Unicode text too; normalize() has already converted
    # real Zawgyi with a trained detector, so the hint is noise in our logs.
    logging.getLogger("burmesenlp").setLevel(logging.ERROR)
    from burmesenlp.lexicon import Lexicon
    from burmesenlp.tokenize.longest import WordSegmenter
    from burmesenlp.tokenize.syllable import tokenize

    # built once: burmesenlp's own word_tokenize() rebuilds the lexicon (0.7 s) per call.
    words = WordSegmenter(Lexicon.default())
    return lambda text: [token.text for token in words.segment(tokenize(text))]


def burmese_words(text: str) -> list[str]:
    """Break Burmese text into dictionary words (unknown stretches stay syllables)."""
    return _burmese()(text)


def warm_up() -> None:
    """Load every segmenter now, so that no user's first message waits for it."""
    segment("ก ກ ក က")


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
            words.extend(burmese_words(run))
        else:
            words.append(_APOSTROPHES.sub("", run).lower())
    return [word for word in (w.strip() for w in words) if word]

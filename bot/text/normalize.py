"""Clean user text before anything else reads it: NFC, invisible characters, Zawgyi."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# zero-width and bidi controls that phones and copy-paste insert; they split words.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# five or more of the same letter ("helppppp", "ช่วยยยยย") carry emphasis, not meaning.
_REPEATS = re.compile(r"(\w)\1{3,}")
_MYANMAR = re.compile("[\u1000-\u109f]")
ZAWGYI_THRESHOLD = 0.95
# spellings that look the same on screen but differ in code points (phone keyboards type
# either); one form each, so "ຫລາຍ" and "ຫຼາຍ" are the same word to everything downstream.
_SAME_LOOKING = (
    ("\u0e4d\u0e32", "\u0e33"),  # Thai nikhahit + sara aa -> sara am (ำ)
    ("\u0e40\u0e40", "\u0e41"),  # Thai sara e typed twice -> sara ae (แ)
    ("\u0ecd\u0eb2", "\u0eb3"),  # Lao niggahita + aa -> am (ຳ)
    ("\u0eab\u0e99", "\u0edc"),  # Lao ຫນ -> ໜ
    ("\u0eab\u0ea1", "\u0edd"),  # Lao ຫມ -> ໝ
    ("\u0eab\u0ea5", "\u0eab\u0ebc"),  # Lao ຫລ -> ຫຼ
)


@functools.lru_cache(maxsize=1)
def _zawgyi_detector() -> Any:
    from myanmartools import ZawgyiDetector  # loads a small model file shipped with the package

    return ZawgyiDetector()


def is_zawgyi(text: str) -> bool:
    """Tell whether Burmese text was typed in the legacy Zawgyi encoding."""
    if not _MYANMAR.search(text):
        return False
    return bool(_zawgyi_detector().get_zawgyi_probability(text) >= ZAWGYI_THRESHOLD)


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to standard Unicode."""
    from myanmar.converter import convert

    return str(convert(text, "zawgyi", "unicode"))


def normalize(text: str) -> str:
    """Return text in the one form every later step expects."""
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    if is_zawgyi(text):
        text = zawgyi_to_unicode(text)
    text = unicodedata.normalize("NFC", text)
    for variant, canonical in _SAME_LOOKING:
        text = text.replace(variant, canonical)
    text = _REPEATS.sub(r"\1\1\1", text)
    return re.sub(r"[ \t]+", " ", text).strip()

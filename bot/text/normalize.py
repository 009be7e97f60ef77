"""Clean user text before anything else reads it: one form for the safety net and the model.

People (and people who want to get past a filter) write the same words in many ways. The
normal form is NFKC (fullwidth ｓｏｓ, 𝐡𝐞𝐥𝐩, Ⓢ and ligatures become plain letters), with
invisible characters removed, Zawgyi Burmese converted to Unicode, the diacritics that
can be stacked on Latin letters (h̶e̶l̶p̶, zalgo, accents) removed, Cyrillic and Greek
letters that look like Latin ones folded to them (hеlp with a Cyrillic е), same-looking
Thai and Lao spellings unified and long letter runs shortened.

Thai, Lao, Khmer and Burmese vowels and tone marks are combining marks too, and carry
meaning: only the generic combining blocks (U+0300.., U+1AB0.., U+1DC0.., U+20D0..,
U+FE20..), which none of those scripts uses, are removed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

# zero-width, joiners, bidi controls, variation selectors, tags, fillers and Khmer's
# invisible inherent vowels: phones and copy-paste insert them, filters are dodged with them.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# diacritics of the generic blocks; never part of Thai, Lao, Khmer or Burmese spelling
_STACKED_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# five or more of the same letter ("helppppp", "ช่วยยยยย") carry emphasis, not meaning.
_REPEATS = re.compile(r"(\w)\1{3,}")
_MYANMAR = re.compile("[\u1000-\u109f]")
_NEEDS_FOLDING = re.compile("[^\x00-\x7f]")
ZAWGYI_THRESHOLD = 0.95
ZAWGYI_SAMPLE = 600  # characters the encoding is judged on: plenty, and a bounded cost
# spellings that look the same on screen but differ in code points (phone keyboards type
# either); one form each, so "ຫລາຍ" and "ຫຼາຍ" are the same word to everything downstream.
# Runs after NFKC, which splits ำ, ຳ, ໜ and ໝ: this puts them back together.
_SAME_LOOKING = (
    ("\u0e4d\u0e32", "\u0e33"),  # Thai nikhahit + sara aa -> sara am (ำ)
    ("\u0e40\u0e40", "\u0e41"),  # Thai sara e typed twice -> sara ae (แ)
    ("\u0ecd\u0eb2", "\u0eb3"),  # Lao niggahita + aa -> am (ຳ)
    ("\u0eab\u0e99", "\u0edc"),  # Lao ຫນ -> ໜ
    ("\u0eab\u0ea1", "\u0edd"),  # Lao ຫມ -> ໝ
    ("\u0eab\u0ea5", "\u0eab\u0ebc"),  # Lao ຫລ -> ຫຼ
)
# Cyrillic, Greek and small-capital letters that look like Latin ones (Unicode
# confusables, the ones seen in filter-dodging). Our users write no Cyrillic or Greek.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕԁԛԝӏвкмнтьАВЕКМНОРСТХУІЈЅԚԜ"  # Cyrillic
    "αβεικνορτυχγηωΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"  # Greek
    "ᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢı",  # small capitals, dotless i
    "aeopcyxijsdqwlbkmhtbABEKMHOPCTXYIJSQWabeikvoptuxynwABEZHIKMNOPTYXabcdeghijklmnoprstuvwyzi",
)


@functools.lru_cache(maxsize=1)
def _zawgyi_detector() -> Any:
    from myanmartools import ZawgyiDetector  # loads a small model file shipped with the package

    return ZawgyiDetector()


def is_zawgyi(text: str) -> bool:
    """Tell whether Burmese text was typed in the legacy Zawgyi encoding."""
    found = _MYANMAR.search(text)
    if found is None:
        return False
    sample = text[found.start() : found.start() + ZAWGYI_SAMPLE]
    return bool(_zawgyi_detector().get_zawgyi_probability(sample) >= ZAWGYI_THRESHOLD)


def zawgyi_to_unicode(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to standard Unicode."""
    from myanmar.converter import convert

    return str(convert(text, "zawgyi", "unicode"))


def fold_letters(text: str) -> str:
    """NFKC, stacked Latin diacritics removed, look-alike letters as Latin ones."""
    text = unicodedata.normalize("NFKC", text)
    if not _NEEDS_FOLDING.search(text):
        return text  # plain ASCII: nothing to fold (most English and romanized messages)
    text = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", _STACKED_MARKS.sub("", text))
    return text.translate(_LOOK_ALIKES)


def normalize(text: str, squeeze_spaces: bool = True) -> str:
    """Return text in the one form every later step expects.

    squeeze_spaces=False keeps runs of spaces: in "h e l p  m e" two spaces end a word.
    """
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    if is_zawgyi(text):
        text = zawgyi_to_unicode(text)
    text = fold_letters(text)
    for variant, canonical in _SAME_LOOKING:
        text = text.replace(variant, canonical)
    text = _REPEATS.sub(r"\1\1\1", text)
    return re.sub(r"[ \t]+" if squeeze_spaces else r"\t", " ", text).strip()

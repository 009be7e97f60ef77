"""Assertions about which script a reply is written in."""

from bot.text.script import letter_counts


def script_of(text: str) -> str:
    """The script with the most letters in text ("en" for Latin)."""
    counts = letter_counts(text)
    return counts.most_common(1)[0][0] if counts else "none"


SAMPLES = {
    "th": "สวัสดีครับ",
    "my": "မင်္ဂလာပါ",
    "km": "សួស្តីបាទ",
    "lo": "ສະບາຍດີ",
    "en": "hello there",
}

"""Text every encoder accepts. Telegram's JSON may carry a lone UTF-16 surrogate
("\\ud800"), which Python decodes into a str that UTF-8 cannot encode: the first JSON body,
database row or file that holds it raises. Text from Telegram is made well-formed once, as
it arrives."""

from __future__ import annotations


def well_formed(text: str) -> str:
    """The text with each lone surrogate replaced by U+FFFD; a surrogate pair that arrived
    as two code points becomes its one character again."""
    if text.isascii():
        return text  # the common case, at no cost
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")

"""Message catalogs: every user-facing string, in every language, from locales/*.po.

The .po files are read directly with Babel (no compile step), so a staff member's edit
is live after a reload. A message missing in a language falls back to English, never to
an error: a user always gets an answer.

This package only reads catalogs and renders. The values placeholders take (hotline
numbers, dated facts) are computed by the core (bot/core/content.py) and handed in; a
value may be a `Term`, a message id rendered in the reader's language ("1300 (the
government help centre)" when a line stands in for a withdrawn one), or a function of
the reader's language (a date in their calendar).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from babel.messages.pofile import read_po

log = logging.getLogger(__name__)
DOMAIN = "messages"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it here."""
    return msgid


@dataclass(frozen=True)
class Term:
    """A message id to render in the reader's language, with its own values."""

    msgid: str
    values: Mapping[str, Value] = field(default_factory=dict)


Value = str | Term | Callable[[str], str]


class Row(Protocol):
    """One hotline in a list (bot/core/types.py Line): label msgid, numbers, hours msgid."""

    @property
    def label(self) -> str: ...

    @property
    def numbers(self) -> str: ...

    @property
    def note(self) -> str: ...


class Renderable(Protocol):
    """A chat bubble (bot/core/types.py BotReply): what rendering reads of it."""

    @property
    def msgid(self) -> str: ...

    @property
    def params(self) -> Mapping[str, str]: ...

    @property
    def lines(self) -> Sequence[Row | Term]: ...


def po_path(locales_dir: Path, locale: str) -> Path:
    """Where the catalog of one language lives."""
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path) -> dict[str, str]:
    """Translated, non-fuzzy entries of one .po file, as msgid -> msgstr."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


@dataclass(frozen=True)
class Catalogs:
    """All languages' translations and the values placeholders take, swapped as a whole."""

    messages: Mapping[str, Mapping[str, str]]
    values: Mapping[str, Value] = field(default_factory=dict)

    @classmethod
    def load(cls, locales_dir: Path, values: Mapping[str, Value]) -> Catalogs:
        """Read every language's .po under locales_dir (one missing falls back to English);
        `values` are what placeholders such as %(police)s become: the core computes them
        (bot/core/content.py load()), so pass {} only where nothing is rendered."""
        messages = {
            path.parent.parent.name: read_catalog(path)
            for path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        }
        return cls(messages, dict(values))

    def with_values(self, values: Mapping[str, Value]) -> Catalogs:
        """The same catalogs with other placeholder values."""
        return replace(self, values=dict(values))

    def gettext(self, msgid: str, locale: str) -> str:
        """Translate msgid, falling back to English and then to the msgid itself."""
        return (
            self.messages.get(locale, {}).get(msgid)
            or self.messages.get("en", {}).get(msgid)
            or msgid
        )

    def term(self, value: Value, locale: str) -> str:
        """A value as the reader sees it: text as it is, a Term translated and filled, a
        function of the language called with it."""
        if isinstance(value, str):
            return value
        if not isinstance(value, Term):
            return value(locale)
        own = {name: self.term(inner, locale) for name, inner in value.values.items()}
        return self.fill(value.msgid, own, locale)

    def lines_text(self, lines: Sequence[Row | Term], locale: str) -> str:
        """A routed hotline list: one row per line, a sentence (a Term) as its own paragraph."""
        parts: list[str] = []
        for item in lines:
            if isinstance(item, Term):
                parts.append(("\n" if parts else "") + self.term(item, locale))
                continue
            row = f"{self.gettext(item.label, locale)}: {item.numbers}"
            parts.append(f"{row} ({self.gettext(item.note, locale)})" if item.note else row)
        return "\n".join(parts)

    def fill(self, msgid: str, params: Mapping[str, str], locale: str) -> str:
        """Translate msgid and fill its placeholders from params, then from the values.

        A translation whose placeholders do not fit falls back to the English source;
        a value nobody gave is logged and left out, so a reader never sees "%(name)s"."""
        translated = self.gettext(msgid, locale)
        names = set(PLACEHOLDER.findall(translated))
        if translated != msgid and not names <= {*params, *self.values}:
            log.warning("placeholder mismatch in a %s message; using the source", locale)
            translated = msgid
        for text in (translated, msgid):
            names = set(PLACEHOLDER.findall(text))
            if not names:
                return text
            known = {n: params[n] if n in params else self._value(n, locale) for n in names}
            try:
                return text % known
            except (ValueError, TypeError):
                log.warning("a broken %% sign in a %s message; using the source", locale)
        return PLACEHOLDER.sub("", msgid)

    def _value(self, name: str, locale: str) -> str:
        if name in self.values:
            return self.term(self.values[name], locale)
        # content checks (make texts-check, /reload) refuse this; never show "%(name)s"
        log.error("no value for a placeholder in a %s message: %s", locale, name)
        return ""

    def render(self, reply: Renderable, locale: str) -> str:
        """Text of one reply in locale, with %(name)s placeholders filled."""
        params = dict(reply.params)
        if reply.lines:
            params["lines"] = self.lines_text(reply.lines, locale)
        return self.fill(reply.msgid, params, locale)

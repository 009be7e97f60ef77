"""Message catalogs: every user-facing string, in every language, from locales/*.po.

The .po files are read directly with Babel (no compile step), so a staff member's edit
is live after a reload. A message missing in a language falls back to English, never to
an error: a user always gets an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from bot.core.directory import Directory
from bot.core.facts import load_facts
from bot.core.hotlines import numbers
from bot.core.types import LOCALES, BotReply, Locale

log = logging.getLogger(__name__)
DOMAIN = "messages"


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it here."""
    return msgid


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
    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, locales_dir: Path) -> Catalogs:
        """Read every language's .po (a missing one falls back to English) and the values:
        hotline numbers from bot/core/hotlines.py, dated facts from locales/facts.yml."""
        messages: dict[str, dict[str, str]] = {}
        for locale in LOCALES:
            path = po_path(locales_dir, locale)
            messages[locale] = read_catalog(path) if path.exists() else {}
        facts_file = locales_dir / "facts.yml"
        facts = load_facts(facts_file) if facts_file.exists() else {}
        directory_file = locales_dir / "hotlines.yml"
        # the staff-edited directory's verified numbers (an unverified entry has no value, so
        # its number is never shown); the built-in list only when there is no directory
        exists = directory_file.exists()
        hotlines = Directory.load(directory_file).numbers() if exists else numbers()
        return cls(messages, {**facts, **hotlines})

    def gettext(self, msgid: str, locale: Locale) -> str:
        """Translate msgid, falling back to English and then to the msgid itself."""
        return (
            self.messages.get(locale, {}).get(msgid)
            or self.messages.get("en", {}).get(msgid)
            or msgid
        )

    def lines_text(self, reply: BotReply, locale: Locale) -> str:
        """The routed hotline list of a reply, one line per hotline, in locale."""
        rows = []
        for line in reply.lines:
            row = f"{self.gettext(line.label, locale)}: {line.numbers}"
            rows.append(f"{row} ({self.gettext(line.note, locale)})" if line.note else row)
        return "\n".join(rows)

    def render(self, reply: BotReply, locale: Locale) -> str:
        """Text of one reply in locale, with %(name)s placeholders filled."""
        params = {**self.params, **reply.params}
        if reply.lines:
            params["lines"] = self.lines_text(reply, locale)
        for text in (self.gettext(reply.msgid, locale), reply.msgid):
            try:
                return text % params if "%" in text else text
            except (KeyError, ValueError, TypeError):
                log.warning("placeholder mismatch in a %s message; using the source", locale)
        return reply.msgid

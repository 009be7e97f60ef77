"""A tier reply's first line is what a lock screen shows: it never says what was disclosed.

Issue #12.5: the tier-2 answer opened with "…no employer may keep a worker's passport";
now every tier reply opens neutrally, and `make texts-check` fails a catalog whose tier
reply says a discreet.yml word (or a `disclosures` word) in its first line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from bot.core import messages
from bot.core.content import problems as content_problems
from bot.core.risk import TIER_REPLY_MSGIDS
from bot.core.types import LOCALES
from bot.settings import LOCALES_DIR

NEUTRAL_OPENINGS = ("I'm here with you.", "👉 Good to know:", "Sorry, I can't answer")


@pytest.mark.parametrize("msgid", sorted(TIER_REPLY_MSGIDS))
def test_every_tier_reply_opens_neutrally(msgid: str) -> None:
    assert msgid.split("\n", 1)[0].startswith(NEUTRAL_OPENINGS)


@pytest.mark.parametrize("locale", LOCALES)
def test_tier_two_opens_like_tier_one_in_every_language(locale: str) -> None:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)

    def first_line(msgid: str) -> str:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, msgid
        return str(entry.string).split("\n", 1)[0]

    for msgid in (messages.TIER2, messages.ROUTED_TIER2, messages.ROUTED_CHILD):
        assert first_line(msgid) == first_line(messages.TIER1)


def test_the_check_fails_a_tier_reply_that_names_the_disclosure(tmp_path: Path) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    path = tmp_path / "locales" / "th" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    entry = catalog.get(messages.ROUTED_TIER2)
    assert entry is not None
    entry.string = "นายจ้างยึดพาสปอร์ตไม่ได้\n" + str(entry.string).split("\n", 1)[1]
    with path.open("wb") as handle:
        write_po(handle, catalog)
    problems = content_problems(tmp_path / "locales")
    assert any("th: a tier reply's first line says" in p for p in problems), problems

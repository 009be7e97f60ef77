"""A tier reply's first line is what a lock screen shows: it never says what was disclosed.

Issue #12.5: the tier-2 answer opened with "…no employer may keep a worker's passport",
the answer to child labour with "…Children have extra protection"; now every tier reply
opens neutrally, and `make texts-check` fails a catalog whose tier reply (or an answers.yml
bubble the engine names for a risk intent) says a discreet.yml word (or a `disclosures`
word) in its first line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po

from bot.core import messages
from bot.core.answers import AnswerBook, EngineAnswer
from bot.core.content import Content, load, tier_answer_msgids
from bot.core.content import problems as content_problems
from bot.core.risk import TIER_REPLY_MSGIDS
from bot.core.router import Conversation
from bot.core.types import LOCALES, BotReply, Profile
from bot.core.urgency import Verdict, intent_tier
from bot.i18n.check import alarming_first_line, alarming_words, disclosure_words
from bot.settings import LOCALES_DIR, PROJECT_DIR
from tests.fakes import FakeDialogue, FakeStore

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


# -- every tier-2 answer, as the person gets it -----------------------------------------

PROFILES = (Profile(), Profile(where="TH", child=True), Profile(where="KH", child=False))


def engine_answers(tier: int) -> list[EngineAnswer]:
    """Every answer domain.yml names for an intent of this tier."""
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
    customs = [v.get("custom") or {} for vs in domain["responses"].values() for v in vs]
    found = [EngineAnswer(c["answer"], c["intent"]) for c in customs if "intent" in c]
    return [answer for answer in found if intent_tier(answer.intent) == tier]


async def tier_two_answers(content: Content) -> list[tuple[str, tuple[BotReply, ...]]]:
    """(how, replies) for every way a tier-2 message is answered: each engine answer,
    the gate's tier 2 with the engine down or missing it, the fixed texts without a
    directory, for a grown-up with no place, a child in Thailand, a grown-up in Cambodia."""
    book = AnswerBook.load(LOCALES_DIR / "answers.yml")
    found = []
    for directory in (content.directory, None):
        for index, profile in enumerate(PROFILES):
            store = FakeStore()
            store.profiles["u"] = profile
            ways = [(a.name, FakeDialogue([a]), None) for a in engine_answers(2)]
            ways.append(("gate, engine down", FakeDialogue(down=True), Verdict(2, "phrase")))
            missed = FakeDialogue([EngineAnswer("not_understood", "nlu_fallback")])
            ways.append(("gate, engine missed it", missed, Verdict(2, "phrase")))
            for how, dialogue, verdict in ways:
                convo = Conversation(
                    dialogue, store, frozenset(), answers=book, directory=directory
                )
                outcome = await convo.on_text("u", "words", "en", verdict)
                found.append((f"{how} / {index} / {directory is not None}", outcome.replies))
    return found


async def test_every_tier_two_answer_opens_neutrally_in_every_language() -> None:
    content = load(LOCALES_DIR)
    answers = await tier_two_answers(content)
    assert len(engine_answers(2)) >= 5 and len(answers) >= 40
    words = {
        locale: [*alarming_words(LOCALES_DIR)[locale], *disclosure_words(LOCALES_DIR)[locale]]
        for locale in LOCALES
    }
    for locale in LOCALES:
        opener = content.catalogs.gettext(messages.TIER1, locale).split("\n", 1)[0]
        assert opener and (locale != "en" or opener == "I'm here with you.")
        for how, replies in answers:
            texts = [content.catalogs.render(reply, locale) for reply in replies]
            assert texts[0].split("\n", 1)[0] == opener, (locale, how, texts[0][:80])
            # every message shows its own preview, not only the first
            said = [alarming_first_line(text, words[locale]) for text in texts]
            assert not any(said), (locale, how, said)


def test_the_check_holds_answers_yml_risk_bubbles_to_the_tier_rule() -> None:
    child = AnswerBook.load(LOCALES_DIR / "answers.yml").bubbles("child_support")
    assert {b.msgid for b in child} <= tier_answer_msgids(LOCALES_DIR)

"""The engine names its answers; the bot says them (locales/answers.yml)."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import messages
from bot.core.answers import REQUEST_HUMAN, TIER, AnswerBook, EngineAnswer
from bot.core.content import answers_problems
from bot.core.extract import extract_answers
from bot.core.router import Conversation
from bot.core.routing import load_directory
from bot.core.urgency import intent_tier
from bot.i18n.check import used_msgids
from bot.settings import LOCALES_DIR, PROJECT_DIR
from tests.fakes import FakeDialogue, FakeStore

DOMAIN = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text(encoding="utf-8"))
BOOK = AnswerBook.load(LOCALES_DIR / "answers.yml")
RULES = yaml.safe_load((PROJECT_DIR / "stories" / "rules.yml").read_text(encoding="utf-8"))


def named(intent: str) -> dict[str, str]:
    """The payload of the one response the rule for intent predicts."""
    [rule] = [r for r in RULES["rules"] if r["steps"][0].get("intent") == intent]
    actions = [step["action"] for step in rule["steps"][1:]]
    assert len(actions) == 1, f"{intent}: one predicted action per answer, not {actions}"
    [variant] = DOMAIN["responses"][actions[0]]
    payload: dict[str, str] = variant["custom"]
    return payload


@pytest.mark.parametrize("intent", [str(i) for i in DOMAIN["intents"]])
def test_every_intent_names_one_answer_the_bot_has_and_itself(intent: str) -> None:
    payload = named(intent)
    assert set(payload) == {"answer", "intent"} and payload["intent"] == intent
    assert BOOK.knows(payload["answer"])


def test_the_domain_holds_no_text() -> None:
    variants = [v for r in DOMAIN["responses"].values() for v in r]
    assert all(set(v) == {"custom"} and "msgid" not in v["custom"] for v in variants)
    assert "slots" not in DOMAIN and "actions" not in DOMAIN  # no tier slot, no action call


@pytest.mark.parametrize("tier", [1, 2, 3])
def test_risk_intents_get_the_answer_the_bot_routes_by_urgency(tier: int) -> None:
    risky = [str(i) for i in DOMAIN["intents"] if intent_tier(str(i)) == tier]
    for intent in risky:
        answer = named(intent)["answer"]
        if intent == "report_child_labour":  # child lines and child content, fixed text
            assert answer == "child_support" and BOOK.bubbles(answer)
            continue
        assert (answer, BOOK.composed(answer)) == (f"tier{tier}", TIER)


def test_request_human_is_the_answer_the_hand_off_replaces() -> None:
    assert named("request_human")["answer"] == REQUEST_HUMAN
    assert all(b.answer == REQUEST_HUMAN for b in BOOK.bubbles(REQUEST_HUMAN))


def test_the_content_file_passes_the_catalog_check() -> None:
    assert answers_problems(LOCALES_DIR) == []
    assert {msgid for msgid, _ in BOOK.msgids()} <= used_msgids()


def test_translators_see_each_bubbles_source() -> None:
    with (LOCALES_DIR / "answers.yml").open("rb") as handle:
        found = {msgid: comments for _, _, msgid, comments in extract_answers(handle, {}, [], {})}
    [first, *_] = BOOK.bubbles("ask_documents")
    assert any(c.startswith("source: brief §2.5") for c in found[first.msgid])


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"bubbles": []}, "at least one bubble"),
        ({"bubbles": [{"txt": "Hi"}]}, "needs `text:`"),
        ({"bubbles": [{"text": "Hi", "soruce": "x"}]}, "unknown key 'soruce'"),
        ({"bubbles": [{"text": "Hi", "buttons": [{"title": "Menu"}]}]}, "`title:` and `data:`"),
        ({"bubbles": [{"text": "Hi", "buttons": [{"title": "M", "data": "x" * 65}]}]}, "1-64"),
        ({"composed": "poem"}, "composed must be one of"),
        ({"composed": "tier", "bubbles": [{"text": "Hi"}]}, "not both"),
    ],
)
def test_a_broken_answer_is_refused_with_a_reason(entry: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("(", r"\(")):
        AnswerBook.parse({"answers": {"greet": entry}})


def test_the_check_finds_a_missing_answer_and_a_button_to_no_intent(tmp_path: Path) -> None:
    data = yaml.safe_load((LOCALES_DIR / "answers.yml").read_text(encoding="utf-8"))
    del data["answers"]["goodbye"]
    data["answers"]["greet"]["bubbles"][0]["buttons"][0]["data"] = "/ask_menu_typo"
    (tmp_path / "answers.yml").write_text(yaml.safe_dump(data, allow_unicode=True))
    problems = answers_problems(tmp_path)
    assert any("no answer 'goodbye'" in p for p in problems)
    assert any("'/ask_menu_typo' is no intent" in p for p in problems)


def conversation(answers: list[EngineAnswer], book: AnswerBook = BOOK) -> Conversation:
    return Conversation(
        FakeDialogue(replies=answers),
        FakeStore(),
        frozenset({"ask_documents"}),
        directory=load_directory(LOCALES_DIR),
        answers=book,
    )


async def test_a_topic_is_its_bubbles_in_order_each_marked_with_its_answer() -> None:
    outcome = await conversation([EngineAnswer("ask_documents", "ask_documents")]).on_text(
        "u1", "how do I renew my passport", "en"
    )
    assert outcome.replies == BOOK.bubbles("ask_documents") and len(outcome.replies) == 3
    assert {r.answer for r in outcome.replies} == {"ask_documents"}


async def test_a_tier1_answer_is_the_routed_numbers_whatever_the_file_says() -> None:
    for book in (BOOK, AnswerBook.empty()):  # even with the content file unreadable
        convo = conversation([EngineAnswer("tier1", "report_confinement")], book)
        outcome = await convo.on_text("u1", "they lock the door at night", "en")
        assert outcome.replies[0].msgid == messages.ROUTED_TIER1
        assert "191" in {line.numbers for line in outcome.replies[0].lines}


async def test_an_answer_the_file_lacks_is_not_understood_never_an_engine_text() -> None:
    outcome = await conversation([EngineAnswer("brand_new", "greet")]).on_text("u1", "hi", "en")
    assert [r.msgid for r in outcome.replies] == [messages.NOT_UNDERSTOOD]

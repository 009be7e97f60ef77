"""Specific answers inside broad topics (issue #16): keywords, countries, buttons, content."""

from __future__ import annotations

import re

import pytest

from bot.core import messages
from bot.core.answers import AnswerBook, EngineAnswer
from bot.core.content import load as load_content
from bot.core.router import Conversation
from bot.core.subtopics import OPEN, SubtopicBook, parse
from bot.core.types import LOCALES, BotReply
from bot.settings import LOCALES_DIR
from tests.e2e.scripts import script_of
from tests.fakes import FakeDialogue, FakeStore

ANSWERS = AnswerBook.load(LOCALES_DIR / "answers.yml")
TOPICS = SubtopicBook.load(LOCALES_DIR / "subtopics.yml")
CATALOGS = load_content(LOCALES_DIR).catalogs
INTENTS = frozenset({"ask_documents", "ask_return_home", "ask_hotlines", "report_confinement"})


def names(bubbles: tuple[BotReply, ...]) -> list[str]:
    return [b.answer for b in bubbles]


@pytest.mark.parametrize(
    ("intent", "text", "locale", "answer"),
    [
        ("ask_documents", "my pink card expires soon, how to renew", "en", "renew_documents"),
        ("ask_worker_rights", "นายจ้างไม่ให้ย้ายไปนายจ้างใหม่", "th", "change_employer"),
        ("ask_worker_rights", "ကိုယ်ဝန်ရှိရင် ဘာအခွင့်အရေးရှိလဲ", "my", "women_workers"),
        ("ask_wages", "ថៅកែកាត់លុយពីប្រាក់ខែរាល់ខែ", "km", "deductions"),
        ("ask_hotlines", "ສະຖານທູດຢູ່ໃສ", "lo", "embassy"),
        ("ask_worker_rights", "what are my rights at work", "en", "ask_worker_rights"),
    ],
)
def test_a_keyword_in_the_persons_language_picks_the_specific_answer(
    intent: str, text: str, locale: str, answer: str
) -> None:
    assert TOPICS.choose(intent, text, locale).answer == answer


def test_a_risk_answer_is_never_replaced_by_a_subtopic() -> None:
    # "renew" is a documents keyword, but a person held against their will gets tier 1
    assert TOPICS.choose("report_confinement", "they will not renew, I cannot leave", "en").answer
    assert TOPICS.specific("report_confinement", "they keep my pink card to renew", "en") is None
    with pytest.raises(ValueError, match="ask_"):
        parse({"subtopics": {"x": {"within": ["report_confinement"], "keywords": {}}}})


def test_every_language_needs_keywords() -> None:
    with pytest.raises(ValueError, match="each of"):
        parse({"subtopics": {"x": {"within": ["ask_wages"], "keywords": {"en": ["pay"]}}}})


@pytest.mark.parametrize(
    ("text", "locale", "part"),
    [
        ("how do i go home", "km", "return_home_cambodia"),  # the language's country
        ("ຢາກກັບບ້ານ", "lo", "return_home_laos"),
        ("ကမ္ဘောဒီးယားကို ပြန်ချင်တယ်", "my", "return_home_cambodia"),  # the country named
        ("อยากกลับลาว", "th", "return_home_laos"),
    ],
)
def test_going_home_adds_the_part_of_the_persons_country(
    text: str, locale: str, part: str
) -> None:
    choice = TOPICS.choose("ask_return_home", text, locale)
    bubbles = TOPICS.bubbles(ANSWERS, choice)
    assert choice.country_parts == (part,)
    assert names(bubbles)[-1] == part and names(bubbles).count(part) == 1
    # the country is known: no "which country?" buttons, no other country's part
    assert not any(b.data.startswith(OPEN) for r in bubbles for b in r.buttons)
    assert not {"return_home_myanmar", "return_home_cambodia", "return_home_laos"} - {part} & set(
        names(bubbles)
    )


def test_a_thai_reader_who_names_no_country_gets_the_country_buttons() -> None:
    choice = TOPICS.choose("ask_return_home", "อยากกลับบ้าน", "th")
    bubbles = TOPICS.bubbles(ANSWERS, choice)
    assert choice.country_parts == ()
    assert [b.data for b in bubbles[-1].buttons][:3] == [
        "answer:return_home_myanmar",
        "answer:return_home_cambodia",
        "answer:return_home_laos",
    ]
    assert "Myanmar workers" not in " ".join(b.msgid for b in bubbles)  # no Myanmar-only bubble


def test_answer_buttons_open_their_answer_and_forged_ones_open_nothing() -> None:
    opened = TOPICS.opened(ANSWERS, "answer:mou_laos", "lo")
    assert opened and names(opened) == ["mou_laos"]
    mou = TOPICS.opened(ANSWERS, "answer:mou", "km")  # a Khmer reader: the Cambodian part
    assert mou and names(mou)[-1] == "mou_cambodia"
    for forged in ("answer:", "answer:report_confinement", "answer:../x", "answer:greet", "mou"):
        assert TOPICS.opened(ANSWERS, forged, "en") is None


def test_every_answer_the_file_names_exists_and_speaks_every_language() -> None:
    for name in sorted(TOPICS.answers()):
        assert ANSWERS.knows(name), name
        for bubble in ANSWERS.bubbles(name) if not ANSWERS.composed(name) else ():
            for locale in LOCALES:
                if locale != "en":  # a real translation, not the English fallback
                    assert CATALOGS.messages[locale].get(bubble.msgid), (locale, bubble.msgid[:50])
                text = CATALOGS.render(bubble, locale)
                assert "%(" not in text and script_of(text) == locale, (locale, text[:60])


def test_topic_answers_never_call_people_illegal_nor_type_a_phone_number() -> None:
    for name in sorted(n for n in TOPICS.answers() if not ANSWERS.composed(n)):
        text = " ".join(b.msgid for b in ANSWERS.bubbles(name))
        assert "illegal" not in text.lower(), name
        assert not re.search(r"\d{5,}", re.sub(r"[ -]", "", text)), name  # numbers: %(key)s


async def test_the_router_gives_the_specific_answer_for_the_persons_words() -> None:
    dialogue = FakeDialogue([EngineAnswer("ask_documents", "ask_documents")])
    chat = Conversation(dialogue, FakeStore(), INTENTS, answers=ANSWERS, subtopics=TOPICS)
    outcome = await chat.on_text("u1", "when must I renew my pink card?", "en")
    assert names(outcome.replies) == ["renew_documents"] * 3
    general = await chat.on_text("u1", "what documents do I need?", "en")
    assert set(names(general.replies)) == {"ask_documents"}


async def test_an_embassy_question_under_hotlines_gets_the_embassy_answer() -> None:
    dialogue = FakeDialogue([EngineAnswer("hotlines", "ask_hotlines")])
    chat = Conversation(dialogue, FakeStore(), INTENTS, answers=ANSWERS, subtopics=TOPICS)
    outcome = await chat.on_text("u1", "ស្ថានទូតខ្មែរនៅឯណា", "km")
    assert names(outcome.replies)[0] == "embassy"
    assert names(outcome.replies)[-1] == "embassy_cambodia"


async def test_a_country_button_opens_its_part_without_the_engine() -> None:
    dialogue = FakeDialogue()
    chat = Conversation(dialogue, FakeStore(), INTENTS, answers=ANSWERS, subtopics=TOPICS)
    outcome = await chat.on_button("u1", "answer:return_home_laos", "th")
    assert names(outcome.replies) == ["return_home_laos"] and not dialogue.calls
    stale = await chat.on_button("u1", "answer:nothing_here", "th")
    assert stale.replies[0].msgid == messages.BUTTON_EXPIRED and not dialogue.calls

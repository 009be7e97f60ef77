"""Sector tips and quizzes: content in every language, the quiz flow, forged buttons."""

from __future__ import annotations

import pytest

from bot.core import content, learning, messages
from bot.core.answers import AnswerBook
from bot.core.learning import Learning
from bot.core.quiz import QuizBook, load_book, parse_book
from bot.core.router import Conversation
from bot.core.state import LocalState
from bot.core.types import LOCALES, BotReply
from bot.i18n.check import used_msgids
from bot.settings import LOCALES_DIR, PROJECT_DIR
from tests.e2e.scripts import script_of
from tests.fakes import FakeDialogue, FakeQuizStore, FakeStore

BOOK = load_book(LOCALES_DIR / "quiz.yml")
CATALOGS = content.load(LOCALES_DIR).catalogs
SECTORS = [s.key for s in BOOK.sectors]


def lessons(store: FakeQuizStore | None = None) -> Learning:
    """Tips and quizzes of a fresh process (its own state)."""
    return Learning(BOOK, store or FakeQuizStore(), LocalState())


def data(reply: BotReply) -> list[str]:
    return [b.data for b in reply.buttons]


def test_the_book_has_the_sectors_of_issue_4_with_4_or_5_questions() -> None:
    assert SECTORS == ["fishing", "domestic", "factory", "farm", "online"]
    for sector in BOOK.sectors:
        assert 4 <= len(sector.questions) <= 5
        assert 2 <= len(sector.tips) <= 4


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("sector", SECTORS)
def test_tips_and_quiz_render_in_every_language(sector: str, locale: str) -> None:
    tips, quiz = learning.preview(BOOK.sector(sector))  # type: ignore[arg-type]
    for reply in (*tips, *quiz):
        if locale != "en":  # a real translation, not the English fallback
            assert CATALOGS.messages[locale].get(reply.msgid), reply.msgid[:40]
        text = CATALOGS.render(reply, locale)
        assert "%(" not in text and script_of(text) == locale, text[:60]
        for button in reply.buttons:
            label = CATALOGS.gettext(button.label, locale)
            assert locale == "en" or label != button.label, button.label
            assert len(button.data.encode()) <= 64  # Telegram's callback_data limit


def test_every_sector_opens_with_a_made_up_story_that_ends_with_one_next_step() -> None:
    for sector in BOOK.sectors:
        assert sector.story, sector.key
        first_line, *body = sector.story.split("\n")
        assert first_line == "📖 A short story (made up, but it happens):"
        assert body[-1].startswith("👉 You can do what")  # one next step, at the end
        assert "illegal" not in sector.story.lower() and "%(" not in sector.story


@pytest.mark.parametrize("locale", LOCALES)
async def test_opening_tips_shows_the_story_first_in_the_users_language(locale: str) -> None:
    sector = BOOK.sector("farm")
    assert sector is not None
    replies = await lessons().tips("u1", sector)
    assert replies[0].msgid == sector.story and len(replies) == 1 + len(sector.tips)
    text = CATALOGS.render(replies[0], locale)
    assert text.startswith("📖") and script_of(text) == locale


def test_tips_end_with_one_action_and_offer_the_quiz_and_sharing() -> None:
    for sector in BOOK.sectors:
        last = CATALOGS.render(BotReply(sector.tips[-1]), "en")
        assert last.startswith("Your next step:")
        assert "1-800-010-18" in last  # a number from the directory, not typed in


async def test_quiz_before_the_tips_then_after_them() -> None:
    store = FakeQuizStore()
    quiz = lessons(store)
    intro, first = await quiz.on_button("u1", "quiz:fishing", "my")
    assert intro.params == {"total": "4"} and first.msgid == BOOK.sectors[0].questions[0].text
    replies: tuple[BotReply, ...] = ()
    for question in BOOK.sectors[0].questions:
        choice = question.answer if question.key != "rest" else 1 - question.answer
        replies = await quiz.on_button("u1", f"quiz:fishing:{question.key}:{choice}", "my")
    assert replies[-1].msgid == learning.DONE
    assert replies[-1].params == {"right": "3", "total": "4"}
    assert "tips:fishing" in data(replies[-1])  # quiz first: the tips are offered next
    assert [a.phase for a in store.answers] == ["before"] * 4
    assert [a.correct for a in store.answers] == [True, False, True, True]
    assert {a.locale for a in store.answers} == {"my"} and store.answers[0].version == 1

    tips = await quiz.on_button("u1", "tips:fishing", "my")
    assert "quiz:fishing" in data(tips[-1]) and "share" in data(tips[-1])
    await quiz.on_button("u1", "quiz:fishing", "my")
    await quiz.on_button("u1", "quiz:fishing:contract:0", "my")
    assert store.answers[-1].phase == "after" and len(store.answers) == 5


async def test_every_answer_is_explained_kindly_right_or_wrong() -> None:
    quiz = lessons()
    await quiz.on_button("u1", "quiz:online", "th")
    right = await quiz.on_button("u1", "quiz:online:highpay:0", "th")
    wrong = await quiz.on_button("u1", "quiz:online:passport:0", "th")
    online = BOOK.sector("online")
    assert online is not None
    assert [r.msgid for r in right[:2]] == [learning.RIGHT, online.questions[0].explain]
    assert [r.msgid for r in wrong[:2]] == [learning.NOT_QUITE, online.questions[1].explain]
    assert wrong[2].msgid == online.questions[2].text  # and the quiz goes on


async def test_the_same_question_answered_twice_counts_once() -> None:
    store = FakeQuizStore()
    quiz = lessons(store)
    await quiz.on_button("u1", "quiz:farm", "lo")
    await quiz.on_button("u1", "quiz:farm:docs:1", "lo")
    again = await quiz.on_button("u1", "quiz:farm:docs:0", "lo")
    assert again[0].msgid == learning.ALREADY
    assert again[1].msgid == BOOK.sectors[3].questions[1].text
    # a retake in the same phase is explained but not stored twice
    await quiz.on_button("u1", "quiz:farm", "lo")
    await quiz.on_button("u1", "quiz:farm:docs:0", "lo")
    assert [(a.question, a.correct) for a in store.answers] == [("docs", True)]


async def test_a_new_process_reads_the_phase_from_the_store() -> None:
    store = FakeQuizStore()
    await lessons(store).on_button("u1", "tips:domestic", "km")
    await lessons(store).on_button("u1", "quiz:domestic:wage:1", "km")
    assert store.answers[0].phase == "after"


async def test_a_dead_store_never_stops_the_quiz() -> None:
    quiz = lessons(FakeQuizStore(down=True))
    assert len(await quiz.on_button("u1", "tips:factory", "en")) == 4  # story + 3 tips
    replies = await quiz.on_button("u1", "quiz:factory:minwage:1", "en")
    assert replies[0].msgid == learning.RIGHT


@pytest.mark.parametrize(
    "forged",
    [
        "quiz:",
        "quiz:nonsense",
        "quiz:fishing:contract:9",
        "quiz:fishing:contract:-1",
        "quiz:fishing:contract:01",
        "quiz:fishing:contract:²",
        "quiz:fishing:nope:0",
        "quiz:fishing:contract:0:extra",
        "tips:fishing:more",
        "tips:",
        "quiz:fishing:contract",
    ],
)
async def test_forged_or_stale_buttons_get_a_kind_answer_and_nothing_is_stored(
    forged: str,
) -> None:
    store = FakeQuizStore()
    replies = await lessons(store).on_button("u1", forged, "th")
    assert replies[0].msgid == learning.STALE
    assert len(replies[1].buttons) == len(SECTORS)
    assert store.answers == []


async def test_quiz_buttons_are_the_bots_not_the_engines() -> None:
    dialogue = FakeDialogue()
    convo = Conversation(dialogue, FakeStore(), frozenset({"ask_menu"}), lessons=lessons())
    outcome = await convo.on_button("u1", "quiz", "km")
    assert outcome.locale == "km" and outcome.replies[0].msgid == learning.QUIZ_PICK
    assert data(outcome.replies[0]) == [f"quiz:{s}" for s in SECTORS]
    assert dialogue.calls == []
    bare = Conversation(dialogue, FakeStore(), frozenset({"ask_menu"}))
    assert (await bare.on_button("u1", "quiz", "km")).replies[0].msgid == messages.BUTTON_EXPIRED


def test_menu_offers_tips_and_the_quiz() -> None:
    [menu] = AnswerBook.load(PROJECT_DIR / "locales" / "answers.yml").bubbles("menu")
    assert {"tips", "quiz"} <= {b.data for b in menu.buttons}


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"answer": 2}, "answer must index a choice"),
        ({"key": "a_key_far_too_long_for_buttons"}, "key must be"),
        ({"choices": ["True"]}, "2 or 3 choices"),
    ],
)
def test_broken_quiz_data_is_refused_with_a_reason(change: dict, problem: str) -> None:
    question = {
        "key": "q",
        "text": "Q?",
        "choices": ["True", "False"],
        "answer": 0,
        "explain": "E",
    }
    sector = {"key": "s", "label": "S", "tips": ["T"], "questions": [{**question, **change}]}
    with pytest.raises(ValueError, match=problem):
        parse_book({"version": 1, "sectors": [sector]})


def test_quiz_msgids_are_extracted_for_the_catalog_check() -> None:
    book: QuizBook = BOOK
    assert set(book.msgids()) <= used_msgids()

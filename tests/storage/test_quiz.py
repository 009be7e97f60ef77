"""Quiz answers are stored once, by pseudonym, with their phase; the staff figure hides
small groups; a dead database never stops the quiz."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from bot.campaign.figures import MIN_PEOPLE, quiz_lines
from bot.core.clock import now
from bot.core.learning import QuizAnswer, QuizCell
from bot.storage.models import QuizAnswer as AnswerRow
from bot.storage.quiz import SqlQuizStore, forget
from bot.storage.schema import metadata
from bot.storage.session import new_engine, new_sessionmaker


def answer(user: str, question: str = "contract", correct: bool = True, phase: str = "before"):
    return QuizAnswer(user, "fishing", question, correct, phase, 1, "my")  # type: ignore[arg-type]


async def test_an_answer_is_stored_once_per_phase(engine: Engine) -> None:
    store = SqlQuizStore(new_sessionmaker(engine), clock=now)
    assert await store.record(answer("p1"))
    assert not await store.record(answer("p1", correct=False))  # answered again: counts once
    assert await store.record(answer("p1", phase="after"))  # after the tips: a new answer
    with new_sessionmaker(engine)() as session:
        rows = session.execute(select(AnswerRow.correct, AnswerRow.phase)).all()
    assert sorted(rows) == [(True, "after"), (True, "before")]


async def test_tips_seen_is_remembered_across_stores(engine: Engine) -> None:
    for _twice in range(2):  # the same tips opened twice: fine
        await SqlQuizStore(new_sessionmaker(engine), clock=now).mark_tips_seen("p1", "farm")
    fresh = SqlQuizStore(new_sessionmaker(engine), clock=now)
    assert await fresh.tips_seen("p1", "farm")
    assert not await fresh.tips_seen("p1", "fishing")


async def test_forget_unlinks_one_users_answers_and_erases_tips_views(engine: Engine) -> None:
    store = SqlQuizStore(new_sessionmaker(engine), clock=now)
    await store.record(answer("p1"))
    await store.record(answer("p2"))
    await store.mark_tips_seen("p1", "fishing")
    with new_sessionmaker(engine)() as session, session.begin():
        forget(session, "p1")
    assert not await store.tips_seen("p1", "fishing")
    with new_sessionmaker(engine)() as session:
        owners = sorted(session.execute(select(AnswerRow.pseudonym)).scalars().all())
    # the answer still counts in the figures, but belongs to nobody any more
    assert owners[1] == "p2" and owners[0].startswith("forgotten-") and "p1" not in owners


def test_only_pseudonyms_and_no_free_text_are_stored(engine: Engine) -> None:
    columns = {c["name"] for c in inspect(engine).get_columns("quiz_answer")}
    assert columns == {c.name for c in metadata.tables["quiz_answer"].columns}
    assert columns == {
        "id", "pseudonym", "sector", "question", "correct", "phase", "version", "locale",
        "answered_at",
    }  # fmt: skip


async def test_the_report_compares_before_and_after_and_hides_small_groups(
    engine: Engine,
) -> None:
    store = SqlQuizStore(new_sessionmaker(engine), clock=now)
    for n in range(MIN_PEOPLE):
        await store.record(answer(f"p{n}", correct=n == 0))  # before: 1 of 5 right
        await store.record(answer(f"p{n}", correct=n != 0, phase="after"))  # after: 4 of 5
    await store.record(QuizAnswer("p0", "farm", "docs", True, "before", 1, "th"))
    lines = quiz_lines(await store.report())
    assert lines == [
        "v1 farm th: before <5 people -> after -",
        "v1 fishing my: before 20% of 5 (5 people) -> after 80% of 5 (5 people)",
    ]


def test_report_of_nothing_says_so() -> None:
    assert quiz_lines([]) == ["no quiz answers yet"]
    assert "before -" in quiz_lines([QuizCell(1, "farm", "lo", "after", 9, 9, 9)])[0]


async def test_unreachable_database_is_survived() -> None:
    dead = new_engine("postgresql+psycopg2://nobody:x@127.0.0.1:1/none")
    store = SqlQuizStore(new_sessionmaker(dead), timeout=5, clock=now)
    assert await store.record(answer("p1"))  # lost, but the user is not told off
    assert not await store.tips_seen("p1", "fishing")
    await store.mark_tips_seen("p1", "fishing")
    assert await store.report() == []

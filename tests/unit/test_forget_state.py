"""/forget leaves nothing of the person in the shared state (issue #13.4): quiz progress,
tips seen, place, the short check, language, tier, case memo; other people keep theirs."""

from pathlib import Path

from bot.core.clock import now
from bot.core.learning import Learning
from bot.core.pipeline import FORGOTTEN_STATE
from bot.core.privacy import FORGOTTEN, Privacy
from bot.core.quiz import load_book
from bot.core.router import Conversation
from bot.core.state import PERSONAL, LocalState, key
from bot.settings import LOCALES_DIR
from bot.storage.privacy import SqlPrivacyStore
from bot.storage.session import migrate, new_engine, new_sessionmaker
from tests.fakes import FakeDialogue, FakeQuizStore, FakeStore, RecordingOutbox, pipeline, press

BOOK = load_book(LOCALES_DIR / "quiz.yml")


async def test_forget_drops_quiz_progress_and_every_memo_of_the_person_only(
    tmp_path: Path,
) -> None:
    engine = new_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrate(engine)
    state = LocalState()
    convo = Conversation(
        FakeDialogue(),
        FakeStore(),
        frozenset({"greet", "ask_menu"}),
        privacy=Privacy(SqlPrivacyStore(new_sessionmaker(engine), clock=now), 30),
        lessons=Learning(BOOK, FakeQuizStore(), state),
        state=state,
    )
    sector = BOOK.sectors[0]
    for user in ("u1", "u2"):  # both open tips and answer a quiz question
        await convo.on_button(user, f"tips:{sector.key}", "km")
        await convo.on_button(user, f"quiz:{sector.key}:{sector.questions[0].key}:0", "km")
        for kind in FORGOTTEN_STATE:  # and whatever else a process may hold about them
            if await state.get(key(kind, user)) is None:
                await state.put(key(kind, user), "memo", 3600)
    assert await state.get(key("quiz", "u1")) is not None
    out = RecordingOutbox()
    await pipeline(convo).handle(press("u1", "forget:yes", "km"), out)
    assert out.msgids() == [FORGOTTEN]
    assert set(FORGOTTEN_STATE) == set(PERSONAL) - {"bucket", "flight"}
    assert [k for k in FORGOTTEN_STATE if await state.get(key(k, "u1")) is not None] == []
    assert all([await state.get(key(k, "u2")) is not None for k in FORGOTTEN_STATE])

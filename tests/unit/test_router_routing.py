"""The conversation core with routing: place, age, the short check and the handoff button."""

from pathlib import Path

from bot.core import content, messages, routing
from bot.core.age import AgeReader
from bot.core.answers import EngineAnswer
from bot.core.clock import now
from bot.core.privacy import FORGOTTEN, Privacy
from bot.core.router import Conversation
from bot.core.types import BotReply, Line, Profile
from bot.core.urgency import SafetyNet
from bot.settings import LOCALES_DIR
from bot.storage.privacy import SqlPrivacyStore
from bot.storage.session import migrate, new_engine, new_sessionmaker
from tests.fakes import BOOK, FakeDialogue, FakeStore, RecordingOutbox, pipeline, press

INTENTS = frozenset({"greet", "ask_menu", "ask_hotlines"})
NET = SafetyNet.load(LOCALES_DIR / "safety_net")
AGES = AgeReader.load(LOCALES_DIR / "age")
CATALOGS = content.load(LOCALES_DIR).catalogs
TIER2_ANSWER = EngineAnswer("tier2", "report_documents_withheld")


def conversation(dialogue: FakeDialogue | None = None, store: FakeStore | None = None):
    directory = routing.load_directory(LOCALES_DIR)
    return Conversation(
        dialogue or FakeDialogue(),
        store or FakeStore(),
        INTENTS,
        NET,
        directory=directory,
        ages=AGES,
        answers=BOOK,
    )


def numbers(reply: BotReply) -> list[str]:
    return [line.numbers for line in reply.lines if isinstance(line, Line)]


def data(reply: BotReply) -> list[str]:
    return [b.data for b in reply.buttons]


async def test_tier1_numbers_come_first_then_where_the_user_is() -> None:
    convo = conversation()
    outcome = await convo.on_text("u1", "help me now, they locked me in", "en")
    first, nxt, where = outcome.replies
    assert numbers(first)[:2] == ["191", "1669"]
    assert "handoff" in data(nxt)
    assert data(where) == ["where:TH", "where:MM", "where:KH", "where:LA", "where:other"]
    # the user says Cambodia: the same tier-1 answer, with the numbers that work there
    again = await convo.on_button("u1", "where:KH", "en")
    assert numbers(again.replies[0]) == ["117"]
    assert all(r.msgid != messages.WHERE_ASK for r in again.replies)


async def test_the_place_is_remembered_and_not_asked_again() -> None:
    store = FakeStore()
    convo = conversation(store=store)
    await convo.on_text("u1", "hello", "km")
    await convo.on_button("u1", "where:KH", "km")
    await convo.recorder.settle("u1")  # stored after the reply
    assert store.profiles["u1"].where == "KH"
    fresh = conversation(store=store)  # a restarted bot reads it back
    outcome = await fresh.on_text("u1", "help me now", "km")
    assert numbers(outcome.replies[0]) == ["117"]
    assert all(r.msgid != messages.WHERE_ASK for r in outcome.replies)


async def test_forged_place_gets_the_kind_expired_answer() -> None:
    outcome = await conversation().on_button("u1", "where:XX", "th")
    assert outcome.replies[0].msgid == messages.BUTTON_EXPIRED


async def test_a_child_saying_their_age_gets_child_lines_and_is_remembered() -> None:
    store = FakeStore()
    convo = conversation(FakeDialogue(replies=[TIER2_ANSWER]), store)
    [noted] = (await convo.on_text("u1", "ผมอายุ 15 ปี", None)).replies
    assert noted.msgid == messages.CHILD_NOTED and numbers(noted)[0] == "1387"
    await convo.recorder.settle("u1")
    assert store.profiles["u1"].child is True
    tier2 = (await convo.on_text("u1", "the boss keeps my passport", None)).replies[0]
    assert tier2.msgid == messages.ROUTED_CHILD and numbers(tier2)[0] == "1387"


async def test_an_adult_saying_their_age_gets_a_friendly_word_not_child_lines() -> None:
    """The classifier reads any age as "I am 15" (child labour, tier 2): an adult who only
    says how old they are is answered as everyday words, and stays an adult at no tier."""
    store, dialogue = FakeStore(), FakeDialogue(replies=[TIER2_ANSWER])
    convo = conversation(dialogue, store)
    for text in ("I'm 34 years old", "ผมอายุ 41 ปีครับ", "ຂ້ອຍອາຍຸ 23 ປີ"):
        await convo.on_text("u1", text, None)
        assert dialogue.calls[-1].text == "/small_talk"
    await convo.on_text("u1", "I'm 34 and my boss keeps my passport", None)
    assert dialogue.calls[-1].text != "/small_talk"  # more than an age: the engine reads it
    await convo.recorder.settle("u1")
    assert store.profiles["u1"].child is False


async def test_engine_tier2_answer_is_routed_with_a_human_operator_button() -> None:
    convo = conversation(FakeDialogue(replies=[TIER2_ANSWER]))
    replies = (await convo.on_text("u1", "they keep my passport", "my")).replies
    assert replies[0].msgid == messages.ROUTED_TIER2
    assert "1-800-010-180" in numbers(replies[0]) and "1300" in numbers(replies[0])
    assert data(replies[0]) == ["handoff", "options", "/ask_hotlines"]
    assert replies[1].msgid == messages.CHECK_OFFER  # offered, never forced
    text = CATALOGS.render(replies[0], "my")
    assert "1-800-010-180" in text and "%(" not in text


async def test_without_a_desk_a_person_is_the_users_hotline_list() -> None:
    convo = conversation()
    await convo.on_button("u1", "where:KH", "km")
    out = RecordingOutbox()
    await pipeline(convo).handle(press("u1", "handoff", "km"), out)
    [(_, outcome)] = out.sent
    [card] = outcome.replies
    assert card.msgid == messages.ROUTED_HOTLINES and numbers(card)[0] == "117"
    assert data(card) == ["where"]


async def test_the_check_skips_and_stops_when_the_user_says_so() -> None:
    convo = conversation()
    [first] = (await convo.on_button("u1", "check:start", "th")).replies
    assert data(first) == ["check:leave:yes", "check:leave:no", "check:leave:skip", "check:stop"]
    [second] = (await convo.on_button("u1", "check:leave:skip", "th")).replies
    assert second.msgid != first.msgid and data(second)[-1] == "check:stop"
    [stopped] = (await convo.on_button("u1", "check:stop", "th")).replies
    assert stopped.msgid == messages.CHECK_STOPPED
    # the old buttons are stale now: a kind answer, not an error
    stale = await convo.on_button("u1", "check:documents:no", "th")
    assert stale.replies[0].msgid == messages.BUTTON_EXPIRED


async def test_documents_kept_brings_the_law_and_1300_and_raises_the_tier() -> None:
    convo = conversation()
    await convo.on_button("u1", "check:start", "en")
    await convo.on_button("u1", "check:leave:yes", "en")
    outcome = await convo.on_button("u1", "check:documents:no", "en")
    advice = CATALOGS.render(outcome.replies[0], "en")
    assert "section 131" in advice and "1300" in advice
    assert outcome.record is not None and outcome.record.text == "/report_documents_withheld"
    for key, answer in (("debt", "skip"), ("threats", "no"), ("pay", "yes")):
        outcome = await convo.on_button("u1", f"check:{key}:{answer}", "en")
    done = outcome.replies[-1]
    assert done.msgid == messages.CHECK_DONE_SIGNS and "handoff" in data(done)
    assert "victim" not in CATALOGS.render(done, "en")


async def test_cannot_leave_brings_tier1_numbers_at_once_and_ends_the_check() -> None:
    convo = conversation()
    await convo.on_button("u1", "check:start", "lo")
    outcome = await convo.on_button("u1", "check:leave:no", "lo")
    assert outcome.replies[0].msgid == messages.ROUTED_TIER1
    assert "191" in numbers(outcome.replies[0])
    assert outcome.record is not None and outcome.record.text == "/report_confinement"
    stale = await convo.on_button("u1", "check:documents:yes", "lo")
    assert stale.replies[0].msgid == messages.BUTTON_EXPIRED


async def test_forged_check_data_gets_the_kind_expired_answer() -> None:
    convo = conversation()
    await convo.on_button("u1", "check:start", "en")
    for forged in ("check:leave:maybe", "check:nothing:yes", "check:", "check:leave:yes:x"):
        outcome = await convo.on_button("u1", forged, "en")
        assert outcome.replies[0].msgid == messages.BUTTON_EXPIRED


async def test_without_a_directory_the_fixed_texts_still_give_numbers() -> None:
    convo = Conversation(FakeDialogue(down=True), FakeStore(), INTENTS, NET, ages=AGES)
    outcome = await convo.on_text("u1", "help me now", "en")
    assert outcome.replies[0].msgid == messages.TIER1
    assert "191" in CATALOGS.render(outcome.replies[0], "en")


async def test_a_dead_database_keeps_the_place_for_the_session() -> None:
    convo = conversation(store=FakeStore(down=True))
    await convo.on_button("u1", "where:KH", "km")
    assert await convo.profile_for("u1") == Profile(where="KH")


def test_every_routing_message_is_translated_into_every_language() -> None:
    from bot.core import screening

    ids = [v for k, v in vars(messages).items() if k.startswith(("ROUTED_", "CHECK_", "WHERE_"))]
    ids += [messages.CHILD_NOTED, messages.HANDOFF_BUTTON, messages.OPTIONS]
    ids += [messages.OPTIONS_MYANMAR, messages.OPTIONS_CAMBODIA, messages.OPTIONS_LAOS]
    ids += [*routing.LABELS.values(), routing.ALWAYS_OPEN, routing.OPEN_NOW]
    ids += [q.msgid for q in screening.QUESTIONS] + [
        q.advice for q in screening.QUESTIONS if q.advice
    ]
    for locale in ("th", "my", "km", "lo"):
        untranslated = [i[:40] for i in ids if CATALOGS.gettext(i, locale) == i]
        assert untranslated == [], locale


async def test_forget_drops_place_and_a_running_check_from_memory(tmp_path: Path) -> None:
    engine = new_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrate(engine)
    convo = Conversation(
        FakeDialogue(), FakeStore(down=True), INTENTS, NET,
        privacy=Privacy(SqlPrivacyStore(new_sessionmaker(engine), clock=now), 30),
    )  # fmt: skip
    await convo.on_button("u1", "where:LA", "lo")
    await convo.on_button("u1", "check:start", "lo")
    out = RecordingOutbox()
    await pipeline(convo).handle(press("u1", "forget:yes", "lo"), out)
    assert out.msgids() == [FORGOTTEN]
    assert await convo.profile_for("u1") == Profile()
    stale = await convo.on_button("u1", "check:leave:yes", "lo")
    assert stale.replies[0].msgid == messages.BUTTON_EXPIRED

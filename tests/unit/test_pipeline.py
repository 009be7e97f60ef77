"""The hot path of a turn, driven with plain Turn values: gate first, budget, lock, route,
send, record after the reply."""

from __future__ import annotations

import asyncio

from bot.core import messages
from bot.core.answers import EngineAnswer
from bot.core.fairness import Budget
from bot.core.pipeline import Pipeline
from bot.core.router import Conversation
from bot.core.state import LocalState
from bot.core.turn import Kind, Turn
from bot.core.types import Locale, Profile, UserTurn
from bot.core.urgency import SafetyNet
from bot.handoff.desk import HandoffDesk
from bot.settings import LOCALES_DIR
from tests.fakes import (
    BOOK,
    FakeDialogue,
    FakeStore,
    RecordingOutbox,
    command,
    press,
    text,
)

NET = SafetyNet.load(LOCALES_DIR / "safety_net")
INTENTS = frozenset({"greet", "ask_menu", "ask_hotlines"})
DANGER = (messages.ROUTED_TIER1, messages.ROUTED_TIER1_ELSEWHERE)


class StuckEngine(FakeDialogue):
    """An engine that answers "slow" turns only when released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.waiting = asyncio.Event()

    async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
        if "slow" in turn.text or turn.text == "/greet":
            self.waiting.set()
            await self.release.wait()
        return await super().send(turn)


class HangingStore(FakeStore):
    """A database that never answers (reads and writes wait forever)."""

    def __init__(self) -> None:
        super().__init__()
        self.never = asyncio.Event()

    async def get_locale(self, user: str) -> Locale | None:
        await self.never.wait()
        return None

    async def get_profile(self, user: str) -> Profile | None:
        await self.never.wait()
        return None

    async def remember(self, user: str, locale: Locale) -> None:
        await self.never.wait()


def pipeline(dialogue: FakeDialogue | None = None, store: FakeStore | None = None) -> Pipeline:
    from bot.core.routing import load_directory

    convo = Conversation(
        dialogue or FakeDialogue(),
        store or FakeStore(),
        INTENTS,
        NET,
        directory=load_directory(LOCALES_DIR),
        answers=BOOK,
    )
    return Pipeline(convo, HandoffDesk(None, convo))


async def test_danger_is_answered_while_the_same_persons_start_waits_for_the_engine() -> None:
    engine = StuckEngine()
    pipe, out = pipeline(engine), RecordingOutbox()
    start = asyncio.create_task(pipe.handle(command("u1", "start"), out))
    await engine.waiting.wait()  # /start holds the person's lock, waiting for the engine
    danger = asyncio.create_task(pipe.handle(text("u1", "they locked us in, help me now"), out))
    await asyncio.wait_for(sent(out), 1)
    assert out.msgids("u1")[0] in DANGER  # the numbers came first
    assert not start.done() and not danger.done()  # the rest of the turn waits its turn
    engine.release.set()
    await asyncio.gather(start, danger)
    assert "Hello!" in out.msgids("u1")  # the greeting still came, afterwards
    # only the numbers jump Telegram's send queue (bot/telegram/limiter.py)
    assert [outcome.urgent for _, outcome in out.sent if outcome.replies] == [True, False]


async def sent(out: RecordingOutbox) -> None:
    """Wait until something was sent."""
    await out.something_sent.wait()


async def test_every_kind_of_turn_with_words_is_screened() -> None:
    turns = [
        command("u1", "sos"),
        command("u2", "help", "they locked us in"),
        Turn("u3", Kind.CAPTION, "help me now", media="photo", chat_id=1, message_id=1),
        Turn("u4", Kind.EDIT, "help me now, they lock me in", chat_id=1, message_id=1),
        press("u5", "help me now please"),  # a button that carries words (forged or not ours)
    ]
    for turn in turns:
        pipe, out = pipeline(FakeDialogue(down=True)), RecordingOutbox()
        await pipe.handle(turn, out)
        assert out.msgids()[0] in DANGER, turn.kind
        first = out.sent[0][1].replies[0]
        assert [line.numbers for line in first.lines][:2] == ["191", "1669"]


async def test_a_caption_is_answered_before_the_picture() -> None:
    # "tell me in words" to someone who did, on the lock screen before the answer: no
    for down in (True, False):
        pipe, out = pipeline(FakeDialogue(down=down)), RecordingOutbox()
        words = "the boss took my passport, look at the room"
        await pipe.handle(Turn("u1", Kind.CAPTION, words, media="photo", chat_id=1), out)
        assert out.msgids()[0] == messages.ROUTED_TIER2, down
        assert out.msgids()[-1] == messages.PHOTO


async def test_danger_waits_for_no_database() -> None:
    store = HangingStore()
    pipe, out = pipeline(store=store), RecordingOutbox()
    task = asyncio.create_task(pipe.handle(text("u1", "ช่วยด้วย เขาขังเราไว้", hint=None), out))
    await asyncio.wait_for(sent(out), 1)
    assert out.msgids()[0] in DANGER
    assert out.sent[0][1].locale == "th"  # from the script of the words, not a database
    task.cancel()


async def test_a_flood_gets_one_kind_word_and_never_delays_danger() -> None:
    pipe, out = pipeline(), RecordingOutbox()
    pipe.budget = Budget(pipe.conversation.state, rate=0.001, burst=3)
    for n in range(10):
        await pipe.handle(text("flood", f"question {n}"), out)
    assert out.msgids("flood").count(messages.SLOW_DOWN) == 1
    assert out.msgids("flood").count("Hello!") == 3  # its budget, then nothing read
    await pipe.handle(text("flood", "help me now"), out)
    assert out.msgids("flood")[-3] in DANGER  # over budget, yet the numbers come
    await pipe.handle(text("other", "hello there"), out)
    assert out.msgids("other") == ["Hello!"]  # nobody else is touched


async def test_text_that_starts_with_a_slash_is_never_an_intent_trigger() -> None:
    engine = FakeDialogue()
    pipe, out = pipeline(engine), RecordingOutbox()
    await pipe.handle(text("u1", "/ my passport number is AB123"), out)
    await pipe.handle(text("u1", "\u200b/restart"), out)
    await pipe.handle(press("u1", "/restart"), out)  # not one of the bot's own buttons
    await pipe.handle(press("u1", "/ask_hotlines"), out)  # one of them: passes as it is
    assert [call.text for call in engine.calls] == [
        "my passport number is AB123",
        "restart",
        "/ask_hotlines",
    ]
    assert out.msgids()[2] == messages.BUTTON_EXPIRED


async def test_unknown_commands_get_the_menu_and_help_with_words_is_a_question() -> None:
    engine = FakeDialogue()
    pipe, out = pipeline(engine), RecordingOutbox()
    await pipe.handle(command("u1", "whatever"), out)
    await pipe.handle(command("u1", "help", "what is a work permit"), out)
    assert [call.text for call in engine.calls] == ["/ask_menu", "what is a work permit"]


async def test_the_conversation_tier_survives_an_engine_outage_and_a_restart() -> None:
    store = FakeStore()
    pipe, out = pipeline(FakeDialogue(down=True), store), RecordingOutbox()
    await pipe.handle(text("u1", "my boss keeps my passport and I owe a big debt"), out)
    await pipe.handle(text("u1", "what about my pay"), out)
    tier = await pipe.conversation.tier_of("u1")
    assert tier.tier <= 2 or tier.unread  # what the gate saw, or that nobody could read
    await pipe.conversation.recorder.settle("u1")
    fresh = pipeline(FakeDialogue(), store)  # a new process: no memo, the database
    assert await fresh.conversation.tier_of("u1") == tier


async def test_an_engine_tier_answer_and_a_check_sign_are_kept_once() -> None:
    engine = FakeDialogue([EngineAnswer("tier3", "report_unpaid_wages")])
    pipe, out = pipeline(engine), RecordingOutbox()
    await pipe.handle(text("u1", "they did not pay me for two months"), out)
    assert (await pipe.conversation.tier_of("u1")).tier == 3
    await pipe.handle(press("u1", "check:start"), out)
    await pipe.handle(press("u1", "check:leave:yes"), out)
    await pipe.handle(press("u1", "check:documents:no"), out)  # documents kept: a sign
    record = await pipe.conversation.tier_of("u1")
    assert record.tier == 2 and "report_documents_withheld" in record.signs


async def test_records_happen_after_the_reply_and_never_fail_it() -> None:
    class DeadWrites(FakeStore):
        async def remember(self, user: str, locale: Locale) -> None:
            raise RuntimeError("disk full")

    pipe, out = pipeline(store=DeadWrites()), RecordingOutbox()
    await pipe.handle(text("u1", "hello there"), out)
    assert out.msgids() == ["Hello!"]
    await pipe.conversation.recorder.settle("u1")  # the failed write only logged


async def test_a_bug_in_a_step_still_leaves_the_numbers() -> None:
    class Broken(FakeDialogue):
        async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
            raise KeyError("unexpected")

    pipe, out = pipeline(Broken()), RecordingOutbox()
    await pipe.handle(text("u1", "hello there"), out)
    assert out.msgids()[0] in (messages.ENGINE_DOWN, messages.ROUTED_ENGINE_DOWN)


async def test_edits_are_read_for_danger_only() -> None:
    engine = FakeDialogue()
    pipe, out = pipeline(engine), RecordingOutbox()
    await pipe.handle(Turn("u1", Kind.EDIT, "hello again", chat_id=1, message_id=1), out)
    assert out.msgids() == [] and engine.calls == []


async def test_a_group_gets_an_invitation_and_nothing_is_kept() -> None:
    store = FakeStore()
    pipe, out = pipeline(store=store), RecordingOutbox()
    await pipe.handle(Turn("u1", Kind.COMMAND, command="start", chat_type="group"), out)
    assert out.msgids() == [messages.GROUP_ONLY_PRIVATE]
    assert store.locales == {}


async def test_engine_down_floor_for_ordinary_text() -> None:
    pipe, out = pipeline(FakeDialogue(down=True)), RecordingOutbox()
    await pipe.handle(text("u1", "ok", hint="km"), out)
    assert out.msgids()[0] == messages.ROUTED_ENGINE_DOWN
    assert out.sent[0][1].locale == "km"
    assert out.sent[0][1].replies[1].msgid == messages.ROUTED_HOTLINES


async def test_local_budget_refills_and_caps_turns_in_flight() -> None:
    now = [0.0]
    state = LocalState(clock=lambda: now[0])
    assert [await state.take("b", 1.0, 2.0) for _ in range(3)] == [True, True, False]
    now[0] += 1.0
    assert await state.take("b", 1.0, 2.0)
    assert await state.enter("f", 2, 60) and await state.enter("f", 2, 60)
    assert not await state.enter("f", 2, 60)
    await state.leave("f")
    assert await state.enter("f", 2, 60)


async def test_a_persons_turns_are_answered_in_the_order_they_arrived() -> None:
    class SlowFirstTake(LocalState):
        """Shared state whose first budget call is slow, as Redis can be."""

        def __init__(self) -> None:
            super().__init__()
            self.calls = 0

        async def take(self, key: str, rate: float, burst: float) -> bool:
            self.calls += 1
            if self.calls == 1:
                await asyncio.sleep(0.05)
            return await super().take(key, rate, burst)

    engine = FakeDialogue()
    pipe, out = pipeline(engine), RecordingOutbox()
    pipe.budget = Budget(SlowFirstTake())
    first = asyncio.create_task(pipe.handle(text("u1", "first question"), out))
    second = asyncio.create_task(pipe.handle(text("u1", "second question"), out))
    await asyncio.gather(first, second)
    assert [call.text for call in engine.calls] == ["first question", "second question"]

"""CaseBook transitions on a real database with a recording channel: who may do what,
transfers, and a tracker resumed later when the engine was down at close."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.core.clock import now
from bot.core.identity import Keys
from bot.core.types import BotReply
from bot.core.urgency.conversation import ConversationTier
from bot.handoff import operators as desk_side
from bot.handoff import texts
from bot.handoff.cases import Actor, CaseBook, OperatorButton
from bot.handoff.desks import Desk, Desks
from bot.handoff.engine import EngineControl
from bot.handoff.operators import Topic
from bot.storage.handoff import CLAIMED, QUEUED, HandoffStore
from bot.storage.session import new_sessionmaker

ANNA, BORIS, STRANGER = Actor(1, "Anna"), Actor(2, "Boris"), Actor(3, "Stranger")
USER_CHAT = 424242
# what the bot's own record says of the conversation (bot/core/tierbook.py)
DEBT = ConversationTier(2, ("report_debt_bondage",), 1.0)


class RecordingChannel:
    """Telegram stand-in: remembers what would have been sent."""

    def __init__(self) -> None:
        self.topics: dict[int, tuple[int, str, bool]] = {}
        self.posts: list[tuple[int, int | None, str]] = []
        self.told: list[tuple[int, str, str]] = []
        self.deleted: list[tuple[int, int]] = []

    async def create_topic(self, chat_id: int, name: str) -> int | None:
        thread = 100 + len(self.topics)
        self.topics[thread] = (chat_id, name, False)
        return thread

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        chat, name, _ = self.topics[thread_id]
        self.topics[thread_id] = (chat, name, True)

    async def post(
        self,
        chat_id: int,
        thread_id: int | None,
        text: str,
        buttons: Sequence[Sequence[OperatorButton]] = (),
    ) -> int | None:
        self.posts.append((chat_id, thread_id, text))
        return len(self.posts)

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[OperatorButton]]
    ) -> None:
        self.posts[message_id - 1] = (chat_id, self.posts[message_id - 1][1], text)

    async def tell_user(self, chat_id: int, locale: str, replies: Sequence[BotReply]) -> bool:
        self.told.extend((chat_id, locale, r.msgid) for r in replies)
        return True

    async def copy(
        self, from_chat: int, message_id: int, to_chat: int, thread_id: int | None
    ) -> int | None:
        self.posts.append((to_chat, thread_id, f"copy of {message_id}"))
        return len(self.posts)

    async def delete(self, chat_id: int, message_id: int) -> bool:
        self.deleted.append((chat_id, message_id))
        return True


class FlakyEngine(EngineControl):
    """An engine whose HTTP API is down until `up` is set."""

    def __init__(self) -> None:
        super().__init__("http://127.0.0.1:1", client=None)  # type: ignore[arg-type]  # never called
        self.up = False
        self.resumed: list[str] = []

    async def pause(self, sender: str) -> bool:
        return self.up

    async def resume(self, sender: str) -> bool:
        if self.up:
            self.resumed.append(sender)
        return self.up


def book_on(engine: Engine) -> tuple[CaseBook, RecordingChannel, FlakyEngine]:
    desks = Desks(
        (
            Desk("a", "Org A", -1, frozenset({"my"}), frozenset({1, 2}), members=frozenset({1})),
            Desk("b", "Org B", -2, frozenset({"my"}), frozenset({1, 2})),
        ),
        "a",
    )
    channel, flaky = RecordingChannel(), FlakyEngine()
    store = HandoffStore(new_sessionmaker(engine), clock=now)
    keys = Keys.from_secrets(b"k")
    book = CaseBook(desks, store, channel, flaky, keys, frozenset({2}), None, timedelta(0))
    return book, channel, flaky


async def test_only_the_desks_members_act_and_only_the_owner_releases(engine: Engine) -> None:
    book, channel, _ = book_on(engine)
    desk_a = book.desks.desks[0]
    case = await book.open("user-1", USER_CHAT, "my", desk_a, None, DEBT)
    assert case is not None and case.tier == 2 and case.indicators == "report_debt_bondage"
    assert book.may_act(case, ANNA) and not book.may_act(case, BORIS)  # desk a lists members
    assert await book.claim(case, ANNA)
    assert not await book.claim(case, ANNA)  # already claimed
    claimed = await book.store.get(case.id)
    assert claimed and claimed.state == CLAIMED
    assert not await book.release(claimed, BORIS)
    assert await book.release(claimed, ANNA)
    assert (await book.store.get(case.id)).state == QUEUED  # type: ignore[union-attr]
    assert "Status: waiting for an operator" in channel.posts[0][2]  # the card, updated
    assert (USER_CHAT, "my", texts.CLAIMED) in channel.told  # told in their language


async def test_transfer_moves_the_case_to_a_new_topic(engine: Engine) -> None:
    book, channel, _ = book_on(engine)
    case = await book.open("user-2", USER_CHAT, "my", book.desks.desks[0], ["hi"], DEBT)
    assert case is not None and case.thread_id is not None
    assert await book.transfer(case, book.desks.desks[1])
    moved = await book.store.get(case.id)
    assert moved and moved.desk == "b" and moved.desk_chat == -2 and moved.state == QUEUED
    assert channel.topics[case.thread_id][2]  # the old topic is closed
    assert await book.store.by_topic(-1, case.thread_id) is None


async def test_a_tracker_left_paused_is_resumed_when_the_engine_returns(engine: Engine) -> None:
    book, _, flaky = book_on(engine)
    case = await book.open("user-3", USER_CHAT, "my", book.desks.desks[0], None, DEBT)
    assert case is not None
    assert await book.close(case, "the person")
    assert flaky.resumed == []
    flaky.up = True
    await book.escalate_due()
    assert flaky.resumed == ["user-3"]
    assert not await book.close(case, "again")  # closing twice does nothing


async def test_unread_turns_make_a_case_at_least_tier_2_and_the_card_says_why(
    engine: Engine,
) -> None:
    book, channel, _ = book_on(engine)
    quiet = ConversationTier(4, (), 1.0, unread=2)  # the engine was down for two turns
    case = await book.open("user-4", USER_CHAT, "my", book.desks.desks[0], None, quiet)
    assert case is not None and case.tier == 2
    assert "2 message(s) not read" in channel.posts[0][2]


async def test_the_open_case_memo_follows_opening_and_closing(engine: Engine) -> None:
    book, _, _ = book_on(engine)
    assert await book.memo.open_case_of("user-5") is None
    case = await book.open("user-5", USER_CHAT, "my", book.desks.desks[0], None, DEBT)
    assert case is not None
    found = await book.memo.open_case_of("user-5")
    assert found is not None and found.id == case.id
    await book.close(case, "the person")
    assert await book.memo.open_case_of("user-5") is None


async def test_forget_deletes_the_persons_words_from_the_topics_and_counts_what_stays(
    engine: Engine,
) -> None:
    book, channel, _ = book_on(engine)
    case = await book.open("user-6", USER_CHAT, "my", book.desks.desks[0], ["my words"], DEBT)
    assert case is not None
    assert await book.from_user(case, USER_CHAT, 77)
    assert await book.from_user(case, USER_CHAT, 78)
    copies = await book.store.copies_of("user-6")
    assert len(copies) == 3  # the transcript and two copies
    with engine.begin() as db:  # the transcript was posted three days ago
        old = datetime.now(timezone.utc) - timedelta(days=3)
        db.execute(text("update handoff_copy set at = :old where id = 1"), {"old": old})
    removed, left = await book.erase_copies("user-6")
    assert (removed, left) == (2, 1)  # Telegram would refuse the old one: said, not tried
    assert len(channel.deleted) == 2
    assert await book.store.copies_of("someone-else") == []


class Killed(BaseException):
    """The bot process dying (kill -9) while a call is on its way."""


class DyingChannel(RecordingChannel):
    """Dies during the first copy it is asked for, like a bot killed mid-relay."""

    def __init__(self) -> None:
        super().__init__()
        self.dies = True

    async def copy(
        self, from_chat: int, message_id: int, to_chat: int, thread_id: int | None
    ) -> int | None:
        if self.dies:
            self.dies = False
            raise Killed
        return await super().copy(from_chat, message_id, to_chat, thread_id)


async def test_a_message_whose_relay_died_midway_is_relayed_when_replayed(
    engine: Engine,
) -> None:
    book, _, _ = book_on(engine)
    channel = book.channel = DyingChannel()
    case = await book.open("user-7", USER_CHAT, "my", book.desks.desks[0], None, DEBT)
    assert case is not None
    with pytest.raises(Killed):  # the bot dies on the way to the desk
        await book.from_user(case, USER_CHAT, 90)
    assert await book.from_user(case, USER_CHAT, 90)  # the journal replays the update
    assert await book.from_user(case, USER_CHAT, 90)  # Telegram delivers it once more
    copies = [p for p in channel.posts if p[2] == "copy of 90"]
    assert copies == [(case.desk_chat, case.thread_id, "copy of 90")]  # there, once
    assert len(await book.store.copies_of("user-7")) == 1  # and /forget can delete it


async def test_in_a_case_topic_only_the_desk_acts_and_only_owner_or_lead_close(
    engine: Engine,
) -> None:
    # bot/handoff/operators.py: the rules the Telegram adapter hands every topic message
    # and button press to
    book, channel, _ = book_on(engine)
    three, lead = frozenset({1, 2, 3}), frozenset({3})
    desk = Desk("c", "Org C", -3, frozenset({"my"}), frozenset({1, 2}), members=three, leads=lead)
    book.desks = Desks((*book.desks.desks, desk), "a")
    case = await book.open("user-1", USER_CHAT, "my", desk, None, DEBT)
    assert case is not None
    people = {"anna": ANNA, "boris": BORIS, "lead": Actor(3, "Lead"), "x": Actor(9, "X")}
    where = {name: Topic(desk.chat_id, case.thread_id, actor) for name, actor in people.items()}
    posted = len(channel.posts)
    await desk_side.on_message(book, where["x"], 7, "hello from outside", caption=False)
    assert len(channel.posts) == posted  # not the desk's: nothing relayed, nothing said
    await desk_side.on_message(book, where["anna"], 8, "/claim", caption=True)
    assert channel.posts[-1][2] == texts.NOT_SENT  # a caption never acts
    await desk_side.on_message(book, where["anna"], 9, "/note call back at 6", caption=False)
    assert channel.posts[-1][2] == texts.NOTE_KEPT
    assert not channel.told  # nothing that starts with "/" reached the person
    # a button acts only on the case of its own topic, pressed by the desk's operator
    other_case = f"hc:claim:{case.id + 1}"
    assert await desk_side.on_button(book, where["anna"], other_case) == texts.STALE_BUTTON
    pressed = f"hc:claim:{case.id}"
    assert await desk_side.on_button(book, where["x"], pressed) == texts.NOT_AN_OPERATOR
    assert await desk_side.on_button(book, where["anna"], pressed) == ""
    assert await desk_side.on_button(book, where["boris"], pressed) == texts.TAKEN
    # Anna's case: Boris may not close it, the desk's lead may
    claimed = await book.store.get(case.id)
    assert claimed is not None and claimed.state == CLAIMED
    closing = f"hc:close:{case.id}"
    assert await desk_side.on_button(book, where["boris"], closing) == texts.OWNER_OR_LEAD
    await desk_side.on_message(book, where["boris"], 10, "/close", caption=False)
    assert channel.posts[-1][2] == texts.OWNER_OR_LEAD
    assert await desk_side.on_button(book, where["lead"], closing) == ""
    assert await book.store.by_topic(desk.chat_id, case.thread_id or 0) is None  # closed

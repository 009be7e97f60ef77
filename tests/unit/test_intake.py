"""The durable intake: what it confirms to Telegram, what it answers once, what it replays."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.core import clock
from bot.storage.journal_writer import JournalWriter
from bot.storage.session import migrate, new_engine, new_sessionmaker
from bot.telegram.intake import (
    CURRENT,
    HOLD_MAX,
    JOINED,
    Intake,
    JournalProcessor,
    LedgerRequest,
    joining,
)

KEY = b"unit-test-key"


class SlowJournal:
    """A journal whose commits the test completes by hand."""

    owner = "test"

    def __init__(self, hold_sends: bool = False) -> None:
        self.pending: dict[int, asyncio.Future[None]] = {}
        self.answered: list[int] = []
        self.sent: list[tuple[int, int, str]] = []
        self.hold_sends = hold_sends  # sent results wait for the test to commit them
        self.sent_commits: list[asyncio.Future[None]] = []
        self.noted = asyncio.Event()

    def append(self, update_id: int, payload: str) -> asyncio.Future[None]:
        self.pending[update_id] = asyncio.get_running_loop().create_future()
        return self.pending[update_id]

    def commit(self, update_id: int) -> None:
        self.pending[update_id].set_result(None)

    def finish(self, update_id: int) -> None:
        self.answered.append(update_id)

    def note_sent(self, update_id: int, seq: int, result: str) -> asyncio.Future[None]:
        self.sent.append((update_id, seq, result))
        self.sent_commits.append(asyncio.get_running_loop().create_future())
        if not self.hold_sends:
            self.sent_commits[-1].set_result(None)
        self.noted.set()
        return self.sent_commits[-1]

    async def wait_kept(self, committed: asyncio.Future[None]) -> None:
        await committed


def update(update_id: int, text: str = "hello") -> str:
    message = {"message_id": update_id, "date": 0, "chat": {"id": 7, "type": "private"}}
    return json.dumps({"update_id": update_id, "message": {**message, "text": text}})


async def test_only_journaled_or_answered_updates_are_confirmed() -> None:
    journal = SlowJournal()
    intake = Intake(journal, KEY)  # type: ignore[arg-type]
    assert intake.offset() == 0  # Telegram's oldest unconfirmed update first
    for n in (5, 6, 7):
        assert intake.accept(n, update(n))
    assert intake.offset() == 5 and intake.unconfirmed()
    journal.commit(6)
    await asyncio.sleep(0)
    assert intake.offset() == 5  # 5 is neither journaled nor answered yet
    intake.answered(5)
    assert intake.offset() == 7
    journal.commit(7)
    await asyncio.sleep(0)
    assert intake.offset() == 8 and not intake.unconfirmed()


async def test_without_a_journal_answered_updates_are_confirmed() -> None:
    intake = Intake(None, KEY)
    intake.accept(10, update(10))
    intake.accept(11, update(11))
    intake.answered(11)
    assert intake.offset() == 10
    intake.answered(10)
    assert intake.offset() == 12


async def test_at_most_hold_max_updates_are_held_so_news_is_never_hidden() -> None:
    intake = Intake(SlowJournal(), KEY)  # type: ignore[arg-type]
    for n in range(1, 81):  # a hanging journal, turns not done: nothing safe yet
        intake.accept(n, update(n))
    assert intake.offset() == 81 - HOLD_MAX  # Telegram hands out the held ones and 50 more
    for n in range(81 - HOLD_MAX, 81):
        intake.answered(n)
    assert intake.offset() == 81 and not intake.unconfirmed()


async def test_an_update_delivered_twice_is_taken_once() -> None:
    intake = Intake(SlowJournal(), KEY)  # type: ignore[arg-type]
    assert intake.accept(20, update(20))
    assert not intake.accept(20, update(20))
    intake.answered(20)
    assert not intake.accept(20, update(20))


async def test_settled_waits_for_the_journal_or_the_answer() -> None:
    journal = SlowJournal()
    intake = Intake(journal, KEY)  # type: ignore[arg-type]
    intake.accept(30, update(30))
    intake.accept(31, update(31))
    by_journal, by_answer = intake.settled(30), intake.settled(31)
    await asyncio.sleep(0.01)
    assert not by_journal.done() and not by_answer.done()  # type: ignore[attr-defined]
    journal.commit(30)
    intake.answered(31)
    await asyncio.wait_for(asyncio.gather(by_journal, by_answer), 1)
    await asyncio.wait_for(intake.settled(31), 1)  # already answered: at once


class Recorder(BaseRequest):
    """The Bot API: counts calls, answers each with a new message id."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        self.calls.append(url.rsplit("/", 1)[-1])
        body = {"ok": True, "result": {"message_id": 100 + len(self.calls)}}
        return 200, json.dumps(body).encode()


async def test_a_replay_gets_earlier_sends_back_instead_of_sending_again() -> None:
    journal = SlowJournal()
    intake = Intake(journal, KEY)  # type: ignore[arg-type]
    api = Recorder()
    ledger = LedgerRequest(api, intake)
    intake._recorded[40] = {0: b'{"ok": true, "result": {"message_id": 1}}'}
    CURRENT.set(intake.delivery(40))
    first = await ledger.do_request("https://api/bot1:x/sendMessage", "POST")
    typing = await ledger.do_request("https://api/bot1:x/sendChatAction", "POST")
    second = await ledger.do_request("https://api/bot1:x/sendMessage", "POST")
    assert json.loads(first[1])["result"]["message_id"] == 1  # sent before the crash
    assert api.calls == ["sendChatAction", "sendMessage"]  # only the new one goes out
    assert json.loads(second[1])["result"]["message_id"] == 102
    assert [(u, n) for u, n, _ in journal.sent] == [(40, 1)]
    assert typing[0] == 200


async def test_a_message_is_done_only_once_its_result_is_kept() -> None:
    # the next bubble of a conversation waits for this one's record: a bot killed at any
    # moment has at most one message per conversation that a replay would send again
    journal = SlowJournal(hold_sends=True)
    intake = Intake(journal, KEY)  # type: ignore[arg-type]
    ledger = LedgerRequest(Recorder(), intake)
    CURRENT.set(intake.delivery(45))
    send = asyncio.create_task(ledger.do_request("https://api/bot1:x/sendMessage", "POST"))
    await journal.noted.wait()  # Telegram took the message; its result is being journaled
    assert not send.done()
    journal.sent_commits[0].set_result(None)
    assert (await asyncio.wait_for(send, 5))[0] == 200
    CURRENT.set(None)


async def test_joining_is_decided_once_and_a_replay_sends_the_same_messages() -> None:
    journal = SlowJournal()
    intake = Intake(journal, KEY)  # type: ignore[arg-type]
    CURRENT.set(intake.delivery(70))
    assert joining(lambda: True)  # busy: this update's answers go joined...
    assert joining(lambda: False)  # ...all of them, even if the queue empties meanwhile
    assert [(u, n) for u, n, _ in journal.sent] == [(70, JOINED)]  # journaled before sending

    intake._recorded[71] = {JOINED: b"joined", 0: b'{"ok": true, "result": {}}'}
    CURRENT.set(intake.delivery(71))
    assert joining(lambda: False)  # the crashed attempt joined: so does the replay

    intake._recorded[72] = {0: b'{"ok": true, "result": {}}'}
    CURRENT.set(intake.delivery(72))
    assert not joining(lambda: True)  # it sent bubbles: the replay sends the rest as bubbles
    CURRENT.set(None)


async def test_the_processor_marks_answered_unless_cancelled() -> None:
    intake = Intake(None, KEY)
    processor = JournalProcessor(intake)
    for n in (50, 51):
        intake.accept(n, update(n))

    async def answer() -> None:
        assert CURRENT.get() is not None and CURRENT.get().update_id == 50  # type: ignore[union-attr]

    await processor.do_process_update(Update.de_json(json.loads(update(50)), None), answer())
    hang = asyncio.create_task(
        processor.do_process_update(
            Update.de_json(json.loads(update(51)), None), asyncio.sleep(60)
        )
    )
    await asyncio.sleep(0.01)
    hang.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hang
    assert intake.offset() == 51  # 50 answered, 51 never was


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[JournalWriter]:
    engine = new_engine(f"sqlite:///{tmp_path / 'journal.sqlite3'}")
    migrate(engine)
    journal = JournalWriter(new_sessionmaker(engine), "poller", clock=clock.now)
    task = asyncio.create_task(journal.run())
    yield journal
    task.cancel()
    journal.close()
    engine.dispose()


async def test_a_restarted_intake_replays_what_the_dead_one_left(writer: JournalWriter) -> None:
    dead = Intake(writer, KEY)
    for n in (60, 61, 62):
        dead.accept(n, update(n, f"text {n}"))
    dead.note_sent(61, JOINED, b"joined")  # its answer went out joined (see joining())
    dead.note_sent(61, 0, b'{"ok": true, "result": {"message_id": 9}}')
    dead.answered(60)
    assert await writer.flush(5)

    alive = Intake(writer, KEY)
    replays = await alive.restore(everyone=True)
    assert [u["message"]["text"] for u in replays] == ["text 61", "text 62"]
    assert alive.delivery(61).recorded == {
        JOINED: b"joined",
        0: b'{"ok": true, "result": {"message_id": 9}}',
    }
    for n in (60, 61, 62):  # Telegram delivers them again: all already taken care of
        assert not alive.accept(n, update(n))
    assert alive.offset() == 63

"""Fault-test tools: offer load through the sandbox, kill parts of the stack, check that every
request got its answer, in order, once.

One module for every fault test (bot, engine replica, action server, Redis, database):
`Load` sends a script of questions (with a burst, and faults at chosen moments) and reads
each person's chat back; `Answers` is every bubble each question must be answered with
(measured on the same stack, so a changed wording never breaks these tests); `judge` walks
each chat for missing, disordered and duplicated bubbles; `StallProxy` makes a database hang,
`RedisServer` is a Redis to kill. (`make bench`'s tools, bot/engine/load.py, match first
bubbles only; a fault can also lose or repeat a later bubble, so these compare them all.)
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sandbox.aio import SandboxSession
from bot.sandbox.client import SandboxClient, free_port, wait_until

SANDBOX_TOKEN = "100000:sandbox-token"  # the token bot.stack gives the sandbox
QUIET = 1.5  # seconds without a new bubble after which an answer is taken as complete
# ordinary questions, each answered by its topic's bubbles (training phrases: no guessing)
QUESTIONS = {
    "en": (
        "what documents i need to work in thailand",
        "how much is the minimum wage",
        "how to check a job offer is real",
        "how many hours can i work",
        "how to go home safely",
    ),
    "th": (
        "ค่าแรงขั้นต่ำตอนนี้วันละเท่าไหร่",
        "ทำงานวันละกี่ชั่วโมงตามกฎหมาย",
        "อยากกลับบ้านต้องทำยังไง",
    ),
}


# what the bot answers by itself, engine or not: one distinct answer per kind of message
KINDS = {"en": (":voice", ":photo", ":sticker", ":document", ":location", ":contact")}


def message(user: int, text: str) -> dict[str, Any]:
    """The sandbox's /sandbox/send body: text, or ":kind" for a voice note, photo, ..."""
    if text.startswith(":"):
        return {"user_id": user, "kind": text[1:]}
    return {"user_id": user, "text": text}


def kill(pid: int) -> float:
    """SIGKILL one process (no clean-up of any kind); the moment it was sent."""
    os.kill(pid, signal.SIGKILL)
    return time.time()


def pending_updates(sandbox: SandboxClient, token: str = SANDBOX_TOKEN) -> int:
    """Updates Telegram (the sandbox) still holds: not yet confirmed by the bot."""
    info = sandbox.http.get(f"/bot{token}/getWebhookInfo").json()
    return int(info["result"]["pending_update_count"])


def unanswered_in_journal(database: Path) -> int:
    """Updates the bot journaled and has not answered yet (SQLite database file)."""
    with sqlite3.connect(database) as db:
        query = "SELECT count(*) FROM update_journal WHERE answered_at IS NULL"
        return int(db.execute(query).fetchone()[0])


@dataclass(frozen=True)
class Request:
    """One message a person sent during the load."""

    user: int
    text: str
    message_id: int
    at: float


@dataclass
class Answers:
    """The bubbles each question is answered with, learnt from the stack under test."""

    questions: dict[str, tuple[str, ...]] = field(default_factory=lambda: QUESTIONS)
    by_question: dict[str, list[str]] = field(default_factory=dict)

    def learn(self, sandbox: SandboxClient, first_user: int) -> None:
        """Ask every question once, each from a person of its own, one after the other, on
        a quiet stack before any fault. Asked all at once, they made the bot send near
        Telegram's rate, and it joined some answers' bubbles into one message: the answer
        learned was then not the bubbles a person gets when it is not busy."""
        asked = [q for questions in self.questions.values() for q in questions]
        self.by_question = {q: answer(sandbox, first_user + n, q) for n, q in enumerate(asked)}

    def expected(self, requests: Sequence[Request]) -> list[str]:
        """The bubbles one person must see for their requests, in order."""
        return [text for r in requests for text in self.by_question[r.text]]


def answer(sandbox: SandboxClient, user: int, question: str) -> list[str]:
    """The bubbles the bot answers a question with: those that came until it was quiet."""
    sent = sandbox.http.post("/sandbox/send", json=message(user, question)).json()
    chat, after = sent["chat"]["id"], sent["message_id"]
    wait_until(lambda: sandbox.replies(chat, after, 1, 0), 60, "the answer to learn")
    replies: list[dict[str, Any]] = []
    while True:
        time.sleep(QUIET)
        now = sandbox.replies(chat, after, 1, 0)
        if now == replies:
            return [b["text"] for b in replies]
        replies = now


@dataclass
class Load:
    """People asking questions at a steady rate through the sandbox, with an optional
    burst: messages `burst` go out all at once (work in flight when a fault strikes)."""

    sandbox: SandboxClient
    users: Sequence[int]
    per_user: int
    rate: float  # messages per second, all people together
    burst: range = range(0)
    questions: dict[str, tuple[str, ...]] = field(default_factory=lambda: QUESTIONS)
    sent: list[Request] = field(default_factory=list)

    def plan(self) -> list[tuple[float, int, str]]:
        """(second, user, text): each person's questions in their language, in turns."""
        locales = list(self.questions)
        steps = []
        for k in range(self.per_user):
            for n, user in enumerate(self.users):
                questions = self.questions[locales[n % len(locales)]]
                steps.append((user, questions[(n + k) % len(questions)]))
        slots = (
            [
                i if i < self.burst.start else max(i - len(self.burst) + 1, self.burst.start)
                for i in range(len(steps))
            ]
            if self.burst
            else list(range(len(steps)))
        )
        return [(slot / self.rate, u, t) for slot, (u, t) in zip(slots, steps, strict=True)]

    async def offer(
        self, faults: dict[int, tuple[float, Callable[[], object]]] | None = None
    ) -> None:
        """Send the plan in real time (each person's messages strictly in order); a fault
        `faults[n] = (delay, cause)` is caused `delay` seconds after the n-th message."""
        start, loop = time.monotonic(), asyncio.get_running_loop()
        async with SandboxSession(self.sandbox.url, timeout=30) as http:
            for second, user, text in self.plan():
                await asyncio.sleep(max(0.0, start + second - time.monotonic()))
                sent = await http.post("/sandbox/send", message(user, text))
                self.sent.append(Request(user, text, sent["message_id"], time.time()))
                if faults and len(self.sent) in faults:
                    delay, cause = faults[len(self.sent)]
                    loop.call_later(delay, cause)

    def seen(self, user: int) -> list[str]:
        """The bot's bubbles in a person's chat, in the order they arrived."""
        return [
            m["text"]
            for m in self.sandbox.chat(user)
            if m["from"].get("is_bot") and not m.get("deleted")
        ]

    def requests(self, user: int) -> list[Request]:
        """What a person sent, in order."""
        return [r for r in self.sent if r.user == user]


@dataclass(frozen=True)
class Verdict:
    """How one person's chat compares with what they should have seen."""

    missing: int  # expected bubbles that never came (or came out of order)
    extra: list[str]  # bubbles beyond the expected ones (duplicates, or wrong answers)


def compare(expected: Sequence[str], seen: Sequence[str]) -> Verdict:
    """Walk the chat in order: every expected bubble must come, in the expected order
    (alone, or joined with the next ones into one message, as the bot sends an answer under
    load); anything else is extra."""
    extra, position = [], 0
    for text in seen:
        run = bubbles_in(text, expected, position)
        if run:
            position += run
        else:
            extra.append(text)
    return Verdict(len(expected) - position, extra)


def bubbles_in(text: str, expected: Sequence[str], position: int) -> int:
    """How many expected bubbles from `position` one message carries: 1, several joined by
    a blank line, or 0 if it is not the next ones."""
    joined = ""
    for count, bubble in enumerate(expected[position:], start=1):
        joined = f"{joined}\n\n{bubble}" if joined else bubble
        if text == joined:
            return count
        if not text.startswith(joined + "\n\n"):
            return 0
    return 0


def all_answered(answers: Answers, load: Load) -> bool:
    """Every person has seen every bubble they are owed (extras do not count here)."""
    return all(
        not compare(answers.expected(load.requests(u)), load.seen(u)).missing
        for u in {r.user for r in load.sent}
    )


class StallProxy:
    """A TCP proxy to a real server that can be told to hang: connections stay open and new
    ones are accepted, but nothing passes either way until it is resumed. A database that
    hangs (an overloaded or frozen server), not one that refuses."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._flowing = asyncio.Event()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="stall-proxy", daemon=True)
        self._thread.start()
        self._started.wait(10)

    def stall(self) -> None:
        """From now on nothing passes: every query in flight or to come hangs."""
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def resume(self) -> None:
        """Let everything held pass again."""
        self._loop.call_soon_threadsafe(self._flowing.set)

    def close(self) -> None:
        """Stop serving and drop every connection."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._flowing.set()
        server = self._loop.run_until_complete(
            asyncio.start_server(self._connect, "127.0.0.1", self.port)
        )
        self._started.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _connect(self, client_in: asyncio.StreamReader, client_out: Any) -> None:
        await self._flowing.wait()  # a new connection hangs before reaching the server
        try:
            server_in, server_out = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_out.close()
            return
        await asyncio.gather(self._pipe(client_in, server_out), self._pipe(server_in, client_out))

    async def _pipe(self, source: asyncio.StreamReader, sink: Any) -> None:
        try:
            while data := await source.read(65536):
                await self._flowing.wait()  # what was read during a stall is held
                sink.write(data)
                await sink.drain()
        except OSError:
            pass
        finally:
            sink.close()


class RedisServer:
    """A redis-server of the test's own (Debian's binary), on a free port, that can be
    killed and started again on the same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        log = (self.folder / "redis.log").open("ab")
        self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self.answers, 10, "redis-server")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> float:
        """SIGKILL the server; the moment it was sent."""
        assert self.process is not None
        killed_at = kill(self.process.pid)
        self.process.wait(10)
        return killed_at

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def judge(answers: Answers, load: Load) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Per person: bubbles missing or out of order (none may be), and extra bubbles."""
    verdicts = {
        u: compare(answers.expected(load.requests(u)), load.seen(u))
        for u in sorted({r.user for r in load.sent})
    }
    missing = {u: v.missing for u, v in verdicts.items() if v.missing}
    return missing, {u: v.extra for u, v in verdicts.items() if v.extra}


def owed_at(answers: Answers, load: Load, moment: float) -> dict[int, int]:
    """Per person, the bubbles the bot owed at `moment`: asked for before it and not yet
    sent (the work a fault at that moment can lose, or repeat)."""
    calls = load.sandbox.calls("sendMessage")
    owed = {}
    for user in {r.user for r in load.sent}:
        asked = [r for r in load.requests(user) if r.at < moment]
        sent = sum(1 for c in calls if c["at"] < moment and int(c["params"]["chat_id"]) == user)
        owed[user] = max(0, len(answers.expected(asked)) - sent)
    return owed


def last_sent_before_restart(sandbox: SandboxClient, killed_at: float) -> dict[int, str]:
    """Per chat, the last message the killed bot sent (its successor starts with getMe)."""
    restart = min(c["at"] for c in sandbox.calls("getMe") if c["at"] > killed_at)
    last: dict[int, str] = {}
    for call in sandbox.calls("sendMessage"):
        if call["at"] < restart:
            last[int(call["params"]["chat_id"])] = call["params"]["text"]
    return last


def only_in_flight_twice(
    answers: Answers, load: Load, extra: dict[int, list[str]], killed_at: float
) -> None:
    """Assert that a person gets at most one message twice: the last one the killed bot
    sent them. The Bot API has no idempotency key, so a message Telegram accepted in the
    instant before a kill, before its result was journaled, comes again with the replay;
    the bot journals each message's result before the next one of that conversation goes
    out (JournalWriter.wait_kept), so anything more would be a fault of the bot."""
    answers_bubbles = list(answers.by_question.values())
    for text in {t for texts in extra.values() for t in texts}:  # whole or joined bubbles
        assert any(bubbles_in(text, b, n) for b in answers_bubbles for n in range(len(b)))
    assert {u: texts for u, texts in extra.items() if len(texts) > 1} == {}
    last = last_sent_before_restart(load.sandbox, killed_at)
    assert {u: texts for u, texts in extra.items() if texts[0] != last.get(u)} == {}

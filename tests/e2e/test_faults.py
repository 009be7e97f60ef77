"""Faults under load (issue #11.5): parts of the stack die or hang mid-load, and nobody's
message is lost, each person's answers come in the order they asked, nobody gets the same
answer twice, open cases stay open, and danger still gets its numbers at once.

One stack for the module, as `make run-scaled` starts it: two engine replicas, the action
server, the bot, on a real PostgreSQL (reached through a proxy that can make it hang) and a
real Redis of the test's own (which it kills). Operators' desks are configured, so every
turn passes the hand-off. The stack's supervisor restarts what dies, as a production
supervisor would. People write through the sandbox, which keeps an update until the bot
confirms it, as Telegram does. The webhook test runs a bot of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine

from bot.core.types import LOCALES
from bot.engine.fingerprint import model_path
from bot.engine.load import Chat, Request, Script, match, send, watch
from bot.sandbox.aio import SandboxSession
from bot.sandbox.client import SandboxClient, free_port, start, start_stack, stop, wait_until
from bot.storage.session import new_engine
from tests.e2e.conftest import TOKEN, StackRun, bot_env
from tests.e2e.faults import (
    KINDS,
    Answers,
    Load,
    RedisServer,
    StallProxy,
    all_answered,
    judge,
    kill,
    only_in_flight_twice,
    owed_at,
    pending_updates,
    unanswered_in_journal,
)
from tests.e2e.processes import cmdline, descendants

pytestmark = pytest.mark.e2e
DESK, OPERATOR = -1002700, 2701
DANGER = "help me please they lock me in the room and beat me"
RASA_TIMEOUT = 8.0  # the deadline of an ordinary turn (the default)
RATE, SECONDS, PEOPLE = 6.0, 10.0, 12  # the engine faults' steady load


def needed(name: str) -> str:
    """A service CI provides (an environment variable or a program); outside CI its
    absence skips the module, under CI it fails it."""
    found = os.environ.get(name, "") if name.isupper() else shutil.which(name) or ""
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"{name} missing in CI: .ci/run must provide it")
        pytest.skip(f"{name} missing (CI provides it)")
    return found


@dataclass
class FaultStack:
    """The running stack and the handles to break its parts."""

    run: StackRun
    database: Engine  # straight to PostgreSQL, past the proxy
    proxy: StallProxy
    redis: RedisServer
    answers: Answers

    @property
    def sandbox(self) -> SandboxClient:
        return self.run.sandbox

    def pid_of(self, *words: str) -> int:
        """The running child whose command line holds all these words (waits for it: the
        supervisor may be restarting it)."""
        found: list[int] = []

        def running() -> bool:
            found[:] = [
                p
                for p in descendants(self.run.process.pid)
                if all(w in cmdline(p).split() for w in words)
            ]
            return bool(found)

        wait_until(running, 30, " ".join(words))
        return found[0]

    def unanswered(self) -> int:
        """Updates the bot journaled and has not answered yet."""
        with self.database.connect() as db:
            query = text("SELECT count(*) FROM update_journal WHERE answered_at IS NULL")
            return int(db.execute(query).scalar_one())

    def log(self) -> str:
        return self.run.log.read_text()


def empty_database(url: str) -> Engine:
    """PostgreSQL with none of an earlier run's tables (the journal's ids would collide)."""
    database = new_engine(url)
    stale = MetaData()
    stale.reflect(database)
    stale.drop_all(database)
    return database


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    """`make run-scaled` on PostgreSQL behind a stall proxy and a Redis the test can kill.
    Both URLs are given, so the stack starts neither service itself."""
    if not model_path().exists():
        pytest.skip("no trained model for the current data (run `make model`)")
    postgres = needed("TEST_POSTGRES_URL")
    needed("redis-server")
    logs = tmp_path_factory.mktemp("faults")
    where = urlparse(postgres)
    with contextlib.ExitStack() as cleanup:  # whatever started is stopped, newest first
        database = empty_database(postgres)
        cleanup.callback(database.dispose)
        proxy = StallProxy(where.hostname or "localhost", where.port or 5432)
        cleanup.callback(proxy.close)
        redis = RedisServer(logs)
        cleanup.callback(redis.stop)
        redis.start()
        host = f"{where.hostname}:{where.port or 5432}"
        env = {
            "DATABASE_URL": postgres.replace(host, f"127.0.0.1:{proxy.port}"),
            "REDIS_URL": redis.url,
            "OPERATOR_CHAT_ID": str(DESK),
            "OPERATOR_IDS": str(OPERATOR),
            "RASA_TIMEOUT": str(RASA_TIMEOUT),
        }
        process, sandbox, env = start_stack(logs, env, replicas=2, scaled=True)
        cleanup.callback(stop, process)
        cleanup.callback(proxy.resume)  # a test that failed mid-stall lets the stack stop
        answers = Answers()
        answers.learn(sandbox, first_user=7900)
        run = StackRun(sandbox, logs / "stack.log", process, env)
        yield FaultStack(run, database, proxy, redis, answers)


# -- the engine side: a replica or the action server dies --------------------------------


async def steady_load(stack: FaultStack, base: int, kill_words: tuple[str, ...]) -> list[Chat]:
    """PEOPLE people write RATE msg/s for SECONDS; a third of the way in, kill -9 a child."""
    script = Script.load(per_class=2)
    chats = [Chat(base + n, LOCALES[n % 5]) for n in range(PEOPLE)]
    done = asyncio.Event()
    async with SandboxSession(stack.sandbox.url) as http:
        watchers = [asyncio.create_task(watch(http, chat, done)) for chat in chats]
        started, sends = time.monotonic(), []
        for i in range(int(RATE * SECONDS)):
            await asyncio.sleep(max(0.0, started + i / RATE - time.monotonic()))
            if i == int(RATE * SECONDS / 3):
                os.kill(stack.pid_of(*kill_words), signal.SIGKILL)
            chat = chats[i % PEOPLE]
            text, expect = script.next_for(chat.locale, chat.user, i // PEOPLE)
            sends.append(asyncio.create_task(send(http, chat, Request(chat.user, text, expect))))
        await asyncio.gather(*sends)
        for _ in range(60):  # replies still on their way (the bot's deadline is 8 s)
            if all(len(c.replies) >= len(c.requests) for c in chats):
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)
        done.set()
        await asyncio.gather(*watchers)
    return chats


def outcome(chats: list[Chat]) -> tuple[int, int, int, int]:
    """(sent, answered, out of order, floor answers)."""
    script = Script.load(per_class=2)
    disorder = sum(match(chat, script.floor[chat.locale]) for chat in chats)
    requests = [r for chat in chats for r in chat.requests]
    answered = [r for r in requests if r.answered_at is not None]
    return len(requests), len(answered), disorder, sum(r.floor for r in answered)


def test_kill_9_of_an_engine_replica_mid_load_loses_nothing(faulty: FaultStack) -> None:
    second = faulty.run.env["RASA_URL"].split(",")[1]
    port = str(httpx.URL(second).port)
    chats = asyncio.run(steady_load(faulty, 930_000, ("bot.engine.serve", port)))
    sent, answered, disorder, floor = outcome(chats)
    assert (answered, disorder) == (sent, 0)
    assert floor == 0  # the other replica answered every turn the dead one had
    # the supervisor brings the replica back; it answers again
    wait_until(lambda: httpx.get(second).status_code == 200, 180, "the killed replica")
    assert "engine2 exited (-9); restarting" in faulty.log()


def test_kill_9_of_the_action_server_mid_load_loses_nothing(faulty: FaultStack) -> None:
    chats = asyncio.run(steady_load(faulty, 940_000, ("run", "actions")))
    sent, answered, disorder, floor = outcome(chats)
    assert (answered, disorder, floor) == (sent, 0, 0)  # no turn waits for the action server
    health = faulty.run.env["ACTION_SERVER_URL"].replace("/webhook", "/health")
    wait_until(lambda: httpx.get(health).status_code == 200, 60, "the restarted action server")
    assert "actions exited (-9); restarting" in faulty.log()


# -- the bot side: the bot dies, Redis dies, the database hangs ---------------------------


def caught_up(stack: FaultStack, load: Load) -> bool:
    """Telegram holds nothing unconfirmed, the journal nothing unanswered, and every chat
    has every bubble it should."""
    if pending_updates(stack.sandbox) or stack.unanswered():
        return False
    return all_answered(stack.answers, load)


def open_case(sandbox: SandboxClient, user: int) -> None:
    """The person asks for a person in words and agrees: a case waits at the desk."""
    [consent] = sandbox.ask(user, "I want to talk to a real person", language_code="en")
    sandbox.press(user, consent["message_id"], "handoff:agree:operators")
    sandbox.replies(user, consent["message_id"])  # queued: the desk has the case


def open_cases(stack: FaultStack) -> int:
    with stack.database.connect() as db:
        query = text("SELECT count(*) FROM handoff_case WHERE closed_at IS NULL")
        return int(db.execute(query).scalar_one())


def bot_bubbles(sandbox: SandboxClient, user: int) -> int:
    return sum(1 for m in sandbox.chat(user) if m["from"].get("is_bot"))


def relayed(sandbox: SandboxClient, user: int) -> list[tuple[int, str]]:
    """(topic, text) of what reached the desk from this person's case, in order."""
    mine = f"case {user}:"
    return [
        (m.get("message_thread_id", 0), m["text"])
        for m in sandbox.chat(DESK)
        if m.get("text", "").startswith(mine)
    ]


def relayed_after(sandbox: SandboxClient, messages: list[int], moment: float) -> int:
    """How many of these messages were copied to the desk only after `moment`."""
    copied = sandbox.calls("copyMessage")
    early = {int(c["params"]["message_id"]) for c in copied if c["at"] < moment}
    late = {int(c["params"]["message_id"]) for c in copied if c["at"] >= moment}
    return len((late - early) & set(messages))


def test_a_killed_bot_loses_no_message_and_keeps_each_persons_order(faulty: FaultStack) -> None:
    # three people talk with the desk (open cases) while 120 questions come from 24 people
    # at 6 a second, 20 of them at once mid-load: the bot dies with those taken from
    # Telegram (journaled, the engine still busy with them); the people with a case write
    # just before the kill and while the bot is down
    holders = (8140, 8141, 8142)
    for user in holders:
        open_case(faulty.sandbox, user)
    assert open_cases(faulty) == len(holders)
    bubbles_before = {u: bot_bubbles(faulty.sandbox, u) for u in holders}

    written: list[int] = []  # message ids of what the people with a case wrote

    def to_desk(step: str) -> None:
        for user in holders:
            written.append(faulty.sandbox.send(user, f"case {user}: {step}")["message_id"])

    load = Load(faulty.sandbox, range(8100, 8124), per_user=5, rate=6.0, burst=range(40, 60))
    bot = faulty.pid_of("-m", "bot")
    killed: list[float] = []
    faults = {
        58: (0.0, lambda: to_desk("before the kill")),
        59: (1.5, lambda: to_desk("while the bot is down")),
        60: (0.3, lambda: killed.append(kill(bot))),
    }
    asyncio.run(load.offer(faults))
    with contextlib.suppress(TimeoutError):
        wait_until(lambda: caught_up(faulty, load), 120, "every message answered")
    caught_up_after = time.time() - killed[0]

    assert pending_updates(faulty.sandbox) == 0 and faulty.unanswered() == 0
    missing, extra = judge(faulty.answers, load)
    assert missing == {}  # every answer came, each person's in the order they asked
    only_in_flight_twice(faulty.answers, load, extra, killed[0])
    owed = sum(owed_at(faulty.answers, load, killed[0]).values())
    assert faulty.pid_of("-m", "bot") != bot  # restarted by the supervisor
    replayed = [int(n) for n in re.findall(r"replaying (\d+) unanswered", faulty.log())]
    assert sum(replayed) >= 1  # the kill caught answers in the making: the journal had them

    # open cases: still open, and every message reached the desk once, in order, in the
    # case's own topic; none was answered by the engine instead
    assert open_cases(faulty) == len(holders)
    steps = ["before the kill", "while the bot is down"]
    for user in holders:  # an update counts as answered once its relay is made: no wait
        relays = relayed(faulty.sandbox, user)
        words = [words for _, words in relays]
        assert list(dict.fromkeys(words)) == [f"case {user}: {step}" for step in steps]
        # a copy Telegram made in the instant before the kill may come again, like a bubble
        # (only_in_flight_twice): a relay is recorded before the person's next one is made
        assert len(words) - len(set(words)) <= 1
        assert len({topic for topic, _ in relays}) == 1 and relays[0][0]
    assert {u: bot_bubbles(faulty.sandbox, u) for u in holders} == bubbles_before

    polls = [c["at"] for c in faulty.sandbox.calls("getUpdates") if c["at"] > killed[0]]
    sends = [c["at"] for c in faulty.sandbox.calls("sendMessage") if c["at"] > polls[0]]
    print(
        f"\nbot kill -9 mid-load: polling again after {polls[0] - killed[0]:.1f} s, first"
        f" answer after {sends[0] - killed[0]:.1f} s, all caught up after"
        f" {caught_up_after:.1f} s; {owed} bubbles owed at the kill, {replayed} updates"
        f" replayed from the journal; duplicated bubbles {sum(map(len, extra.values()))};"
        f" of the {len(holders)} messages to the desk written before the kill,"
        f" {relayed_after(faulty.sandbox, written[: len(holders)], killed[0])} relayed after it"
    )


def first_reply_after(
    sandbox: SandboxClient, user: int, text: str, holding: str = ""
) -> tuple[float, str]:
    """Send text; seconds until the first reply after it that holds `holding` (later
    bubbles of the person's previous answer do not count), and that reply."""
    started = time.monotonic()
    sent = sandbox.send(user, text)
    for count in range(1, 12):
        replies = sandbox.replies(user, sent["message_id"], count, wait=30)
        assert len(replies) == count, f"no reply holding {holding!r}"
        if holding in replies[-1]["text"]:
            return time.monotonic() - started, replies[-1]["text"]
    raise AssertionError(f"no reply holding {holding!r}")


def test_redis_killed_mid_load_costs_no_answer_and_comes_back(faulty: FaultStack) -> None:
    load = Load(faulty.sandbox, range(8300, 8312), per_user=4, rate=4.0)
    killed: list[float] = []
    asyncio.run(load.offer({12: (0.0, lambda: killed.append(faulty.redis.kill()))}))
    danger_after, danger = first_reply_after(faulty.sandbox, 8320, DANGER, "191")
    wait_until(lambda: caught_up(faulty, load), 60, "every message answered without Redis")
    assert judge(faulty.answers, load) == ({}, {})  # no answer lost, none twice, order kept
    assert "191" in danger and danger_after < 2.0, danger_after

    faulty.redis.start()  # back on the same port: the stack uses it again by itself
    again = Load(faulty.sandbox, range(8330, 8336), per_user=2, rate=4.0)
    asyncio.run(again.offer())
    wait_until(lambda: caught_up(faulty, again), 60, "answers once Redis is back")
    assert judge(faulty.answers, again) == ({}, {})
    print(f"\nredis kill -9 mid-load: tier-1 first reply {danger_after:.2f} s without Redis")


def test_a_hanging_database_never_delays_danger_or_loses_a_message(faulty: FaultStack) -> None:
    warm = 8200
    first_reply_after(faulty.sandbox, warm, "how much is the minimum wage")
    faulty.proxy.stall()
    try:
        danger_after, danger = first_reply_after(faulty.sandbox, 8201, DANGER, "191")
        known_after, _ = first_reply_after(faulty.sandbox, warm, DANGER, "191")
        load = Load(faulty.sandbox, range(8210, 8220), per_user=2, rate=5.0)
        asyncio.run(load.offer())
        # answered while the database still hangs, and Telegram's queue drains too
        wait_until(lambda: all(len(load.seen(u)) >= 2 for u in load.users), 30, "answers")
        wait_until(lambda: pending_updates(faulty.sandbox) == 0, 30, "updates confirmed")
    finally:
        faulty.proxy.resume()
    assert "191" in danger and danger_after < 2.0, danger_after
    assert known_after < 2.0, known_after
    wait_until(lambda: faulty.unanswered() == 0, 30, "the journal to catch up")
    print(
        f"\ndatabase hangs: tier-1 first reply {danger_after:.2f} s (new person),"
        f" {known_after:.2f} s (known person); 20 ordinary messages answered meanwhile"
    )


# -- a webhook bot dies: what Telegram handed over is answered once ------------------------


@dataclass
class HookedBot:
    """A bot on a webhook (engine down: it answers what it can by itself), which the test
    kills and starts again on the same port, as a supervisor would."""

    sandbox: SandboxClient
    env: dict[str, str]
    folder: Path
    processes: list[subprocess.Popen[bytes]]

    def start(self) -> None:
        log = self.folder / f"hooked-bot{len(self.processes)}.log"
        self.processes.append(start("bot", [], self.env, log))

    def kill_and_restart(self) -> float:
        killed_at = kill(self.processes[-1].pid)
        self.processes[-1].wait(10)
        self.start()
        return killed_at

    def log(self) -> str:
        return "".join(p.read_text() for p in sorted(self.folder.glob("hooked-bot*.log")))


@pytest.fixture(scope="module")
def hooked(sandbox: SandboxClient, logs: Path) -> Iterator[HookedBot]:
    port = free_port()
    env = bot_env(
        sandbox,
        logs,
        DATABASE_URL=f"sqlite:///{logs / 'hooked.sqlite3'}",
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
        TELEGRAM_WEBHOOK_SECRET="fault-test-hook-secret",
    )
    bot = HookedBot(sandbox, env, logs, [])
    bot.start()
    try:

        def registered() -> bool:
            if bot.processes[-1].poll() is not None:
                raise RuntimeError(f"the webhook bot exited:\n{bot.log()[-2000:]}")
            return bool(sandbox.calls("setWebhook"))

        wait_until(registered, 60, "setWebhook")
        yield bot
    finally:
        for process in bot.processes:
            stop(process)


def test_a_killed_webhook_bot_loses_nothing_telegram_had_handed_over(
    hooked: HookedBot, sandbox: SandboxClient, logs: Path
) -> None:
    answers = Answers(questions=KINDS)
    answers.learn(sandbox, first_user=9300)
    load = Load(sandbox, range(9310, 9322), 4, 10.0, burst=range(12, 24), questions=KINDS)
    killed: list[float] = []
    # killed as the burst's first message is handed over: the bot answers a photo or a
    # voice note in a few milliseconds, faster than the test posts the other eleven, so a
    # kill after the whole burst could find nothing owed (a CI run did, with aiohttp);
    # the rest of the burst then reaches a bot that is down or starting up
    kill = (0.0, lambda: killed.append(hooked.kill_and_restart()))
    asyncio.run(load.offer({13: kill}))

    def done() -> bool:
        if pending_updates(sandbox, TOKEN) or unanswered_in_journal(logs / "hooked.sqlite3"):
            return False
        return all_answered(answers, load)

    with contextlib.suppress(TimeoutError):
        wait_until(done, 60, "every message answered")
    missing, extra = judge(answers, load)
    assert missing == {}
    only_in_flight_twice(answers, load, extra, killed[0])
    owed = sum(owed_at(answers, load, killed[0]).values())
    assert owed >= 1  # the kill struck with answers still owed
    replayed = [int(n) for n in re.findall(r"replaying (\d+) unanswered", hooked.log())]
    print(
        f"\nwebhook bot kill -9 mid-load: {owed} bubbles owed at the kill, {replayed} updates"
        f" replayed from the journal; duplicated bubbles {sum(map(len, extra.values()))}"
    )

"""Traffic for `make bench`: people writing to the sandbox Bot API server at a set rate, and
each of the bot's replies matched to the message it answers.

Matching: every person rotates through messages whose answers differ (a greeting, thanks,
a topic question...), and the bench knows the exact first bubble each must get in that
person's language (rendered from the same catalogs the bot uses). A reply is matched to
the person's oldest unanswered message it answers; a reply to a later message arriving
first is counted out of order; a message never answered is lost. The safety floor's
reply answers the oldest unanswered message (and is counted as a floor answer).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.core import content
from bot.core.answers import AnswerBook
from bot.core.messages import ENGINE_DOWN
from bot.core.types import LOCALES, BotReply, Locale
from bot.sandbox.aio import Error, SandboxSession
from bot.settings import LOCALES_DIR, PROJECT_DIR
from bot.text.script import detect_script_locale

# answers whose first bubble is fixed text, and the intent whose examples ask for each.
# The mix: "each message an ordinary question" (issue #11), so topic questions too;
# here two of five ask a topic whose answer is three bubbles. Telegram lets a bot send
# about 30 messages a second in all, so at 30 questions a second bubbles, not turns, set
# the ceiling; the one-bubble mix shows what the stack itself carries below that ceiling.
MIXES: dict[str, dict[str, str]] = {
    "issue": {
        "greet": "greet",
        "thanks": "thanks",
        "ask_documents": "ask_documents",
        "ask_wages": "ask_wages",
        "bot_challenge": "bot_challenge",
    },
    "one-bubble": {
        "greet": "greet",
        "thanks": "thanks",
        "bot_challenge": "bot_challenge",
        "goodbye": "goodbye",
        "menu": "ask_menu",
    },
}
EMERGENCY_NUMBER = "191"
DANGER = {
    "en": "help me now, the boss locked us in the room",
    "th": "ช่วยด้วย นายจ้างขังพวกเราไว้ในโรงงาน ออกไปไหนไม่ได้",
    "my": "ကယ်ပါ အလုပ်ရှင်က ကျွန်တော်တို့ကို အခန်းထဲမှာ ပိတ်ထားတယ်",
    "km": "ជួយខ្ញុំផង ថៅកែចាក់សោរខ្ញុំនៅក្នុងបន្ទប់",
    "lo": "ຊ່ວຍແດ່ ນາຍຈ້າງຂັງພວກເຮົາໄວ້ໃນຫ້ອງ",
}


@dataclass
class Request:
    """One message a person sent, and what became of it."""

    user: int
    text: str
    expect: str  # the exact first bubble of its answer ("" for a tier-1 message: any 191)
    sent_at: float = 0.0
    sent_id: int = 0
    answered_at: float | None = None
    floor: bool = False

    @property
    def latency(self) -> float | None:
        """Seconds from the Bot API taking the message to the first reply."""
        return None if self.answered_at is None else self.answered_at - self.sent_at


@dataclass
class Script:
    """Per language and answer, messages that ask for it and the first bubble they get."""

    messages: dict[Locale, dict[str, list[tuple[str, str]]]]  # (text, expected first bubble)
    floor: dict[Locale, str]

    @classmethod
    def load(cls, per_class: int = 3, mixes: Iterable[str] = ("one-bubble",)) -> Script:
        """Examples from the training data, in each language's own script, for the answers
        of these mixes (one-bubble: the fault tests' light traffic; `make bench` loads all)."""
        classes = {answer: intent for mix in mixes for answer, intent in MIXES[mix].items()}
        catalogs = content.load(LOCALES_DIR).catalogs  # the values the bot renders with
        book = AnswerBook.load(LOCALES_DIR / "answers.yml")
        messages: dict[Locale, dict[str, list[tuple[str, str]]]] = {}
        for locale in LOCALES:
            examples = _examples(locale)
            messages[locale] = {}
            for answer, intent in classes.items():
                first = catalogs.render(book.bubbles(answer)[0], locale)
                mine = [e for e in examples.get(intent, []) if _written_in(e, locale)]
                messages[locale][answer] = [(text, first) for text in mine[:per_class]]
        floor = {loc: catalogs.render(BotReply(ENGINE_DOWN), loc) for loc in LOCALES}
        return cls(messages, floor)

    def only(self, mix: str) -> Script:
        """The same messages (as the preflight left them), for one mix's answers."""
        answers = MIXES[mix]
        return Script(
            {
                loc: {a: rows for a, rows in by.items() if a in answers}
                for loc, by in self.messages.items()
            },
            self.floor,
        )

    def drop(self, locale: Locale, text: str) -> None:
        """Leave out a message the engine does not read as its class (preflight); a class
        left with no message is not asked (keeping a message known to be answered
        otherwise would count each of its sends as lost)."""
        for rows in self.messages[locale].values():
            rows[:] = [row for row in rows if row[0] != text]

    def next_for(self, locale: Locale, user: int, n: int) -> tuple[str, str]:
        """The person's n-th message: classes in turn, so never two alike in a row."""
        classes = [rows for rows in self.messages[locale].values() if rows]
        rows = classes[(user + n) % len(classes)]
        return rows[(user + n // len(classes)) % len(rows)]


def _examples(locale: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((PROJECT_DIR / "intents" / locale).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            lines = str(block.get("examples") or "").splitlines()
            examples = [line.strip()[2:].strip() for line in lines if line.strip()]
            found.setdefault(str(block.get("intent")), []).extend(examples)
    return found


def _written_in(text: str, locale: str) -> bool:
    """Text the bot reads as this language (a Latin phrase would switch a reader to English)."""
    seen = detect_script_locale(text)
    return seen == locale if locale != "en" else text.isascii() and len(text.split()) >= 2


@dataclass
class Chat:
    """One person's chat as the bench sees it: what they sent, what came back and when."""

    user: int
    locale: Locale
    requests: list[Request] = field(default_factory=list)
    replies: list[tuple[float, int, str]] = field(default_factory=list)  # (at, id, text)
    last_id: int = 0


async def watch(http: SandboxSession, chat: Chat, until: asyncio.Event) -> None:
    """Long-poll the sandbox for the bot's messages in this chat, noting when each came."""
    while not until.is_set():
        try:
            found = await http.get(
                "/sandbox/messages", chat_id=chat.user, after_id=chat.last_id, count=1, wait=2
            )
        except Error:
            await asyncio.sleep(0.1)
            continue
        now = time.monotonic()
        for message in found:
            chat.replies.append((now, int(message["message_id"]), str(message.get("text", ""))))
            chat.last_id = max(chat.last_id, int(message["message_id"]))


async def send(http: SandboxSession, chat: Chat, request: Request, **extra: str) -> None:
    """The person sends one message; its time is when the Bot API has it (the sandbox has
    queued the update for the bot before it answers the POST)."""
    body = {"user_id": chat.user, "text": request.text, "language_code": chat.locale, **extra}
    request.sent_id = int((await http.post("/sandbox/send", body))["message_id"])
    request.sent_at = time.monotonic()
    chat.requests.append(request)


def answers(text: str, expect: str) -> bool:
    """Whether a message is the expected first bubble: exactly it, or it first with the
    rest of the answer joined on (the bot joins an answer's bubbles under load); for a
    tier-1 message (no expectation) any message with the emergency number."""
    if not expect:
        return EMERGENCY_NUMBER in text
    return text == expect or text.startswith(expect + "\n\n")


def match(chat: Chat, floor: str) -> int:
    """Match the chat's replies to its requests (afresh: any earlier matching is undone, so
    matching again gives the same result); the number answered out of order."""
    requests = sorted(chat.requests, key=lambda r: r.sent_id)  # sends finish out of order
    for request in requests:
        request.answered_at, request.floor = None, False
    for at, message_id, text in sorted(chat.replies, key=lambda r: r[1]):
        waiting = [r for r in requests if r.answered_at is None and r.sent_id < message_id]
        if text == floor and waiting:
            waiting[0].answered_at, waiting[0].floor = at, True
            continue
        for request in waiting:
            if answers(text, request.expect):
                request.answered_at = at
                break
    times = [r.answered_at for r in requests]
    done = [t for t in times if t is not None]
    # a request answered after one the person sent later
    return sum(1 for i, t in enumerate(done) if any(later < t for later in done[i + 1 :]))


def percentile(values: Iterable[float], share: float) -> float:
    """The value below which `share` of values fall (nearest rank); nan for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


PROC = Path("/proc")
# the stack's parts: by the module a Python process runs (`-m`), else by the program
MODULES = {"bot": "bot", "bot.engine.serve": "engines", "bot.sandbox.server": "sandbox"}
PROGRAMS = {"redis-server": "redis", "postgres": "postgresql"}


def stack_stats(root: int) -> dict[int, list[str]]:
    """A process and all its descendants, each with its /proc/<pid>/stat fields after the
    command name (state, ppid, …, utime at 11, stime at 12): one read of /proc."""
    stats: dict[int, list[str]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = str(frontier.pop())
        children = [pid for pid, fields in stats.items() if fields[1:2] == [parent]]
        tree.update(children)
        frontier += children
    return {pid: stats[pid] for pid in tree if pid in stats}


def stack_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB (from /proc)."""
    total = 0
    for pid in stack_stats(root):
        try:
            status = (PROC / str(pid) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def part_of(pid: int) -> str | None:
    """Which part of the stack a process is (None: the supervisor, a shell, …)."""
    try:
        args = (PROC / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return None
    if "-m" in args[:-1]:
        return MODULES.get(args[args.index("-m") + 1])
    if any(arg.endswith("/rasa") for arg in args[:2]):  # `rasa run [actions]`
        return "actions" if "actions" in args else "engines"
    program = args[0].split()[0].rstrip(":") if args[0].strip() else ""  # "postgres: …"
    return PROGRAMS.get(Path(program).name)


def stack_cpu(root: int) -> dict[int, tuple[str, float]]:
    """CPU seconds (user + system) each part's process has used so far, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[int, tuple[str, float]] = {}
    for pid, fields in stack_stats(root).items():
        if (part := part_of(pid)) is not None:
            used[pid] = (part, (int(fields[11]) + int(fields[12])) / ticks)
    return used


def cores_between(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], seconds: float
) -> dict[str, float]:
    """Cores each part used between two readings (processes present in both)."""
    cores: dict[str, float] = {}
    for pid, (part, spent) in after.items():
        if pid in before:
            cores[part] = cores.get(part, 0.0) + (spent - before[pid][1]) / seconds
    return cores

"""One rate limiter for every Bot API call that goes to a chat: danger, replies, then bulk.

Telegram allows about 30 messages a second overall, 1 a second per private chat and 20 a
minute per group; beyond that it answers 429 with `retry_after`. Every send of the bot
(PTB calls `process_request` for each) takes a token from one bucket of `rate` per second,
in one ordered line of waiters:

- sends made inside `urgent_sends()` (the tier-1 numbers, an outcome the core marks
  `urgent`; shared/spec/safety.md invariant 10) wait for nothing: they take their token at
  once, even into debt, so everyone else slows by as much;
- replies to people wait in arrival order for the next token, except for a chat that has
  had more than its share (CHAT_BURST messages, then CHAT_RATE a second: a person flooding
  the bot): its replies wait in a second line, served only from spare room;
- chat actions ("typing…") wait in a line of their own after those, also for spare room:
  at Telegram's full rate one would delay somebody's answer to say an answer is coming;
  the turn that ends first cancels it;
- broadcast messages (sent with `rate_limit_args={"bulk": True}`) take spare room too,
  never more than `bulk_rate` a second: a person who writes mid-broadcast is answered at
  once.

Spare room is what the bucket holds beyond `reserve` (KEPT of a second's worth of tokens,
27 of 30): it exists only while replies use less than Telegram's rate. At 30 questions a
second the replies' demand equals the rate, so every token anything else takes is one more
reply in a line that never drains. A per-second probe of the bucket during `make bench`
(issue #11) showed it: with spare room starting at 8 tokens and joining at 20, answers sent
as three bubbles spent the first 10 tokens of the rush, the tier-1 people's messages on top
of the 30 questions a second (urgent: never held back) the rest, and from mid-run every
reply waited, 0.2-1 s by the end. Kept at 27, split answers take only a rush's first few
tokens and the burst absorbs what danger adds; a tier-1 answer is joined under load too
(its numbers stay under its neutral first line), so danger adds one message, not three.

One task hands the tokens out as they come (the head of the line sleeps until its token is
due), so a thousand waiting replies cost one timer, not a thousand polls. A group's 20 a
minute is kept by its own ordered line before the overall one, so relays to an operators'
desk stay in order. A 429 stops every send for its `retry_after`, then the call is retried.
`busy()` says when one more message delays somebody: a reply waits, or a rush (RUSH_CHATS
people answered within RUSH_WINDOW) has used the spare room, or two thirds of the burst are
gone however few people wrote. Then the outbox (bot/telegram/handlers.py) joins an answer's
bubbles into one message, since three bubbles a question is more than Telegram takes on a
campaign day and one is not. It is judged from the tokens, not from a line that has
already formed: a line that formed at Telegram's rate never drains. One person tapping
through the menu, or a few people at once, get their answers as bubbles: the spare room
refills within a tenth of a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
JSON = bool | dict[str, Any] | list[dict[str, Any]]
GROUP_PER_MINUTE = 20
# share of the bucket (a second's worth of tokens) kept for replies: only what is beyond it
# goes to split answers, "typing…", a flooder's excess and broadcasts (see the docstring)
KEPT = 0.9
# a rush is this many people answered within RUSH_WINDOW seconds (20 a second; at three
# bubbles each, twice Telegram's rate): only then is the spare room kept by joining
# bubbles. One person tapping fast is not a rush, nor are five people in a row who each
# got their numbers at once (at 5, that joined the next person's answer in a CI run).
RUSH_CHATS, RUSH_WINDOW = 10, 0.5
ALONE = 1 / 3  # below this share of the bucket left, the bot is busy however few people
CHAT_RATE, CHAT_BURST = 1.0, 6.0  # a private chat's fair share (Telegram: about 1/s a chat)
# set by the outbox around the sends of one urgent outcome; a context variable, so only
# that turn's own requests (its task) see it
_URGENT: ContextVar[bool] = ContextVar("urgent_sends", default=False)


@contextmanager
def urgent_sends(urgent: bool = True) -> Iterator[None]:
    """Within the block, this task's sends go ahead of every queue (when urgent)."""
    token = _URGENT.set(urgent)
    try:
        yield
    finally:
        _URGENT.reset(token)


def retry_seconds(error: RetryAfter) -> float:
    """The wait a 429 asks for (PTB 22 is moving it from int to timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        seconds = error.retry_after
    return float(seconds) if isinstance(seconds, int | float) else seconds.total_seconds()


class Bucket:
    """Tokens refilled continuously at `rate` per second, up to `size`."""

    def __init__(self, rate: float, size: float, now: float) -> None:
        self.rate, self.size = rate, size
        self.tokens, self._at = size, now

    def refill(self, now: float) -> None:
        """Add what the time since the last refill earned."""
        self.tokens = min(self.size, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def wait(self, need: float) -> float:
        """Seconds until `need` tokens are there."""
        return max(0.0, (need - self.tokens) / self.rate)


class Recent:
    """The distinct chats replies went to within the last `window` seconds."""

    def __init__(self, window: float) -> None:
        self._window = window
        self._sends: deque[tuple[float, int]] = deque()
        self._counts: dict[int, int] = {}

    def add(self, chat_id: int, now: float) -> None:
        """A reply goes to the chat now."""
        self._forget(now)
        self._sends.append((now, chat_id))
        self._counts[chat_id] = self._counts.get(chat_id, 0) + 1

    def chats(self, now: float) -> int:
        """How many distinct chats got a reply within the window."""
        self._forget(now)
        return len(self._counts)

    def _forget(self, now: float) -> None:
        while self._sends and self._sends[0][0] < now - self._window:
            _, chat_id = self._sends.popleft()
            if (left := self._counts.pop(chat_id) - 1) > 0:
                self._counts[chat_id] = left


class Group:
    """A group chat's own 20 messages a minute, taken in arrival order."""

    def __init__(self, now: float) -> None:
        self.bucket = Bucket(GROUP_PER_MINUTE / 60, GROUP_PER_MINUTE, now)
        self.line = asyncio.Lock()  # asyncio's lock wakes its waiters first come, first served


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Urgent sends at once, replies in order, broadcasts in the room left; 429 pauses all."""

    def __init__(
        self,
        rate: float = 30.0,
        bulk_rate: float = 20.0,
        reserve: float | None = None,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        now = clock()
        self._clock = clock
        self._all = Bucket(rate, rate, now)  # a second's worth of burst
        self._bulk = Bucket(bulk_rate, 1.0, now)  # broadcasts: evenly spaced
        # at least one token beyond it fits in the bucket, so spare room can exist at all
        self._reserve = min(KEPT * rate if reserve is None else reserve, rate - 1.0)
        self._groups: dict[int, Group] = {}
        self._replies: deque[asyncio.Future[None]] = deque()
        self._heavy: deque[asyncio.Future[None]] = deque()  # replies beyond a chat's share
        # replies within their chat's share waiting for their token now (a chat past its
        # share waits for spare room by design: that delays nobody else)
        self._waiting = 0
        self._chats: dict[int, Bucket] = {}
        self._recent = Recent(RUSH_WINDOW)  # who was answered just now: a rush or not
        self._chats_in_heavy: dict[int, int] = {}  # keeps a heavy chat's replies in order
        self._actions: deque[asyncio.Future[None]] = deque()  # "typing…": only in spare room
        self._bulk_line: deque[asyncio.Future[None]] = deque()
        self._news = asyncio.Event()  # a reply joined the line: the head may change
        self._dealer: asyncio.Task[None] | None = None
        self._paused_until = 0.0
        self._max_retries = max_retries
        self._chatless: frozenset[str] = frozenset()

    @classmethod
    def for_broadcasts(
        cls, bulk_rate: float, chatless: frozenset[str] = frozenset()
    ) -> PriorityRateLimiter:
        """Telegram's 30/s (as PTB's own AIORateLimiter); a higher broadcast rate
        (Telegram's paid broadcasts, or a test against the sandbox) raises it with it.
        `chatless` methods (member reads) send nothing to a chat: no token for them."""
        limiter = cls(rate=max(30.0, bulk_rate * 1.4), bulk_rate=bulk_rate)
        limiter._chatless = chatless
        return limiter

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Stop handing out tokens; whoever still waits is cancelled."""
        if self._dealer is not None:
            self._dealer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dealer
        for waiter in (*self._replies, *self._heavy, *self._actions, *self._bulk_line):
            waiter.cancel()

    # -- tokens ----------------------------------------------------------------------------

    def _take(self, bulk: bool, spare: bool = False) -> float:
        """Take the overall token (and a broadcast's own) now: 0.0, or the seconds to wait.
        `spare`: only from tokens left over beyond the reserve (a flooder's replies, chat
        actions)."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        self._all.refill(now)
        if not bulk:
            if (wait := self._all.wait(1.0 + (self._reserve if spare else 0.0))) > 0:
                return wait
            self._all.tokens -= 1.0
            return 0.0
        self._bulk.refill(now)
        wait = max(self._all.wait(1.0 + self._reserve), self._bulk.wait(1.0))
        if wait > 0:
            return wait
        self._all.tokens -= 1.0
        self._bulk.tokens -= 1.0
        return 0.0

    def take_now(self) -> None:
        """An urgent send: its token is taken at once, into debt if need be."""
        self._all.refill(self._clock())
        self._all.tokens -= 1.0

    def busy(self) -> bool:
        """A reply waits for its token, or a rush has used the spare room (the bot sends
        at about Telegram's rate), or most of the burst is gone: one more message now
        delays somebody's answer."""
        now = self._clock()
        if self._waiting or now < self._paused_until:
            return True
        self._all.refill(now)
        if self._all.tokens < ALONE * self._all.size:
            return True
        rush = self._recent.chats(now) >= RUSH_CHATS
        return rush and self._all.tokens < 1.0 + self._reserve

    @property
    def waiting(self) -> int:
        """Replies within their chat's share waiting for their token now (kept as they come
        and go, not counted)."""
        return self._waiting

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until it has passed."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    # -- the line --------------------------------------------------------------------------

    async def acquire(self, bulk: bool, chat_id: int | None = None, action: bool = False) -> None:
        """Wait for this send's turn: its group's token first (if a group), then the
        overall one, behind everyone of its own or a higher priority who came first.
        `action`: a chat action ("typing…"), which only takes room no reply needs."""
        if chat_id is not None and chat_id < 0:
            await self._group_token(chat_id)
        heavy = (
            not (bulk or action)
            and chat_id is not None
            and chat_id > 0
            and self._over_share(chat_id)
        )
        line, ahead = self._line(bulk, heavy, action)
        if not line and not any(ahead) and self._take(bulk, line is not self._replies) == 0:
            return
        waiter = asyncio.get_running_loop().create_future()
        line.append(waiter)
        self._news.set()
        if self._dealer is None or self._dealer.done():
            self._dealer = asyncio.create_task(self._deal(), name="send-limiter")
        if heavy and chat_id is not None:
            self._chats_in_heavy[chat_id] = self._chats_in_heavy.get(chat_id, 0) + 1
        reply = line is self._replies  # what busy() counts
        self._waiting += reply
        try:
            await waiter
        finally:
            if waiter.cancelled():  # one served was counted out by the dealer
                self._waiting -= reply
            if heavy and chat_id and (left := self._chats_in_heavy.pop(chat_id) - 1) > 0:
                self._chats_in_heavy[chat_id] = left

    def _line(
        self, bulk: bool, heavy: bool, action: bool
    ) -> tuple[deque[asyncio.Future[None]], tuple[deque[asyncio.Future[None]], ...]]:
        """The line a send joins, and the lines served before it."""
        if bulk:
            return self._bulk_line, (self._replies, self._heavy, self._actions)
        if action:
            return self._actions, (self._replies, self._heavy)
        if heavy:
            return self._heavy, (self._replies,)
        return self._replies, ()

    def _over_share(self, chat_id: int) -> bool:
        """Charge the chat one message; True if it is past its share (or has replies in
        the second line already: a person's replies never overtake each other)."""
        now = self._clock()
        if chat_id not in self._chats:
            if len(self._chats) > 10_000:  # forget chats idle long enough to be full again
                for key, old in list(self._chats.items()):
                    old.refill(now)
                    if old.tokens >= old.size and key not in self._chats_in_heavy:
                        del self._chats[key]
            self._chats[chat_id] = Bucket(CHAT_RATE, CHAT_BURST, now)
        share = self._chats[chat_id]
        share.refill(now)
        share.tokens = max(share.tokens - 1.0, -CHAT_BURST)  # a flood stays heavy a while
        return share.tokens < 0 or chat_id in self._chats_in_heavy

    async def _deal(self) -> None:
        """Hand tokens to the heads of the lines as they come; end when nobody waits."""
        lines = (self._replies, self._heavy, self._actions, self._bulk_line)
        while True:
            for line in lines:
                while line and line[0].done():  # cancelled meanwhile
                    line.popleft()
            head = next((line for line in lines if line), None)
            if head is None:
                return
            wait = self._take(bulk=head is self._bulk_line, spare=head is not self._replies)
            if wait == 0:
                head.popleft().set_result(None)
                self._waiting -= head is self._replies
                continue
            self._news.clear()
            with contextlib.suppress(asyncio.TimeoutError):  # a reply may overtake the rest
                await asyncio.wait_for(self._news.wait(), wait)

    async def _group_token(self, chat_id: int) -> None:
        group = self._group(chat_id)
        async with group.line:
            while True:
                group.bucket.refill(self._clock())
                if (wait := group.bucket.wait(1.0)) == 0:
                    group.bucket.tokens -= 1.0
                    return
                await asyncio.sleep(wait)  # a group token comes every 3 s: one timer per group

    def _group(self, chat_id: int) -> Group:
        if chat_id not in self._groups:
            if len(self._groups) > 512:  # forget groups idle long enough to be full again
                now = self._clock()
                for key, group in list(self._groups.items()):
                    group.bucket.refill(now)
                    if group.bucket.tokens >= group.bucket.size and not group.line.locked():
                        del self._groups[key]
            self._groups[chat_id] = Group(self._clock())
        return self._groups[chat_id]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        """Run one Bot API call in its turn; a 429 pauses everyone, then it is retried."""
        bulk = bool(rate_limit_args and rate_limit_args.get("bulk"))
        chat = None if endpoint in self._chatless else data.get("chat_id")
        chat_id = int(str(chat)) if str(chat).lstrip("-").isdigit() else None
        urgent = _URGENT.get() and not bulk
        action = endpoint.lower() == "sendchataction"
        for attempt in range(self._max_retries + 1):
            if chat is not None and urgent and self._clock() >= self._paused_until:
                self.take_now()
            elif chat is not None:
                await self.acquire(bulk, chat_id, action)
            if chat_id is not None and not (bulk or action):
                self._recent.add(chat_id, self._clock())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_seconds(error)
                log.info("Telegram asked to wait %.1f s (429)", wait)
                self.pause(wait + 0.1)
                if attempt == self._max_retries:
                    raise
        raise AssertionError("unreachable")

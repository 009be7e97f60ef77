"""Durable update intake: nothing a person sends is lost when the bot process dies.

PTB's Updater confirms an update to Telegram (the next getUpdates offset) as soon as it has
fetched it, before any handler ran, and its webhook answers Telegram's POST before anything
is stored: a bot killed mid-load loses every update it held. Here an update is confirmed
(polling: the offset moves past it; webhook: its POST gets the 200) only once it is answered
or written to the journal (bot/storage/journal.py), whichever comes first, so a hanging
database delays confirmations, never answers. At start-up the journal's unanswered updates
are replayed, oldest first, before anything new. An update delivered twice is answered once
(by update_id, in memory and in the journal), and messages already sent for a replayed
update are not sent again: their Telegram results are journaled and handed back instead.
"""

from __future__ import annotations

import asyncio
import base64
import contextvars
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
from typing import Any, Protocol

from cryptography.fernet import Fernet, InvalidToken
from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.request import BaseRequest, RequestData

from bot.core.identity import derive

log = logging.getLogger(__name__)
SEEN_LIMIT = 200_000  # update ids remembered in memory against redelivery
HOLD_MAX = 50  # unsafe updates held unconfirmed at most (Telegram hands out 100 at a time)
REDELIVERY_WINDOW = timedelta(hours=1)  # answered ids loaded at start-up
RESTORE_TIMEOUT = 30.0  # seconds to read the journal at start-up
# Bot API methods that create something each time they are called: replaying them would
# show the person the same message twice (edits, deletions, chat actions are harmless).
ONCE_ONLY = frozenset(
    {
        "sendmessage", "sendphoto", "sendaudio", "senddocument", "sendvideo", "sendanimation",
        "sendvoice", "sendvideonote", "sendmediagroup", "sendlocation", "sendvenue",
        "sendcontact", "sendpoll", "senddice", "sendsticker", "copymessage", "copymessages",
        "forwardmessage", "forwardmessages", "createforumtopic",
    }
)  # fmt: skip


class PendingUpdate(Protocol):
    """An unanswered update the journal hands back for replay."""

    @property
    def update_id(self) -> int: ...
    @property
    def payload(self) -> str: ...
    @property
    def sent(self) -> Mapping[int, str]: ...


class Claim(Protocol):
    """What a start-up takes over from the journal."""

    @property
    def pending(self) -> Sequence[PendingUpdate]: ...
    @property
    def dropped(self) -> int: ...


class Journal(Protocol):
    """Where received updates are kept until answered (bot/storage/journal_writer.py,
    wired by bot/assembly.py): writes are buffered, commits report through futures."""

    owner: str

    def append(self, update_id: int, payload: str) -> asyncio.Future[None] | None: ...
    def note_sent(self, update_id: int, seq: int, result: str) -> asyncio.Future[None]: ...
    async def wait_kept(self, committed: asyncio.Future[None]) -> None: ...
    def finish(self, update_id: int) -> None: ...
    async def claim(self, everyone: bool, timeout: float) -> Claim: ...
    async def recent_answers(self, window: timedelta, timeout: float) -> set[int]: ...
    async def run(self) -> None: ...
    async def flush(self, timeout: float) -> bool: ...
    def close(self) -> None: ...


JOINED = -1  # in a Delivery's record: this update's answers went out with bubbles joined


@dataclass
class Delivery:
    """The update being answered in this task, and what earlier attempts already sent."""

    update_id: int
    recorded: dict[int, bytes]
    sent: int = 0  # once-only calls done so far (by this attempt or an earlier one)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    note: Callable[[int, bytes], asyncio.Future[None] | None] = lambda _seq, _result: None
    joined: bool | None = None  # decided at the first answer that could be joined
    joined_note: asyncio.Future[None] | None = None  # its record, until the first send waits
    # taken over from the journal: an earlier attempt may have sent its first bubble in the
    # instant before it died, before the result was kept, so a replay never starts joining
    replayed: bool = False


CURRENT: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar("delivery", default=None)


def joining(busy: Callable[[], bool]) -> bool:
    """Whether this update's answers go out with their bubbles joined (when the send queue
    is long, one message reaches the person sooner than three). Decided once per update
    and journaled before the first joined message: a replay after a crash sends the same
    messages as the first attempt, so the results kept for its sends still match them, and
    a person never gets a joined copy of a bubble they already have."""
    delivery = CURRENT.get()
    if delivery is None:
        return busy()
    if delivery.joined is None:
        if JOINED in delivery.recorded:
            delivery.joined = True
        else:
            delivery.joined = not delivery.replayed and busy()
            if delivery.joined:
                delivery.joined_note = delivery.note(JOINED, b"joined")
    return delivery.joined


def _cipher(key: bytes) -> Fernet:
    """Journal payloads hold a person's words and Telegram id: sealed with a key derived
    from PSEUDONYM_KEY, like the hand-off's chat ids, never stored in the clear."""
    return Fernet(base64.urlsafe_b64encode(derive(key, b"safe-migration-bot:journal:v1")))


class Intake:
    """Which updates were received, journaled and answered; what may be confirmed."""

    def __init__(self, writer: Journal | None, key: bytes) -> None:
        self._writer = writer
        self._cipher = _cipher(key)
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._open: dict[int, bool] = {}  # received, unanswered -> journaled yet?
        self._recorded: dict[int, dict[int, bytes]] = {}  # replays: seq -> Telegram's answer
        self._settled: dict[int, asyncio.Future[None]] = {}  # journaled or answered
        self._progress = asyncio.Event()
        self._next_offset = 0  # 0: Telegram starts at its oldest unconfirmed update
        self._overflowing = False  # confirming past unsafe updates (see offset())

    def accept(self, update_id: int, payload: str) -> bool:
        """A received update: journal it and say True, or False if it came before."""
        self._next_offset = max(self._next_offset, update_id + 1)
        if update_id in self._seen:
            return False
        self._remember(update_id)
        self._open[update_id] = False
        if self._writer is not None:
            stored = self._writer.append(
                update_id, self._cipher.encrypt(payload.encode()).decode()
            )
            if stored is not None:
                stored.add_done_callback(lambda _: self._journaled(update_id))
        return True

    def answered(self, update_id: int) -> None:
        """The update was answered: nothing holds its confirmation back any more."""
        self._recorded.pop(update_id, None)
        if self._open.pop(update_id, None) is not None and self._writer is not None:
            self._writer.finish(update_id)
        self._settle(update_id)

    def offset(self) -> int:
        """The next getUpdates offset: it confirms every update below the oldest one that
        is neither journaled nor answered. Telegram hands out at most 100 updates per call,
        the held ones first, so at most HOLD_MAX are held back: more (a hanging database and
        slow turns together) would hide new messages, danger among them, behind old ones."""
        unsafe = sorted(update_id for update_id, journaled in self._open.items() if not journaled)
        for update_id in unsafe:
            if self._next_offset - update_id <= HOLD_MAX:
                return update_id
            if not self._overflowing:
                log.warning("journal behind: confirming updates before they are safe")
            self._overflowing = True
        if not unsafe and self._overflowing:
            log.info("journal caught up: updates are confirmed once safe again")
            self._overflowing = False
        return self._next_offset

    def unconfirmed(self) -> bool:
        """True while getUpdates would hand out updates this process already has."""
        return self.offset() < self._next_offset

    async def progress(self, timeout: float) -> None:
        """Wait until an update is journaled or answered (or the timeout passes)."""
        self._progress.clear()
        try:
            await asyncio.wait_for(self._progress.wait(), timeout)
        except asyncio.TimeoutError:
            return

    def settled(self, update_id: int) -> Awaitable[None]:
        """Resolves once the accepted update is journaled or answered (at once if it is)."""
        if self._open.get(update_id) is not False:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        if update_id not in self._settled:
            self._settled[update_id] = asyncio.get_running_loop().create_future()
        return asyncio.shield(self._settled[update_id])

    def delivery(self, update_id: int) -> Delivery:
        """The record of sends for answering this update (replays start with the old ones)."""
        return Delivery(
            update_id,
            self._recorded.get(update_id, {}),
            note=lambda seq, result: self.note_sent(update_id, seq, result),
            replayed=update_id in self._recorded,
        )

    def note_sent(self, update_id: int, seq: int, result: bytes) -> asyncio.Future[None] | None:
        """Journal Telegram's result of a once-only call made for an update; the future
        resolves once it is committed (None without a journal)."""
        if self._writer is None:
            return None
        return self._writer.note_sent(update_id, seq, self._cipher.encrypt(result).decode())

    async def kept(self, committed: asyncio.Future[None] | None) -> None:
        """Wait (bounded, see JournalWriter.wait_kept) until a noted result is committed."""
        if self._writer is not None and committed is not None:
            await self._writer.wait_kept(committed)

    async def restore(self, everyone: bool) -> list[dict[str, Any]]:
        """Take over the journal's unanswered updates (oldest first) to answer them now, and
        remember recently answered ids so that Telegram's redeliveries are ignored."""
        if self._writer is None:
            return []
        claimed = await self._writer.claim(everyone, RESTORE_TIMEOUT)
        answered = await self._writer.recent_answers(REDELIVERY_WINDOW, RESTORE_TIMEOUT)
        for update_id in sorted(answered):
            self._remember(update_id)
        replays = list(self._unseal(claimed.pending))
        if replays or claimed.dropped:
            log.warning(
                "replaying %d unanswered updates from the journal (%d too old or failing)",
                len(replays),
                claimed.dropped,
            )
        return replays

    def _unseal(self, pending: Sequence[PendingUpdate]) -> Iterator[dict[str, Any]]:
        for entry in pending:
            try:
                update = json.loads(self._cipher.decrypt(entry.payload.encode()))
                sent = {n: self._cipher.decrypt(r.encode()) for n, r in entry.sent.items()}
            except (InvalidToken, ValueError):
                log.error("journal entry unreadable (PSEUDONYM_KEY changed?): dropped")
                if self._writer is not None:
                    self._writer.finish(entry.update_id)
                continue
            self._remember(entry.update_id)
            self._open[entry.update_id] = True
            self._recorded[entry.update_id] = sent
            yield update

    def _remember(self, update_id: int) -> None:
        self._seen[update_id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)

    def _journaled(self, update_id: int) -> None:
        if update_id in self._open:
            self._open[update_id] = True
            self._settle(update_id)

    def _settle(self, update_id: int) -> None:
        self._progress.set()
        future = self._settled.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)


class JournalProcessor(BaseUpdateProcessor):
    """Runs each update's handlers with its Delivery in context, and tells the intake when
    it is answered. A cancelled update (shutdown) stays unanswered, to be replayed.

    At most `max_concurrent_updates` are answered at once; on a campaign day the rest wait
    for a slot in arrival order. Danger does not wait (shared/spec/safety.md invariant 10):
    the screen (the gate, installed by `screen_with` once the core is up) reads each update
    as it arrives (bot/telegram/receive.py), and one it reads as tier 1 is answered at once,
    in slots of its own, never queued."""

    def __init__(
        self, intake: Intake, max_concurrent_updates: int = 256, urgent_slots: int = 64
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._intake = intake
        self._urgent_slots = asyncio.BoundedSemaphore(urgent_slots)
        self._screen: Callable[[Update], bool] = lambda _: False  # until the core is up

    def screen_with(self, screen: Callable[[Update], bool]) -> None:
        """Read each arriving update with `screen` (True: tier 1, answer it at once)."""
        self._screen = screen

    async def answer_at_once(self, update: Update, coroutine: Awaitable[Any]) -> None:
        """Answer an urgent update now, in the urgent slots, not behind the line."""
        async with self._urgent_slots:
            await self.do_process_update(update, coroutine)

    def is_urgent(self, update: Update) -> bool:
        """What the gate reads on arrival; a screening bug means the ordinary way."""
        try:
            return self._screen(update)
        except Exception as error:  # a screening bug: the update takes the ordinary way
            log.error("screening on arrival failed: %s", type(error).__name__)
            return False

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Answer one update; mark it answered unless the work was cancelled."""
        if not isinstance(update, Update):
            await coroutine
            return
        token = CURRENT.set(self._intake.delivery(update.update_id))
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception:  # a crash in the library itself; handler errors never get here
            log.exception("update processing failed")
        finally:
            CURRENT.reset(token)
        self._intake.answered(update.update_id)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class LedgerRequest(BaseRequest):
    """Bot API calls, with once-only calls made at most once per update: each result is
    journaled, and a replayed update gets the earlier result back instead of a new message."""

    def __init__(self, inner: BaseRequest, intake: Intake) -> None:
        self._inner = inner
        self._intake = intake

    @property
    def read_timeout(self) -> float | None:
        """The wrapped request's default read timeout."""
        return self._inner.read_timeout

    async def initialize(self) -> None:
        """Open the wrapped request's connections."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Close the wrapped request's connections."""
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Call the Bot API, or hand back what an earlier attempt got for the same call."""
        timeouts = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        delivery = CURRENT.get()
        if delivery is None or url.rsplit("/", 1)[-1].lower() not in ONCE_ONLY:
            return await self._inner.do_request(url, method, request_data, **timeouts)
        async with delivery.lock:  # one update's sends in order: their numbers must match
            earlier = delivery.recorded.get(delivery.sent)
            if earlier is not None:
                delivery.sent += 1
                return HTTPStatus.OK, earlier
            # a replay must know these messages went out joined (see joining)
            joined_note, delivery.joined_note = delivery.joined_note, None
            await self._intake.kept(joined_note)
            code, payload = await self._inner.do_request(url, method, request_data, **timeouts)
            if code == HTTPStatus.OK:
                committed = self._intake.note_sent(delivery.update_id, delivery.sent, payload)
                delivery.sent += 1
                # the next message of this conversation goes out only once this one is kept:
                # a kill then repeats at most this one (a replay resends what is not kept)
                await self._intake.kept(committed)
            return code, payload

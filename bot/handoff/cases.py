"""CaseBook: the single owner of case state and its transitions.

    requested ──consent──▶ queued ──claim──▶ claimed (relaying) ──close──▶ closed
                              ▲  ◀─release──┘   │
                              └──transfer / escalation to another desk

- requested: the user asked (request_human, or the `handoff` button after a tier-1/2
  reply), read who will see the conversation and agreed, and said yes or no to sharing
  their last messages. Only then is a case stored (an event `requested`, then `queued`).
- queued: a new forum topic in the routed desk's group with a case card (language, tier,
  signs seen, waiting time, the recent transcript only if the user agreed); the engine's
  tracker is paused.
- claimed: one operator owns it (conditional UPDATE: of two pressing at once, exactly one
  wins); their messages in the topic are copied to the user, the user's to the topic.
- closed: the user is told, the topic closed, the tracker resumed.

Everything is read from the database on each step, so every process can restart at any
time; Telegram is reached through the `Channel` protocol (bot/telegram/operators.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core import messages
from bot.core.clock import BANGKOK
from bot.core.clock import now as now_utc  # the one clock (BOT_TEST_NOW in tests)
from bot.core.identity import Keys, pseudonym
from bot.core.state import LocalState
from bot.core.types import LANGUAGE_NAMES, BotReply, Button, as_locale
from bot.core.urgency.conversation import ConversationTier, for_routing
from bot.handoff import texts
from bot.handoff.desks import Desk, Desks
from bot.handoff.engine import EngineControl
from bot.handoff.memo import CaseMemo
from bot.storage.handoff import (
    CLAIMED,
    OPEN,
    QUEUED,
    Case,
    HandoffStore,
    StoreUnavailable,
)

# what the Telegram side of the desks uses of the stored cases, named here
__all__ = [
    "CLAIMED",
    "Actor",
    "Case",
    "CaseBook",
    "Channel",
    "OperatorButton",
    "StoreUnavailable",
    "now_utc",
]
log = logging.getLogger(__name__)
DELETABLE_FOR = timedelta(hours=47, minutes=55)  # Telegram: 48 hours, less a margin
OperatorButton = tuple[str, str]  # (label, callback data)


class Channel(Protocol):
    """The Telegram operations the hand-off needs; each returns None/False on failure."""

    async def create_topic(self, chat_id: int, name: str) -> int | None:
        """A new forum topic; its thread id."""
        ...

    async def close_topic(self, chat_id: int, thread_id: int) -> None:
        """Close a forum topic."""
        ...

    async def post(
        self,
        chat_id: int,
        thread_id: int | None,
        text: str,
        buttons: Sequence[Sequence[OperatorButton]] = (),
    ) -> int | None:
        """Post operator-facing text; the message id."""
        ...

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[OperatorButton]]
    ) -> None:
        """Replace the text of a message the bot posted (a case card)."""
        ...

    async def tell_user(self, chat_id: int, locale: str, replies: Sequence[BotReply]) -> bool:
        """Send replies to a user in their language."""
        ...

    async def copy(
        self, from_chat: int, message_id: int, to_chat: int, thread_id: int | None
    ) -> int | None:
        """Copy a message (any kind) without revealing its sender; the copy's id."""
        ...

    async def delete(self, chat_id: int, message_id: int) -> bool:
        """Delete one of the bot's own messages; False when Telegram refuses."""
        ...


@dataclass(frozen=True)
class Actor:
    """Whoever acts on a case from the operators' side (id only compared, never stored)."""

    user_id: int
    name: str


def case_buttons(case_id: int) -> list[list[OperatorButton]]:
    """The card's buttons: claim/release/close, then the canned replies."""
    rows = [
        [
            (texts.BUTTON_CLAIM, f"hc:claim:{case_id}"),
            (texts.BUTTON_RELEASE, f"hc:release:{case_id}"),
            (texts.BUTTON_CLOSE, f"hc:close:{case_id}"),
        ]
    ]
    rows += [[(canned, f"hc:say:{n}:{case_id}")] for n, canned in enumerate(texts.CANNED)]
    return rows


def relay_key(key: bytes, chat_id: int, message_id: int) -> str:
    """A keyed hash naming one Telegram message: remembered once relayed, so an update
    redelivered after a restart is not relayed twice, without storing the chat id.

    The key is stored after the copy is made, never before: a bot that dies between the
    two replays the update from its journal (bot/telegram/intake.py), which hands back the
    copy Telegram already made when its result was journaled, and makes it otherwise. At
    worst the message reaches the other side twice; it is never lost, as it was when a
    kill -9 struck between a stored key and its copy (#11.5)."""
    return hmac.new(key, f"relay:{chat_id}:{message_id}".encode(), hashlib.sha256).hexdigest()[:40]


UNREAD = "unread:"  # stored among the indicators: how many turns nobody could read


def indicators_of(record: ConversationTier) -> str:
    """What a case stores of the conversation's signs: their names, no words."""
    unread = [f"{UNREAD}{record.unread}"] if record.unread else []
    return ",".join([*record.signs, *unread])


def _indicators(stored: str) -> str:
    """The signs seen, readable for the desk."""
    shown = []
    for name in (i for i in stored.split(",") if i):
        if name.startswith(UNREAD):
            shown.append(texts.INDICATORS_UNREAD.format(count=name.removeprefix(UNREAD)))
        else:
            shown.append(name.replace("_", " "))
    return ", ".join(shown) or "none recorded"


def _language(locale: str) -> str:
    code = as_locale(locale)
    return LANGUAGE_NAMES[code] if code else locale


class CaseBook:
    """Opens, moves and closes cases; the only code that changes their state."""

    def __init__(
        self,
        desks: Desks,
        store: HandoffStore,
        channel: Channel,
        engine: EngineControl,
        keys: Keys,
        operator_ids: frozenset[int],
        staff_chat_id: int | None = None,
        escalate_after: timedelta = timedelta(minutes=10),
        memo: CaseMemo | None = None,
    ) -> None:
        self.desks = desks
        self.store = store
        # whether a person has an open case, kept at every event that opens or ends one
        self.memo = memo or CaseMemo(store, LocalState())
        self.channel = channel
        self.engine = engine
        self._keys = keys
        self._operator_ids = operator_ids
        self._staff_chat = staff_chat_id
        self.escalate_after = escalate_after
        # users whose tracker could not be resumed (engine down at close): a paused tracker
        # would leave them without engine answers, so every escalation round retries.
        self._resume_later: set[str] = set()

    # -- the user's side ------------------------------------------------------------------

    def route(self, locale: str, tier: int) -> Desk:
        """The desk that would take this person now."""
        return self.desks.route(locale, tier, now_utc())

    async def open(
        self,
        sender: str,
        chat_id: int,
        locale: str,
        desk: Desk,
        transcript: list[str] | None,
        tier: ConversationTier,
    ) -> Case | None:
        """Queue a case after consent, routed and shown by the conversation's tier; None if
        it could not be stored or announced."""
        now = now_utc()
        case = await self.store.open_case(
            user=sender,
            sealed_chat=self._keys.sealer.seal(chat_id),
            locale=locale,
            tier=for_routing(tier),
            indicators=indicators_of(tier),
            share_transcript=transcript is not None,
            desk=desk.name,
            desk_chat=desk.chat_id,
            created_at=now,
            announced_at=now,
        )
        if case.thread_id is not None:
            return case  # already open (a second press): nothing new to announce
        await self.store.add_event(case, "requested", now)
        announced = await self._announce(case, desk, transcript)
        if announced is None:
            await self.store.change(case.id, {}, {"state": "closed", "closed_at": now})
            return None
        await self.memo.remember(sender, announced)
        await self.store.add_event(announced, "queued", now)
        await self.engine.pause(sender)
        return announced

    async def from_user(self, case: Case, chat_id: int, message_id: int) -> bool:
        """Copy a user's message into the case's topic, once; False if it cannot reach it."""
        key = relay_key(self._keys.relay, chat_id, message_id)
        if await self.store.relayed_before(key):
            return True  # a redelivered update: already in the topic
        if case.thread_id is None:
            return False
        copied = await self.channel.copy(chat_id, message_id, case.desk_chat, case.thread_id)
        if copied is not None:  # the person's words in the topic: /forget deletes them
            await self.store.note_relayed(key, case.id, (case.desk_chat, copied))
        await self.store.change(case.id, {}, {"user_at": now_utc()})
        return copied is not None

    async def note_danger(self, case: Case) -> None:
        """Tell the desk that the person used danger words (the bot sent the numbers)."""
        await self._topic_note(case, texts.DANGER_NOTE)

    # -- the operators' side --------------------------------------------------------------

    def may_act(self, case: Case, actor: Actor) -> bool:
        """Only the desk's members (or OPERATOR_IDS) act on its cases."""
        desk = self.desks.get(case.desk)
        if desk is None:
            return actor.user_id in self._operator_ids
        return desk.may_act(actor.user_id, self._operator_ids)

    def owner_id(self, actor: Actor) -> str:
        """The pseudonym that stands for an operator in the cases table."""
        return pseudonym(self._keys.pseudonym, actor.user_id)

    async def claim(self, case: Case, actor: Actor) -> bool:
        """Take a queued case; exactly one of several simultaneous claims wins."""
        now = now_utc()
        won = await self.store.change(
            case.id,
            {"state": QUEUED, "thread_id": case.thread_id},
            {"state": CLAIMED, "owner": self.owner_id(actor), "claimed_at": now},
        )
        if not won:
            return False
        await self.store.add_event(case, "claimed", now)
        await self._topic_note(case, texts.CLAIMED_BY.format(owner=actor.name))
        await self._refresh_card(case, texts.STATUS_CLAIMED.format(owner=actor.name))
        desk = self.desks.get(case.desk)
        organisation = desk.organisation if desk else ""
        reply = BotReply(texts.CLAIMED, {"organisation": organisation})
        await self._tell(case, [reply])
        return True

    async def release(self, case: Case, actor: Actor) -> bool:
        """Give a claimed case back to the queue (only its owner)."""
        won = await self.store.change(
            case.id,
            {"state": CLAIMED, "owner": self.owner_id(actor)},
            {"state": QUEUED, "owner": None, "announced_at": now_utc()},
        )
        if won:
            await self.store.add_event(case, "released", now_utc())
            await self._topic_note(case, texts.RELEASED_BY.format(owner=actor.name))
            await self._refresh_card(case, texts.STATUS_QUEUED)
        return won

    async def _as_owner(self, case: Case, actor: Actor) -> Case | None:
        """The case as stored now, if the actor owns it (a queued case is claimed first);
        None otherwise, with a note in the topic when someone else has it."""
        if case.state == QUEUED and not await self.claim(case, actor):
            return None
        fresh = await self.store.get(case.id)
        if fresh is None or fresh.state != CLAIMED or fresh.owner != self.owner_id(actor):
            await self._topic_note(case, texts.NOT_OWNER)
            return None
        return fresh

    async def from_operator(self, case: Case, actor: Actor, chat_id: int, message_id: int) -> bool:
        """Copy an operator's message to the user, once; a queued case is claimed first."""
        fresh = await self._as_owner(case, actor)
        if fresh is None:
            return False
        key = relay_key(self._keys.relay, chat_id, message_id)
        if await self.store.relayed_before(key):
            return True
        copied = await self.channel.copy(chat_id, message_id, self._user_chat(case), None)
        if copied is None:
            await self._topic_note(case, texts.NOT_RELAYED)
            return False
        await self.store.note_relayed(key, case.id)
        await self._operator_spoke(fresh)
        return True

    async def say(self, case: Case, actor: Actor, index: int) -> bool:
        """Send a canned reply, in the user's language, from the case's owner."""
        if not 0 <= index < len(texts.CANNED):
            return False
        fresh = await self._as_owner(case, actor)
        if fresh is None:
            return False
        if not await self._tell(fresh, [BotReply(texts.CANNED[index])]):
            await self._topic_note(case, texts.NOT_RELAYED)
            return False
        note = texts.CANNED_SENT.format(language=_language(case.locale), text=texts.CANNED[index])
        await self._topic_note(case, note)
        await self._operator_spoke(fresh)
        return True

    async def _operator_spoke(self, case: Case) -> None:
        now = now_utc()
        await self.store.change(case.id, {}, {"operator_at": now})
        if case.first_reply_at is None and await self.store.change(
            case.id, {"first_reply_at": None}, {"first_reply_at": now}
        ):
            await self.store.add_event(case, "first_reply", now)

    async def close(self, case: Case, by: str) -> bool:
        """End the case: tell the user, close the topic, resume the engine."""
        now = now_utc()
        # a closed case never writes to its person again: its sealed chat id goes
        closed = {"state": "closed", "closed_at": now, "sealed_chat": ""}
        if case.state not in OPEN or not await self.store.change(
            case.id, {"state": case.state}, closed
        ):
            return False
        await self.memo.remember(case.user, None)
        await self.store.add_event(case, "closed", now)
        await self._tell(
            case, [BotReply(texts.CLOSED, buttons=(Button(messages.MENU_BUTTON, "/ask_menu"),))]
        )
        await self._topic_note(case, texts.CLOSED_BY.format(who=by))
        if case.thread_id is not None:
            await self.channel.close_topic(case.desk_chat, case.thread_id)
        if not await self.engine.resume(case.user):
            self._resume_later.add(case.user)
        return True

    async def transfer(self, case: Case, desk: Desk, kind: str = "transferred") -> bool:
        """Move an open case to another desk: a new topic and card there; queued again."""
        old_chat, old_thread = case.desk_chat, case.thread_id
        moved = replace(case, desk=desk.name, desk_chat=desk.chat_id)
        announced = await self._announce(moved, desk, None, first=False)
        if announced is None:
            return False
        await self.store.change(
            case.id, {}, {"state": QUEUED, "owner": None, "announced_at": now_utc()}
        )
        await self.store.add_event(announced, kind, now_utc(), desk=desk.name)
        if old_thread is not None:
            await self.channel.post(old_chat, old_thread, texts.TRANSFERRED.format(desk=desk.name))
            await self.channel.close_topic(old_chat, old_thread)
        return True

    async def erase_copies(self, user: str) -> tuple[int, int]:
        """/forget: delete the person's words from the desk topics; (deleted, left). Left are
        the posts Telegram no longer lets the bot delete (older than 48 hours) or refused."""
        deleted = left = 0
        for copy in await self.store.copies_of(user):
            young = now_utc() - copy.at < DELETABLE_FOR
            if young and await self.channel.delete(copy.chat_id, copy.message_id):
                deleted += 1
            else:
                left += 1
        return deleted, left

    async def reseal(self) -> int:
        """After a SEAL_KEYS rotation: open cases' chat ids sealed under the newest key (an
        unreadable one is left as it is and logged when used)."""
        sealer = self._keys.sealer

        def newest(token: str) -> str:
            try:
                return token if sealer.is_newest(token) else sealer.reseal(token)
            except ValueError:
                return token

        return await self.store.reseal(newest)

    # -- nobody is forgotten --------------------------------------------------------------

    async def escalate_due(self) -> int:
        """Handle every case waiting too long; returns how many were escalated."""
        for user in list(self._resume_later):
            if await self.engine.resume(user):
                self._resume_later.discard(user)
        now = now_utc()
        handled = 0
        for case in await self.store.due(now, self.escalate_after):
            # minutes the person has waited: since asking, or since their unanswered message
            since = case.created_at if case.state == QUEUED else (case.user_at or now)
            waited = int((now - since).total_seconds() // 60)
            if case.state == QUEUED:
                await self._escalate_waiting(case, now, waited)
            else:
                # claim the alert first, so a second process does not repeat it
                claimed = {"state": CLAIMED, "alerted_at": case.alerted_at}
                if not await self.store.change(case.id, claimed, {"alerted_at": now}):
                    continue
                await self._topic_note(case, texts.SILENT.format(waited=waited))
                # the same as for an unclaimed case: the next open desk gets it, unclaimed
                target = self.desks.next_after(case.desk, case.locale, case.tier, now)
                if target is not None:
                    await self.transfer(case, target, kind="transferred")
                await self._alert_staff(case, waited)
                await self._tell_waiting(case)
            await self.store.add_event(case, "escalated", now)
            handled += 1
        return handled

    async def _escalate_waiting(self, case: Case, now: datetime, waited: int) -> None:
        # claim the escalation first, so a restarted or second process does not repeat it
        if not await self.store.change(
            case.id,
            {"state": QUEUED, "announced_at": case.announced_at},
            {"announced_at": now, "escalations": case.escalations + 1},
        ):
            return
        target = self.desks.next_after(case.desk, case.locale, case.tier, now)
        if target is None or not await self.transfer(case, target, kind="transferred"):
            # nowhere else to go: announce it again in its own topic, claim buttons included
            note = texts.ESCALATED.format(
                case=case.id, language=_language(case.locale), tier=case.tier, waited=waited
            )
            await self.channel.post(case.desk_chat, case.thread_id, note, case_buttons(case.id))
        await self._alert_staff(case, waited)
        if case.escalations == 0:
            await self._tell_waiting(case)

    async def _alert_staff(self, case: Case, waited: int) -> None:
        if self._staff_chat is not None:
            note = texts.ESCALATED.format(
                case=case.id, language=_language(case.locale), tier=case.tier, waited=waited
            )
            await self.channel.post(self._staff_chat, None, f"{note} Desk: {case.desk}.")

    async def _tell_waiting(self, case: Case) -> None:
        await self._tell(case, [BotReply(texts.WAITING), BotReply(messages.HOTLINES_LIST)])

    # -- helpers --------------------------------------------------------------------------

    async def _announce(
        self, case: Case, desk: Desk, transcript: list[str] | None, first: bool = True
    ) -> Case | None:
        name = f"#{case.id} · {_language(case.locale)} · tier {case.tier}"
        thread = await self.channel.create_topic(desk.chat_id, name)
        if thread is None:
            return None
        card = self.card(case, texts.STATUS_QUEUED)
        card_id = await self.channel.post(desk.chat_id, thread, card, case_buttons(case.id))
        announced = replace(
            case, desk=desk.name, desk_chat=desk.chat_id, thread_id=thread, card_message_id=card_id
        )
        values = {"desk": desk.name, "desk_chat": desk.chat_id, "thread_id": thread}
        await self.store.change(case.id, {}, {**values, "card_message_id": card_id})
        if transcript is not None:
            lines = "\n".join(f"• {text}" for text in transcript) or "-"
            posted = await self.channel.post(desk.chat_id, thread, texts.TRANSCRIPT_HEAD + lines)
            if posted is not None:
                await self.store.add_copy(case.id, desk.chat_id, posted)
        elif first:  # say so, so nobody asks the person to repeat what they chose not to
            await self.channel.post(desk.chat_id, thread, texts.NO_TRANSCRIPT)
        return announced

    def card(self, case: Case, status: str) -> str:
        """The case card operators see first in the topic."""
        now = now_utc()
        return texts.CARD.format(
            case=case.id,
            language=_language(case.locale),
            locale=case.locale,
            tier=case.tier,
            indicators=_indicators(case.indicators),
            since=case.created_at.astimezone(BANGKOK).strftime("%Y-%m-%d %H:%M"),
            waited=int((now - case.created_at).total_seconds() // 60),
            status=status,
        )

    async def _refresh_card(self, case: Case, status: str) -> None:
        """Show the case's owner on its card, so the whole desk sees who has it."""
        if case.card_message_id is not None:
            text = self.card(case, status)
            buttons = case_buttons(case.id)
            await self.channel.edit(case.desk_chat, case.card_message_id, text, buttons)

    def _user_chat(self, case: Case) -> int:
        return self._keys.sealer.unseal(case.sealed_chat)

    async def _tell(self, case: Case, replies: list[BotReply]) -> bool:
        try:
            chat = self._user_chat(case)
        except ValueError:
            log.error("case %s: sealed chat unreadable (keys changed? see SEAL_KEYS)", case.id)
            return False
        return await self.channel.tell_user(chat, case.locale, replies)

    async def _topic_note(self, case: Case, text: str) -> None:
        if case.thread_id is not None:
            await self.channel.post(case.desk_chat, case.thread_id, text)

"""One turn, start to reply: the steps, in order, in one place (docs/message-flow.md).

    gate ─▶ budget ─▶ the person's lock ─▶ route ─▶ send ─▶ record (after the reply)
     │ tier 1: the numbers, at once
     ▼
   send

1. gate: `Gate.screen` reads the words of every kind of turn (text, command, caption,
   edit, a button that carries words, a message during a case). Tier 1 is answered at
   once, in the person's language and for where they are, before any budget, lock,
   database read or engine call: it never waits behind the person's own turn in progress
   or anybody else's.
2. budget (bot/core/fairness.py): a flood gets one kind "slow down", never the floor of
   the others.
3. the person's line and lock (bot/core/order.py, bot/core/state.py): one person's turns
   run one at a time, in the order they arrived.
4. route: an open hand-off case takes the turn (bot/handoff/desk.py); otherwise the bot
   answers (bot/core/router.py): the engine, or the floor when it fails.
5. send through the adapter's Outbox; 6. record (bot/core/record.py): message ids for
   /hide, consented words, the engine's copy of a turn the gate answered.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.core import messages
from bot.core import privacy as consent
from bot.core.chatlog import ChatLog, hide
from bot.core.fairness import Budget
from bot.core.order import Arrivals, Ticket
from bot.core.router import FLOOR, Conversation
from bot.core.state import PERSONAL, key
from bot.core.turn import CaseDesk, Kind, Outbox, Outcome, Turn
from bot.core.types import DEFAULT_LOCALE, BotReply, Locale, as_locale
from bot.core.urgency import Verdict

log = logging.getLogger(__name__)
# seconds a turn may wait for, and hold, a person's lock (a process that dies holding it
# frees it sooner: Redis locks live on a short lease, bot/storage/redis_state.py)
LOCK_HOLD = 30.0
KEPT_WORDS = (Kind.TEXT, Kind.CAPTION)  # what is kept, with consent, of what people write
# dropped by /forget: everything kept about the person except the budget of this turn
FORGOTTEN_STATE = tuple(kind for kind in PERSONAL if kind not in ("bucket", "flight"))


class Pipeline:
    """Runs the steps of a turn; the adapter calls `handle` once per update."""

    def __init__(
        self,
        conversation: Conversation,
        handoff: CaseDesk,
        budget: Budget | None = None,
        chat_log: ChatLog | None = None,
    ) -> None:
        self.conversation = conversation
        self.handoff = handoff  # bot/handoff/desk.py, plugged in by bot/assembly.py
        self.budget = budget or Budget(conversation.state)
        self.chat_log = chat_log  # message ids for /hide (None: nothing to hide)
        self.arrivals = Arrivals()  # each person's turns in the order they arrived

    async def handle(self, turn: Turn, out: Outbox) -> None:
        """Take one turn through every step; the replies go out through `out`.

        Call it without awaiting anything before: the turn takes its place in the person's
        line on arrival, so their messages are answered in the order they were sent."""
        ticket = self.arrivals.arrive(turn.sender)
        read = False
        try:
            verdict = self.conversation.gate.screen(turn.words) if turn.words else Verdict()
            early = Outcome("en", ())
            sent: list[int] = []
            if verdict.tier == 1:
                early = await self._danger(turn, verdict)
                sent = await out.send(turn, early)
                await self.conversation.keep_verdict(turn.sender, verdict)
            if not turn.private:
                await self._in_group(turn, out)
                return
            if not await self.budget.admit(turn.sender):
                await self._over_budget(turn, out, answered=verdict.tier == 1)
                return
            read = True
            await self._read(turn, ticket, verdict, (early, sent), out)
        finally:
            (self.arrivals.done if read else self.arrivals.skip)(ticket)

    async def _read(
        self,
        turn: Turn,
        ticket: Ticket,
        verdict: Verdict,
        answered: tuple[Outcome, list[int]],
        out: Outbox,
    ) -> None:
        """In the person's line and under their lock: route, send, then record."""
        state, (early, sent) = self.conversation.state, answered
        try:
            await self.arrivals.wait(ticket)
            async with state.lock(key("lock", turn.sender), LOCK_HOLD):
                outcome, by_desk = await self._route(turn, verdict, bool(early.replies), out)
                if outcome.replies:
                    sent += await out.send(turn, outcome)
        finally:
            await self.budget.done(turn.sender)
        replies = (*early.replies, *outcome.replies)
        self._record(turn, replace(outcome, replies=replies), sent, keep_words=not by_desk)

    async def _danger(self, turn: Turn, verdict: Verdict) -> Outcome:
        """The emergency numbers now: no lock, no database, no engine."""
        convo = self.conversation
        outcome = await convo.danger(turn.sender, turn.words, turn.locale_hint, verdict)
        if not turn.private:  # in a group: the numbers only, no questions in public
            return Outcome(outcome.locale, outcome.replies[:1], urgent=True)
        return outcome

    async def _in_group(self, turn: Turn, out: Outbox) -> None:
        """In a group the bot only invites people to a private chat; it keeps nothing, and
        answers in Telegram's language: the private chat's would tell the group about them."""
        if turn.kind is not Kind.COMMAND:
            return
        locale = as_locale(turn.locale_hint) or DEFAULT_LOCALE
        await out.send(turn, Outcome(locale, (BotReply(messages.GROUP_ONLY_PRIVATE),)))

    async def _over_budget(self, turn: Turn, out: Outbox, answered: bool) -> None:
        """Too many turns at once: one kind word per minute, then nothing is read."""
        if answered or not await self.budget.first_slow(turn.sender):
            return
        log.info("a person is over their turn budget")
        people = self.conversation.people
        locale = await people.quick_locale(turn.sender, turn.words, turn.locale_hint)
        await out.send(turn, Outcome(locale, (BotReply(messages.SLOW_DOWN),)))

    async def _route(
        self, turn: Turn, verdict: Verdict, answered: bool, out: Outbox
    ) -> tuple[Outcome, bool]:
        """The answer to the turn, and whether the hand-off took it."""
        try:
            handed = await self.handoff.on_turn(turn, verdict, answered)
            if handed is not None:
                return handed, True
            if answered:
                convo = self.conversation
                return await convo.after_danger(turn.sender, turn.words, turn.locale_hint), False
            async with out.typing(turn):
                outcome = await self._answer(turn, verdict, out)
            return await self.handoff.adapt(turn.sender, outcome), False
        except Exception as error:  # a bug must never leave a person without numbers
            log.error("turn failed, the floor answers: %s", type(error).__name__, exc_info=error)
            return Outcome(*await self._floor(turn, answered)), False

    async def _floor(self, turn: Turn, answered: bool) -> tuple[Locale, tuple[BotReply, ...]]:
        """After a failure: the numbers for where the person is, or the fixed ones."""
        convo = self.conversation
        locale = await convo.people.quick_locale(turn.sender, turn.words, turn.locale_hint)
        if answered:
            return locale, ()
        try:
            return locale, convo.risk.floor(locale, await convo.people.quick_profile(turn.sender))
        except Exception:  # the directory itself failed: the built-in numbers
            return locale, FLOOR

    async def _answer(self, turn: Turn, verdict: Verdict, out: Outbox) -> Outcome:
        convo, sender, hint = self.conversation, turn.sender, turn.locale_hint
        if turn.kind is Kind.TEXT:
            return await convo.on_text(sender, turn.text, hint, verdict)
        if turn.kind is Kind.MEDIA:
            return await convo.on_media(sender, turn.media, hint)
        if turn.kind is Kind.CAPTION:
            # the words are answered first (a disclosure's answer, not "tell me in words",
            # is what the lock screen shows); then that the picture itself was not seen
            words = await convo.on_text(sender, turn.text, hint, verdict)
            media = await convo.on_media(sender, turn.media, hint)
            return Outcome(words.locale, (*words.replies, *media.replies), words.record)
        if turn.kind is Kind.EDIT:  # an edit is read for danger only, not answered again
            if verdict.tier == 2:
                return await convo.urgent(sender, hint, verdict)
            return Outcome(await convo.locale_for(sender, hint), ())
        if turn.kind is Kind.COMMAND:
            return await self._command(turn, verdict, out)
        if turn.text == consent.FORGET_YES:
            return await self._forget(turn)
        return await convo.on_button(sender, turn.text, hint)

    async def _command(self, turn: Turn, verdict: Verdict, out: Outbox) -> Outcome:
        convo, sender, hint = self.conversation, turn.sender, turn.locale_hint
        name = turn.command
        if name == "start":  # its arguments are a deep link's payload, not words
            return await convo.on_command(sender, "greet", hint)
        if name == "help" and turn.text.strip():  # "/help <question>": the question
            return await convo.on_text(sender, turn.text, hint, verdict)
        if name == "language":
            return await convo.on_language_command(sender, hint)
        if name == "privacy":
            return await convo.on_privacy_command(sender, hint)
        if name == "forget":
            return await convo.on_forget_command(sender, hint)
        if name == "hide":
            locale = await convo.locale_for(sender, hint)
            await convo.recorder.settle(sender)  # ids of the turns before it are noted
            return await hide(turn, locale, self.chat_log, out)
        if name == "quiz":
            return await convo.on_button(sender, "quiz", hint)
        if verdict.tier == 2:
            return await convo.urgent(sender, hint, verdict)
        return await convo.on_command(sender, "ask_menu", hint)  # /help and anything else

    async def _forget(self, turn: Turn) -> Outcome:
        """/forget, confirmed (#13.4): the open case ends and the person's words leave the
        desk topics, then the database (profile, consents, kept words, message ids, the
        engine's events; cases and quiz answers unlinked) and every piece of state kept
        about them (language, place, check, quiz, tier, case memo) in this process or
        Redis. Nothing about them is written afterwards."""
        convo, sender = self.conversation, turn.sender
        locale = await convo.locale_for(sender, turn.locale_hint)
        if convo.privacy is None:
            return convo.expired(locale)
        desk = await self.handoff.forget(sender)  # an open case ends; desk copies go
        await convo.recorder.settle(sender)  # nothing recorded after the erasure
        reply = await convo.privacy.forget(sender)
        forgotten = reply.msgid == consent.FORGOTTEN
        if not forgotten:
            return Outcome(locale, (reply,))
        await convo.state.drop(*(key(kind, sender) for kind in FORGOTTEN_STATE))
        return Outcome(locale, (reply, *desk), leave_no_trace=True)

    def _record(self, turn: Turn, outcome: Outcome, sent: list[int], keep_words: bool) -> None:
        """After the reply: message ids for /hide, consented words, the engine's record."""
        if outcome.leave_no_trace:
            return  # right after /forget: noting anything would leave a trace again
        sender, later = turn.sender, self.conversation.recorder.later
        own = [turn.message_id] if turn.message_id and not _hidden(turn) else []
        chat_log = self.chat_log
        if chat_log is not None and (own or sent):
            later(sender, lambda: chat_log.remember_message_ids(sender, [*own, *sent]))
        record = outcome.record
        if record is not None:
            later(sender, lambda: self.conversation.record(record))
        privacy = self.conversation.privacy
        if privacy is not None and keep_words and turn.kind in KEPT_WORDS and turn.text:
            later(sender, lambda: privacy.keep_turn(sender, turn.text, outcome.replies))


def _hidden(turn: Turn) -> bool:
    """/hide deletes its own command message; it is not kept for a later /hide."""
    return turn.kind is Kind.COMMAND and turn.command == "hide"

"""The person's side of the hand-off: asking for a person, consent, and turns during a case.

Core-level rules (no Telegram): the pipeline (bot/core/pipeline.py) asks `on_turn` first,
under the person's lock; a turn that belongs to the hand-off is answered here, anything
else returns None and the bot answers. `offer` is the one owner of "talk to a person":
the `handoff` button and the engine's request_human answer both end there, leading to the
consent step when a desk is configured and reachable, else to the person's hotline lines.

Consent is stateless: each step's button carries the next step. The transcript a desk may
read comes from one source: what the person agreed to let the bot keep (bot/core/privacy.py
`transcript`); with nothing kept, the question is not asked.
"""

from __future__ import annotations

import contextlib
import re

from bot.core import routing
from bot.core.answers import REQUEST_HUMAN
from bot.core.risk import menu_button
from bot.core.router import Conversation
from bot.core.turn import Kind, Outcome, Turn
from bot.core.types import BotReply, Button, Locale, as_locale
from bot.core.urgency import Verdict
from bot.core.urgency.conversation import for_routing
from bot.handoff import texts
from bot.handoff.cases import CaseBook
from bot.storage.handoff import Case, StoreUnavailable

PREFIX = "handoff"  # the person's buttons: handoff, handoff:agree:<desk>, ...
USER_DATA = re.compile(r"^handoff(?::(agree|share|private)(?::([a-z0-9_-]{1,32}))?|:no|:end)?$")
# the bot's own commands keep working during a case; any other command is words to relay
OWN_COMMANDS = frozenset({"start", "help", "language", "privacy", "forget", "hide", "quiz"})
RELAYED = (Kind.TEXT, Kind.MEDIA, Kind.CAPTION)


def end_button() -> Button:
    """The person's way out of a case, besides /end."""
    return Button(texts.END_BUTTON, f"{PREFIX}:end")


class HandoffDesk:
    """The person's side of the hand-off; `book` is None without OPERATOR_CHAT_ID or
    DESKS_FILE, and then every offer of a person is the hotline numbers."""

    def __init__(self, book: CaseBook | None, conversation: Conversation) -> None:
        self.book = book
        self.conversation = conversation

    async def on_turn(self, turn: Turn, verdict: Verdict, answered: bool) -> Outcome | None:
        """Handle the turn when it belongs to the hand-off; None lets the bot answer.

        `answered`: the gate already sent the emergency numbers. An empty Outcome means
        "done, nothing more to send". If the database fails halfway, the person is told,
        with the police number, rather than left without an answer."""
        try:
            return await self._turn(turn, verdict, answered)
        except StoreUnavailable:
            locale = await self.conversation.locale_for(turn.sender, turn.locale_hint)
            return Outcome(locale, (BotReply(texts.NOT_DELIVERED),))

    async def _turn(self, turn: Turn, verdict: Verdict, answered: bool) -> Outcome | None:
        if turn.kind is Kind.BUTTON and USER_DATA.match(turn.text):
            return await self._button(turn)
        is_end = turn.kind is Kind.COMMAND and turn.command == "end"
        case = await self.open_case(turn.sender)
        if case is None or self.book is None:
            if is_end:  # nothing to end: the menu, as /help
                return await self.conversation.on_command(
                    turn.sender, "ask_menu", turn.locale_hint
                )
            return None
        if is_end:
            await self.book.close(case, texts.CLOSED_BY_USER)
            return Outcome(as_locale(case.locale) or "en", ())
        relayed = turn.kind in RELAYED or (
            turn.kind is Kind.COMMAND and turn.command not in OWN_COMMANDS
        )
        if not relayed and not (turn.kind is Kind.EDIT and verdict.tier == 1):
            # the bot's own buttons (numbers, topics) and commands (/hide, /forget,
            # /privacy, /language) keep working during a case
            return None
        locale: Locale = as_locale(case.locale) or "en"
        delivered = not relayed or await self.book.from_user(case, turn.chat_id, turn.message_id)
        replies = () if delivered else (BotReply(texts.NOT_DELIVERED),)
        if verdict.tier == 1:
            # tier 1 wins even mid-case: the gate sent the numbers, the desk is told
            await self.book.note_danger(case)
            if not answered:
                replies = (*self.conversation.risk.fixed(1)[:1], *replies)
        return Outcome(locale, replies)

    async def open_case(self, sender: str) -> Case | None:
        """The person's open case (memo first, then the database within its deadline)."""
        if self.book is None:
            return None
        return await self.book.memo.open_case_of(sender)

    async def offer(self, sender: str, locale: Locale) -> tuple[BotReply, ...]:
        """A person to talk to: the consent step, or the hotlines without a desk."""
        if self.book is None:
            return await self._hotlines(sender, locale)
        tier = await self.conversation.tier_of(sender)
        desk = self.book.route(locale, for_routing(tier))
        buttons = (
            Button(texts.CONSENT_YES, f"{PREFIX}:agree:{desk.name}"),
            Button(texts.CONSENT_NO, f"{PREFIX}:no"),
        )
        # the built-in organisation is a msgid (translated when rendered); a desks file's
        # names are proper nouns and stay as they are
        consent = BotReply(texts.CONSENT, {"organisation": desk.organisation}, buttons)
        return (consent,)

    async def _hotlines(self, sender: str, locale: Locale) -> tuple[BotReply, ...]:
        profile = await self.conversation.profile_for(sender)
        return self.conversation.risk.routed(sender, routing.HOTLIST, locale, profile)

    async def adapt(self, sender: str, outcome: Outcome) -> Outcome:
        """The engine's "ask for a person" answer becomes the offer of a person."""
        if not any(r.answer == REQUEST_HUMAN for r in outcome.replies):
            return outcome
        offered = await self.offer(sender, outcome.locale)
        replies: list[BotReply] = []
        for reply in outcome.replies:
            if reply.answer != REQUEST_HUMAN:
                replies.append(reply)
            elif offered:  # one offer, in the place of the answer's first bubble
                replies.extend(offered)
                offered = ()
        return Outcome(outcome.locale, tuple(replies), outcome.record)

    async def forget(self, sender: str) -> tuple[BotReply, ...]:
        """/forget: an open case ends first (nobody waits on a person who no longer exists
        for the bot), then the person's words leave the desk topics; what could not go
        is said honestly."""
        if self.book is None:
            return ()
        try:
            case = await self.open_case(sender)
            if case is not None:
                await self.book.close(case, texts.CLOSED_BY_USER)
            removed, left = await self.book.erase_copies(sender)
        except StoreUnavailable:
            return ()  # the erasure itself will fail and say so
        said = [BotReply(texts.COPIES_REMOVED, {"count": str(removed)})] if removed else []
        if left:
            said.append(BotReply(texts.COPIES_LEFT, {"count": str(left)}))
        return tuple(said)

    async def _record_consent(self, sender: str, step: str, locale: Locale) -> None:
        """The person's answers, stored as consent events beside the privacy notice's."""
        privacy = self.conversation.privacy
        if privacy is None:
            return
        if step in ("no", "agree"):  # a person of the desk's organisation reads the chat
            await privacy.record(sender, "human", step == "agree", texts.CONSENT_VERSION, locale)
        else:  # the recent messages go to that person too, or not
            await privacy.record(
                sender, "transcript", step == "share", texts.CONSENT_VERSION, locale
            )

    async def _button(self, turn: Turn) -> Outcome:
        sender = turn.sender
        locale = await self.conversation.locale_for(sender, turn.locale_hint)
        step, desk_name = ([*turn.text.split(":"), "", ""])[1:3]
        if self.book is None:
            return Outcome(locale, await self._hotlines(sender, locale))
        case = await self.open_case(sender)
        if step == "end":
            if case is None:
                return self.conversation.expired(locale)
            await self.book.close(case, texts.CLOSED_BY_USER)
            return Outcome(locale, ())
        if case is not None:
            return Outcome(locale, (BotReply(texts.QUEUED, buttons=(end_button(),)),))
        if step == "":
            return Outcome(locale, await self.offer(sender, locale))
        await self._record_consent(sender, step, locale)
        if step == "no":
            return Outcome(locale, (BotReply(texts.DECLINED, buttons=(menu_button(),)),))
        desk = self.book.desks.get(desk_name)
        if desk is None:  # a desk that left the file, or forged data
            return self.conversation.expired(locale)
        transcript = await self._transcript(sender, step)
        if step == "agree" and transcript:
            buttons = (
                Button(texts.SHARE_YES, f"{PREFIX}:share:{desk.name}"),
                Button(texts.SHARE_NO, f"{PREFIX}:private:{desk.name}"),
            )
            return Outcome(locale, (BotReply(texts.SHARE_ASK, buttons=buttons),))
        return await self._open(turn, locale, desk.name, transcript if step == "share" else None)

    async def _transcript(self, sender: str, step: str) -> list[str]:
        privacy = self.conversation.privacy
        if privacy is None or step not in ("agree", "share"):
            return []
        await self.conversation.recorder.settle(sender)  # the last words are stored first
        return await privacy.transcript(sender)

    async def _open(
        self, turn: Turn, locale: Locale, desk_name: str, transcript: list[str] | None
    ) -> Outcome:
        assert self.book is not None
        desk = self.book.desks.get(desk_name)
        tier = await self.conversation.tier_of(turn.sender)
        opened = None
        if desk is not None:
            with contextlib.suppress(StoreUnavailable):
                opened = await self.book.open(
                    turn.sender, turn.chat_id, locale, desk, transcript, tier
                )
        if opened is None:
            return Outcome(locale, await self._hotlines(turn.sender, locale))
        return Outcome(locale, (BotReply(texts.QUEUED, buttons=(end_button(),)),))

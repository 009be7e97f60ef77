"""What the bot answers a person at risk: the lines chosen for them, where they are, the
optional short check, and the options card. The router decides *when*; this decides *what*.

Replies are built from the verified directory (bot/core/routing.py chooses the lines); when
the directory file is unreadable, the fixed texts with the built-in numbers serve.
"""

from __future__ import annotations

import logging

from bot.core import clock, messages, routing, screening
from bot.core.directory import Directory
from bot.core.screening import Screening
from bot.core.state import LocalState, State
from bot.core.types import BotReply, Button, Line, Locale, Profile, UserTurn
from bot.i18n import Term

log = logging.getLogger(__name__)
# replies, a turn to tell the engine, and the sign the answer showed (tier, name) if any
Step = tuple[tuple[BotReply, ...], UserTurn | None, tuple[int, str] | None]
OPTIONS = "options"
HANDOFF = "handoff"  # the human-operator button (bot/handoff)
WHERE = "where"  # shows the "where are you now?" question
WHERE_PREFIX = "where:"


def menu_button() -> Button:
    """The button that always leads back to the menu."""
    return Button(messages.MENU_BUTTON, "/ask_menu")


HOTLINES = Button(messages.HOTLINES_BUTTON, "/ask_hotlines")
HANDOFF_BUTTON = Button(messages.HANDOFF_BUTTON, HANDOFF)
TIER1_REPLIES = (
    BotReply(messages.TIER1),
    BotReply(messages.TIER1_NEXT, buttons=(HANDOFF_BUTTON, HOTLINES)),
)
OPTIONS_BUTTON = Button(messages.OPTIONS_BUTTON, OPTIONS)
TIER2_REPLY = BotReply(messages.TIER2, buttons=(HANDOFF_BUTTON, OPTIONS_BUTTON, HOTLINES))

WHERE_QUESTION = BotReply(
    messages.WHERE_ASK,
    buttons=(
        Button(messages.WHERE_THAILAND, "where:TH"),
        Button(messages.WHERE_MYANMAR, "where:MM"),
        Button(messages.WHERE_CAMBODIA, "where:KH"),
        Button(messages.WHERE_LAOS, "where:LA"),
        Button(messages.WHERE_OTHER, "where:other"),
    ),
)
CHECK_OFFER = BotReply(
    messages.CHECK_OFFER, buttons=(Button(messages.CHECK_START, screening.START),)
)
# Every reply an urgency tier brings (and the short check's advice after a sign). Its
# first line is what a lock screen shows, so it must not say what the person disclosed:
# `make texts-check` fails on locales/discreet.yml's words (and its `disclosures` words)
# in the first line of these, in every language. They open "I'm here with you." or
# "👉 Good to know:".
TIER_REPLY_MSGIDS = frozenset(
    {
        messages.TIER1,
        messages.TIER2,
        messages.TIER3,
        messages.ROUTED_TIER1,
        messages.ROUTED_TIER1_ELSEWHERE,
        messages.ROUTED_TIER2,
        messages.ROUTED_TIER3,
        messages.ROUTED_CHILD,
        messages.CHILD_NOTED,
        messages.CHECK_DONE_SIGNS,
        messages.ENGINE_DOWN,
        *(q.advice for q in screening.QUESTIONS if q.advice),
    }
)
COUNTRY_NOTES = {"MM": messages.OPTIONS_MYANMAR, "KH": messages.OPTIONS_CAMBODIA}
COUNTRY_NOTES["LA"] = messages.OPTIONS_LAOS


def question(item: screening.Question) -> BotReply:
    """One question of the short check, with its four buttons, always all four."""
    data = f"{screening.PREFIX}{item.key}:"
    return BotReply(
        item.msgid,
        buttons=(
            Button(messages.CHECK_YES, f"{data}yes"),
            Button(messages.CHECK_NO, f"{data}no"),
            Button(messages.CHECK_SKIP, f"{data}skip"),
            Button(messages.CHECK_STOP, screening.STOP),
        ),
    )


class RiskAnswers:
    """Routed answers per tier, the short check and the options card."""

    def __init__(self, directory: Directory | None, state: State | None = None) -> None:
        # None: the directory file is unreadable; the fixed texts with built-in numbers serve
        self.directory = directory
        self.screening = Screening(state or LocalState())

    def child_noted(self, locale: Locale, profile: Profile) -> BotReply:
        """The answer to "I am 15": thanks, and the lines for young people."""
        if self.directory is None:
            return BotReply(messages.HOTLINES_LIST, buttons=(menu_button(),))
        lines = self.lines(2, locale, profile)
        return BotReply(messages.CHILD_NOTED, lines=lines, buttons=(menu_button(),))

    def lines(self, tier: int, locale: Locale, profile: Profile) -> tuple[Line | Term, ...]:
        """The lines for this person now, with what is missing where they are."""
        assert self.directory is not None
        routed = routing.route(self.directory, tier, locale, profile, clock.now())
        return routing.as_lines(routed, locale)

    def routed(
        self, user: str, tier: int, locale: Locale, profile: Profile
    ) -> tuple[BotReply, ...]:
        """The answer for a tier with the lines chosen for this user."""
        if self.directory is None:
            return self.fixed(tier)
        lines = self.lines(tier, locale, profile)
        ask_where = (WHERE_QUESTION,) if profile.where is None else ()
        if tier == 1:
            # nothing checked where the person is: first "ask someone nearby", then why
            there = any(isinstance(line, Line) for line in lines[:1])
            msgid = messages.ROUTED_TIER1 if there else messages.ROUTED_TIER1_ELSEWHERE
            nxt = BotReply(messages.TIER1_NEXT, buttons=(HANDOFF_BUTTON, HOTLINES))
            return (BotReply(msgid, lines=lines), nxt, *ask_where)
        if tier == 2:
            msgid = messages.ROUTED_CHILD if profile.child else messages.ROUTED_TIER2
            buttons = (HANDOFF_BUTTON, OPTIONS_BUTTON, HOTLINES)
            return (BotReply(msgid, lines=lines, buttons=buttons), CHECK_OFFER, *ask_where)
        if tier == 3:
            msgid = messages.ROUTED_CHILD if profile.child else messages.ROUTED_TIER3
            return (BotReply(msgid, lines=lines), CHECK_OFFER)
        change = Button(messages.WHERE_CHANGE, WHERE)
        return (BotReply(messages.ROUTED_HOTLINES, lines=lines, buttons=(change,)),)

    def floor(self, locale: Locale, profile: Profile) -> tuple[BotReply, BotReply]:
        """The engine failed: "sorry", the emergency lines for where the person is, and
        their hotline list; with the directory unreadable, the fixed texts."""
        if self.directory is None:
            return BotReply(messages.ENGINE_DOWN), BotReply(messages.HOTLINES_LIST)
        sorry = BotReply(messages.ROUTED_ENGINE_DOWN, lines=self.lines(1, locale, profile))
        change = Button(messages.WHERE_CHANGE, WHERE)
        lines = self.lines(routing.HOTLIST, locale, profile)
        return sorry, BotReply(messages.ROUTED_HOTLINES, lines=lines, buttons=(change,))

    @staticmethod
    def fixed(tier: int) -> tuple[BotReply, ...]:
        """Without a directory: the fixed texts, numbers from the built-in verified list."""
        if tier == 1:
            return TIER1_REPLIES
        if tier == 2:
            return (TIER2_REPLY,)
        if tier == 3:
            return (BotReply(messages.TIER3),)
        return (BotReply(messages.HOTLINES_LIST),)

    def options(self, locale: Locale, profile: Profile) -> tuple[BotReply, ...]:
        """The choices and their risks (safety.md invariant 6), with the user's own country's.

        No referral happens here. Myanmar government offices are explained as one choice,
        only to Myanmar users, and never as the default.
        """
        card = BotReply(messages.OPTIONS, buttons=(HOTLINES,))
        home = routing.HOME_COUNTRY.get(locale)
        country = profile.where if profile.where in COUNTRY_NOTES else home
        note = COUNTRY_NOTES.get(country or "")
        # the card's numbers are Thailand's: someone elsewhere is told so first (invariant 12)
        abroad = messages.OPTIONS_ABROAD.get(profile.where or "")
        first = (BotReply(abroad),) if abroad else ()
        # the notes quote directory lines (1362 is not among the built-in last-resort ones)
        return (*first, card, BotReply(note)) if note and self.directory else (*first, card)

    async def check(
        self, user: str, data: str, locale: Locale, profile: Profile, tier: int
    ) -> Step | None:
        """One step of the optional short check: the replies, an intent to tell the engine
        and the sign the answer showed; None when the press is stale or forged. `tier` is
        the conversation's tier before this answer."""
        if data == screening.START:
            return (question(await self.screening.start(user)),), None, None
        if data == screening.STOP:
            if not await self.screening.stop(user):
                return None
            return (BotReply(messages.CHECK_STOPPED, buttons=(HOTLINES,)),), None, None
        parsed = screening.parse(data)
        step = await self.screening.answer(user, *parsed) if parsed else None
        if step is None:
            return None
        sign = step.sign
        record = UserTurn(user, f"/{sign.intent}", locale) if sign else None
        noted = (sign.tier, sign.intent) if sign else None
        if sign is not None and sign.tier == 1:
            return self.routed(user, 1, locale, profile), record, noted
        replies: list[BotReply] = []
        if sign is not None:
            tier = min(tier, sign.tier)
            replies.append(BotReply(sign.advice))
        if step.next is not None:
            replies.append(question(step.next))
        else:
            replies.append(self._check_done(step.tier, tier, locale, profile))
        return tuple(replies), record, noted

    def _check_done(self, signs: int, tier: int, locale: Locale, profile: Profile) -> BotReply:
        """The end of the check: no verdict, and the lines for where the answers point."""
        msgid = messages.CHECK_DONE_SIGNS if signs < routing.HOTLIST else messages.CHECK_DONE
        tier = 2 if min(signs, tier) <= 2 else 3
        buttons = (HANDOFF_BUTTON, HOTLINES) if tier == 2 else (HOTLINES,)
        if self.directory is None:
            return BotReply(messages.HOTLINES_LIST, buttons=buttons)
        return BotReply(msgid, lines=self.lines(tier, locale, profile), buttons=buttons)

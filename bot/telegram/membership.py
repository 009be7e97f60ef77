"""Who is in a desk's group: every member of it reads every case posted there.

`DeskGuard.may_post(chat)` is asked before any case content (topic, card, transcript,
copies, notes) goes to a desk group. The check is real, from the Bot API: the group's
member count against how many of its listed people (the desk's `members` or OPERATOR_IDS,
its `leads`) are in it, plus the bot. More members than that means someone unlisted is in
the group: with DESK_MEMBER_CHECK=strict (the default) nothing goes there until they leave
or are listed; with `alert` content still goes. The verdict is cached for `ttl` seconds and
renewed at once when a member joins or leaves (`chat_member` updates, which Telegram sends
to a bot that administers the group and asks for them); a failed check counts as not clear.

Joins and leaves are announced to STAFF_CHAT_ID (name and Telegram id, so staff can act;
never logged), and an unlisted join is also announced in the desk group itself.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass

from telegram import Bot, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.handoff.desks import Desk, Desks

log = logging.getLogger(__name__)
STRICT, ALERT = "strict", "alert"
IN_CHAT = (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)
# reading a group's members is not posting to it: the rate limiter gives these no token
# of the group's 20 messages a minute (bot/telegram/limiter.py, `chatless`)
MEMBER_READS = frozenset({"getChatMember", "getChatMemberCount", "getChatAdministrators"})
JOINED_UNLISTED = (
    "⚠️ Desk {desk}: {name} (Telegram id {user_id}) joined the group and is not listed as an "
    "operator (OPERATOR_IDS, or the desk's members or leads). {effect}"
)
HELD_BACK = "No case content is posted there until they leave or are listed."
STILL_POSTED = "Case content still goes there (DESK_MEMBER_CHECK=alert)."
JOINED_LISTED = "👤 Desk {desk}: {name} joined the group (a listed operator)."
LEFT = "👤 Desk {desk}: {name} (Telegram id {user_id}) left the group."
FOUND_UNLISTED = (
    "⚠️ Desk {desk}: {count} member(s) of the group are not listed as operators. {effect}"
)
IN_GROUP_WARNING = (
    "⚠️ Someone who is not listed as an operator is in this group. Case content is held back "
    "here until they leave or are listed."
)


@dataclass(frozen=True)
class Verdict:
    """One check of a group: how many unlisted members it has (None: the check failed)."""

    unlisted: int | None
    at: float

    @property
    def clear(self) -> bool:
        """True when only listed people (and the bot) are in the group."""
        return self.unlisted == 0


class DeskGuard:
    """Checks desk groups' members before case content goes there; alerts staff."""

    def __init__(
        self,
        bot: Bot,
        desks: Desks,
        operator_ids: frozenset[int],
        mode: str = STRICT,
        staff_chat_id: int | None = None,
        ttl: float = 60.0,
    ) -> None:
        self._bot = bot
        self._desks = desks
        self._operator_ids = operator_ids
        self.mode = mode
        self._staff_chat = staff_chat_id
        self._ttl = ttl
        # a cache of what Telegram said, not state: any process can rebuild it at any time
        self._verdicts: dict[int, Verdict] = {}

    def chats(self) -> frozenset[int]:
        """Every desk's group."""
        return frozenset(d.chat_id for d in self._desks.desks)

    def listed(self, desk: Desk) -> frozenset[int]:
        """The people who may be in a desk's group."""
        return (desk.members or self._operator_ids) | desk.leads

    async def may_post(self, chat_id: int) -> bool:
        """False while the group (a desk's) has unlisted members and the mode is strict."""
        desk = self._desks.by_chat(chat_id)
        if desk is None:
            return True  # not a desk group (a user's chat, the staff chat)
        verdict = self._verdicts.get(chat_id)
        if verdict is None or time.monotonic() - verdict.at > self._ttl:
            verdict = await self._check(desk)
            before = self._verdicts.pop(chat_id, None)
            if verdict.unlisted is not None:  # a failed check is not kept: retried next time
                self._verdicts[chat_id] = verdict
            if verdict.unlisted and (before is None or before.clear):
                await self._announce_found(desk, verdict.unlisted)
        if not verdict.clear:
            log.warning("desk group check: %s unlisted member(s)", verdict.unlisted or "?")
        return verdict.clear or self.mode == ALERT

    async def _check(self, desk: Desk) -> Verdict:
        """Member count against the listed people found in the group (and the bot)."""
        try:
            total = await self._bot.get_chat_member_count(desk.chat_id)
            listed = self.listed(desk) - {self._bot.id}
            present = 1  # the bot itself
            if total - present > len(listed):
                return Verdict(total - present - len(listed), time.monotonic())
            for user_id in listed:
                member = await self._bot.get_chat_member(desk.chat_id, user_id)
                present += member.status in IN_CHAT or bool(getattr(member, "is_member", False))
        except TelegramError as error:
            log.warning("desk group check failed: %s", type(error).__name__)
            return Verdict(None, time.monotonic())
        return Verdict(max(total - present, 0), time.monotonic())

    async def on_member_change(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A `chat_member` update from a desk group: renew the verdict, tell staff."""
        changed = update.chat_member
        desk = self._desks.by_chat(changed.chat.id) if changed else None
        if changed is None or desk is None:
            return
        verdict = await self._check(desk)  # renewed now, so posts see the change at once
        self._verdicts.pop(desk.chat_id, None)
        if verdict.unlisted is not None:
            self._verdicts[desk.chat_id] = verdict
        was, now = _in_chat(changed.old_chat_member), _in_chat(changed.new_chat_member)
        if was == now:
            return
        user = changed.new_chat_member.user
        values = {"desk": desk.name, "name": user.full_name, "user_id": user.id}
        if not now:
            await self._tell_staff(LEFT.format(**values))
        elif user.id in self.listed(desk) or user.id == self._bot.id:
            await self._tell_staff(JOINED_LISTED.format(**values))
        else:
            effect = HELD_BACK if self.mode == STRICT else STILL_POSTED
            await self._tell_staff(JOINED_UNLISTED.format(effect=effect, **values))
            if self.mode == STRICT:
                await self._send(desk.chat_id, IN_GROUP_WARNING)

    async def _announce_found(self, desk: Desk, count: int) -> None:
        """Unlisted members found by a check (e.g. already there when the bot started)."""
        effect = HELD_BACK if self.mode == STRICT else STILL_POSTED
        await self._tell_staff(FOUND_UNLISTED.format(desk=desk.name, count=count, effect=effect))
        if self.mode == STRICT:
            await self._send(desk.chat_id, IN_GROUP_WARNING)

    async def _tell_staff(self, text: str) -> None:
        if self._staff_chat is None:
            log.warning("desk group membership changed; STAFF_CHAT_ID is not set to tell staff")
            return
        await self._send(self._staff_chat, text)

    async def _send(self, chat_id: int, text: str) -> None:
        with contextlib.suppress(TelegramError):
            await self._bot.send_message(chat_id, text)


def _in_chat(member: ChatMember) -> bool:
    return member.status in IN_CHAT or bool(getattr(member, "is_member", False))

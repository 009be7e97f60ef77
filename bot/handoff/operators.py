"""The operators' side of a case: who may do what in a case topic, and what each does.

The Telegram adapter (bot/telegram/operators.py) reads who wrote or pressed what, in
which topic, and calls these; every rule lives here, beside the case book:
- only members of the case's desk act (`CaseBook.may_act`); anything else is ignored;
- a message is relayed to the person unless it starts with "/" (bot/handoff/commands.py):
  /note stays in the topic, the tools act, anything else is kept back and the operator told;
- closing or transferring a claimed case is for its owner or a lead (`may_manage`);
- a button acts only on the case of the topic it sits in, so forged data does nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.handoff import texts
from bot.handoff.cases import CLAIMED, Actor, Case, CaseBook
from bot.handoff.commands import operator_command
from bot.storage.handoff import StoreUnavailable

# a case card's buttons: hc:claim:<id>, hc:release:<id>, hc:close:<id>, hc:say:<n>:<id>
BUTTON_DATA = re.compile(r"^hc:(claim|release|close|say:(\d))?:?(\d{1,12})$")


@dataclass(frozen=True)
class Topic:
    """Where an operator wrote or pressed: a desk group's forum topic, and by whom."""

    chat_id: int
    thread_id: int | None
    actor: Actor
    staff_ids: frozenset[int] = frozenset()  # STAFF_IDS: leads at every desk


async def case_of(book: CaseBook, topic: Topic) -> Case | None:
    """The case whose topic this is (None outside a case topic, or without the database)."""
    if topic.thread_id is None:
        return None
    try:
        return await book.store.by_topic(topic.chat_id, topic.thread_id)
    except StoreUnavailable:
        return None


def may_manage(book: CaseBook, case: Case, topic: Topic) -> bool:
    """Close or transfer: a claimed case only by its owner or a lead (the desk's `leads`,
    or STAFF_IDS acting at the desk); an unclaimed case by any of the desk's operators."""
    actor = topic.actor
    if case.state != CLAIMED or case.owner == book.owner_id(actor):
        return True
    desk = book.desks.get(case.desk)
    return actor.user_id in topic.staff_ids or (desk is not None and actor.user_id in desk.leads)


async def on_message(
    book: CaseBook, topic: Topic, message_id: int, typed: str | None, caption: bool
) -> None:
    """A message in a desk's group: relayed, a tool, or ignored. `typed` is its text or
    caption; a caption never acts, and nothing that starts with "/" reaches the person."""
    case = await case_of(book, topic)
    if case is None or not book.may_act(case, topic.actor):
        return  # not a case topic, or not an operator: ignored, nothing reaches the person
    command = operator_command(typed)
    if command is None:
        await book.from_operator(case, topic.actor, topic.chat_id, message_id)
    elif command.name == "note":
        await book.channel.post(case.desk_chat, case.thread_id, texts.NOTE_KEPT)
    elif not command.is_tool or caption:
        await book.channel.post(case.desk_chat, case.thread_id, texts.NOT_SENT)
    else:
        await _use_tool(book, case, topic, command.name, command.rest)


async def _use_tool(book: CaseBook, case: Case, topic: Topic, tool: str, rest: str) -> None:
    """/claim, /release, /close, /transfer <desk>, typed by one of the desk's operators."""
    if tool in ("close", "transfer") and not may_manage(book, case, topic):
        await book.channel.post(case.desk_chat, case.thread_id, texts.OWNER_OR_LEAD)
    elif tool == "claim":
        await book.claim(case, topic.actor)
    elif tool == "release":
        await book.release(case, topic.actor)
    elif tool == "close":
        await book.close(case, topic.actor.name)
    elif tool == "transfer":
        target = book.desks.get(rest)
        if target is None or target.name == case.desk:
            names = ", ".join(d.name for d in book.desks.desks if d.name != case.desk) or "-"
            await book.channel.post(
                case.desk_chat, case.thread_id, texts.TRANSFER_USAGE.format(desks=names)
            )
        else:
            await book.transfer(case, target)


async def on_button(book: CaseBook, topic: Topic, data: str) -> str:
    """Claim, release, close or a canned reply, pressed under a case card; what the
    operator is told ("" for nothing)."""
    match = BUTTON_DATA.match(data)
    case = await case_of(book, topic)
    if match is None or case is None or str(case.id) != match.group(3):
        return texts.STALE_BUTTON
    if not book.may_act(case, topic.actor):
        return texts.NOT_AN_OPERATOR
    action = match.group(1) or ""
    if action == "claim":
        return "" if await book.claim(case, topic.actor) else texts.TAKEN
    if action == "release":
        return "" if await book.release(case, topic.actor) else texts.NOT_THE_OWNER
    if action == "close":
        if not may_manage(book, case, topic):
            return texts.OWNER_OR_LEAD
        await book.close(case, topic.actor.name)
    elif action.startswith("say:"):
        await book.say(case, topic.actor, int(match.group(2)))
    return ""

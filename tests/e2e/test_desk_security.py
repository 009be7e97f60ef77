"""Operator desks under attack (issue #13.3, 13.6, 13.9): notes and commands never reach the
person, only a case's owner or a lead closes or transfers it, /cases shows figures only
where staff alone read them.

One sandbox and one real bot for the module (engine down: the `handoff` button is the way
in); the desks file has a lead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from bot.core import messages
from bot.handoff import texts
from bot.sandbox.client import wait_until
from tests.e2e.test_handoff import CATALOGS, DESK, STAFF, STAFF_CHAT, DeskRun, _case_id, desks_run
from tests.e2e.test_handoff import group as desk_group

pytestmark = pytest.mark.e2e
ANNA, BORIS, LEAD, NOBODY = 601, 602, 603, 604
OTHER_DESK = DESK - 7


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskRun]:
    desks = {
        "main": {"chat_id": DESK, "members": [ANNA, BORIS], "leads": [LEAD]},
        "other": {"chat_id": OTHER_DESK, "members": [ANNA, BORIS]},
    }
    folder = tmp_path_factory.mktemp("desk-security")
    yield from desks_run(folder, desks, {"OPERATOR_CHAT_ID": ""})


def claimed_case(run: DeskRun, user: int) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """A person asks for someone; Anna claims. (thread, card, the person's last message)"""
    *_, queued = run.ask_for_person(user, share=False)
    thread = run.topic()["message_thread_id"]
    card = run.in_topic(thread, 2)[0]
    run.press_in_group(ANNA, card, f"hc:claim:{_case_id(card)}")
    [claimed] = run.user_messages(user, queued["message_id"])
    return thread, card, claimed


SLASHED = [
    "/Note she sounds scared",
    "/NOTE address is near the market",
    "/notes: call back tomorrow",
    " /note leading space",
    "\u200b/note zero-width first",
    "\u200f\u2066/note direction marks first",
    "／note full-width slash",
    "/cases",
    "/end",
    "/",
]


def test_notes_and_commands_never_reach_the_person(run: DeskRun) -> None:
    user = 6101
    thread, _, claimed = claimed_case(run, user)
    for text in SLASHED:
        run.operator_says(ANNA, thread, text)
    run.operator_says(ANNA, thread, kind="photo", caption="/note photo of the contract")
    run.operator_says(ANNA, thread, "Hello, I am here.")
    # the only thing the person receives is the real message (it was sent last)
    wait_until(
        lambda: any(
            m.get("text") == "Hello, I am here."
            for m in run.user_messages(user, claimed["message_id"], wait=0)
        ),
        20,
        "the operator's real message",
    )
    got = run.user_messages(user, claimed["message_id"], wait=0)
    assert [m.get("text") for m in got] == ["Hello, I am here."]
    assert not any("photo" in m for m in got)
    # each kept-back message is explained in the topic; the case is still open
    notes = [m.get("text") or "" for m in run.in_topic(thread, 16)]
    assert sum(n == texts.NOTE_KEPT for n in notes) == 7  # six /note spellings + the caption
    assert sum(n == texts.NOT_SENT for n in notes) == 4  # /notes, /cases, /end, /
    assert not run.topic()["closed"]
    assert not any("Cases:" in n for n in notes)  # /cases gave no figures in the desk


def test_only_the_owner_or_a_lead_closes_or_transfers(run: DeskRun) -> None:
    user = 6102
    thread, card, claimed = claimed_case(run, user)
    case = _case_id(card)
    run.operator_says(BORIS, thread, "/close")
    run.operator_says(BORIS, thread, "/transfer other")
    run.press_in_group(BORIS, card, f"hc:close:{case}")
    wait_until(
        lambda: sum(m.get("text") == texts.OWNER_OR_LEAD for m in run.in_topic(thread, 3)) == 2,
        20,
        "two refusals in the topic",
    )
    wait_until(
        lambda: any(
            c["params"].get("text") == texts.OWNER_OR_LEAD
            for c in run.sandbox.calls("answerCallbackQuery")
        ),
        20,
        "the refused button press answered",
    )
    assert not run.topic()["closed"] and run.sandbox.topics(OTHER_DESK) == []
    # the desk's lead may
    run.operator_says(LEAD, thread, "/close")
    [closed] = run.user_messages(user, claimed["message_id"])
    assert closed["text"].startswith("The chat with the person has ended")
    wait_until(lambda: run.topic()["closed"], 10, "the topic closed")


def test_cases_only_for_staff_and_only_where_staff_alone_read(run: DeskRun) -> None:
    private = run.sandbox.send(STAFF, "/cases")
    [figures] = run.user_messages(STAFF, private["message_id"])
    assert figures["text"].startswith("Hand-off figures")
    in_staff_chat = run.sandbox.send(STAFF, "/cases", chat=desk_group(STAFF_CHAT))
    [shown] = run.sandbox.replies(STAFF_CHAT, in_staff_chat["message_id"])
    assert shown["text"].startswith("Hand-off figures")
    elsewhere = -1009876
    in_group = run.sandbox.send(STAFF, "/cases", chat=desk_group(elsewhere))
    [refused] = run.sandbox.replies(elsewhere, in_group["message_id"])
    assert "only in a private chat or the staff chat" in refused["text"]
    # not staff: a kind word in their language instead of silence
    asked = run.sandbox.send(NOBODY, "/cases", language_code="th")
    [kind] = run.user_messages(NOBODY, asked["message_id"])
    assert kind["text"] == CATALOGS.gettext(messages.STAFF_ONLY, "th")
    assert kind["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/ask_menu"


def staff_says(run: DeskRun, fragment: str) -> bool:
    return any(fragment in (m.get("text") or "") for m in run.sandbox.replies(STAFF_CHAT, 0))


def test_an_unlisted_member_holds_case_content_back_until_they_leave(run: DeskRun) -> None:
    user, late = 6201, 6202
    thread, _, claimed = claimed_case(run, user)
    topics = len(run.sandbox.topics(DESK))
    run.sandbox.member(DESK, NOBODY)  # someone nobody listed joins the desk's group
    wait_until(lambda: staff_says(run, "User604 (Telegram id 604) joined"), 20, "staff told")
    wait_until(
        lambda: any(
            "not listed as an operator" in m["text"] and "message_thread_id" not in m
            for m in run.sandbox.replies(DESK, 0)
        ),
        20,
        "the warning in the desk's group",
    )
    # the person's words do not go to the group; they are told, with the police number
    before = len(run.in_topic(thread, 1))
    asked = run.sandbox.send(user, "are you still there? my address is 12 market road")
    [told] = run.user_messages(user, asked["message_id"])
    assert "could not reach the person" in told["text"] and "191" in told["text"]
    # a new request opens no topic there: the person gets the numbers to call instead
    *_, instead = run.ask_for_person(late, share=False)
    assert "/end" not in instead["text"] and any(ch.isdigit() for ch in instead["text"])
    assert len(run.sandbox.topics(DESK)) == topics
    # the operator still reaches the person (nothing new is exposed by that)
    run.operator_says(ANNA, thread, "I am still here.")
    assert run.user_messages(user, told["message_id"])[-1]["text"] == "I am still here."
    assert len(run.in_topic(thread, before, wait=1)) == before  # nothing more in the topic
    # once they are gone, the person's words reach the desk again
    run.sandbox.member(DESK, NOBODY, "left")
    wait_until(lambda: staff_says(run, "User604 (Telegram id 604) left"), 20, "staff told")
    run.sandbox.send(user, "hello again")
    wait_until(
        lambda: any(m.get("text") == "hello again" for m in run.in_topic(thread, before + 1)),
        20,
        "the person's message in the topic",
    )
    assert claimed["message_id"] < asked["message_id"]


def test_start_in_a_group_keeps_nothing_and_reveals_no_private_language(run: DeskRun) -> None:
    somewhere, known, new = -1005550, 6301, 6302
    said = run.sandbox.send(known, "ສະບາຍດີ", language_code="th")  # chats in Lao in private
    run.user_messages(known, said["message_id"], 1)
    asked = run.sandbox.send(known, "/start", language_code="th", chat=desk_group(somewhere))
    [invite] = run.sandbox.replies(somewhere, asked["message_id"])
    # the group sees the invitation in Telegram's language, never the private chat's (Lao)
    assert invite["text"] == CATALOGS.gettext(messages.GROUP_ONLY_PRIVATE, "th")
    again = run.sandbox.send(new, "/start@sandbox_safe_migration_bot", chat=desk_group(somewhere))
    run.sandbox.replies(somewhere, again["message_id"])
    with sqlite3.connect(run.folder / "bot.sqlite3") as db:
        rows = db.execute("select count(*) from user where pseudonym = ?", (run.pseudonym(new),))
        assert rows.fetchone() == (0,)  # no trace of someone who never wrote in private

"""make bench matches each reply to the message it answers (bot/engine/load.py)."""

from bot.engine.load import MIXES, Chat, Request, Script, match

FLOOR = "Sorry, I can't answer properly right now. ... 191"


def chat_with(sent: list[tuple[int, str]], replies: list[tuple[float, int, str]]) -> Chat:
    """A chat whose messages (id, expected first bubble) were sent at t = id."""
    chat = Chat(1, "en")
    for message_id, expect in sent:
        chat.requests.append(
            Request(1, "text", expect, sent_at=float(message_id), sent_id=message_id)
        )
    chat.replies = replies
    return chat


def test_replies_in_order_answer_their_messages_and_extra_bubbles_are_ignored() -> None:
    chat = chat_with(
        [(10, "Hello!"), (20, "Thanks!")],
        [(11.0, 11, "Hello!"), (11.5, 12, "more"), (21.0, 21, "Thanks!")],
    )
    assert match(chat, FLOOR) == 0
    assert [r.latency for r in chat.requests] == [1.0, 1.0]


def test_a_late_reply_is_never_counted_for_the_next_message() -> None:
    # the greeting's answer comes after the next message was sent: it is still the greeting's
    chat = chat_with(
        [(10, "Hello!"), (12, "Thanks!")], [(15.0, 13, "Hello!"), (16.0, 14, "Thanks!")]
    )
    assert match(chat, FLOOR) == 0
    assert [r.latency for r in chat.requests] == [5.0, 4.0]


def test_a_reply_overtaking_an_earlier_one_is_out_of_order() -> None:
    chat = chat_with(
        [(10, "Hello!"), (12, "Thanks!")], [(13.0, 13, "Thanks!"), (14.0, 14, "Hello!")]
    )
    assert match(chat, FLOOR) == 1
    assert all(r.answered_at is not None for r in chat.requests)


def test_an_unanswered_message_is_lost_and_the_floor_answers_the_oldest() -> None:
    chat = chat_with(
        [(10, "Hello!"), (12, "Thanks!"), (14, "Bye!")], [(15.0, 15, FLOOR), (16.0, 16, "Bye!")]
    )
    match(chat, FLOOR)
    hello, thanks, bye = chat.requests
    assert hello.floor and hello.answered_at == 15.0
    assert thanks.answered_at is None  # lost
    assert bye.answered_at == 16.0


def test_sends_that_finish_out_of_order_are_matched_by_message_id() -> None:
    chat = chat_with(
        [(12, "Hello!"), (10, "Hello!")], [(11.0, 11, "Hello!"), (13.0, 13, "Hello!")]
    )
    assert match(chat, FLOOR) == 0
    by_id = {r.sent_id: r.answered_at for r in chat.requests}
    assert by_id == {10: 11.0, 12: 13.0}


def test_a_tier1_message_is_answered_by_the_first_reply_with_the_emergency_number() -> None:
    chat = chat_with([(10, "Hello!"), (11, "")], [(12.0, 12, "Hello!"), (12.5, 13, "Police: 191")])
    assert match(chat, FLOOR) == 0
    assert chat.requests[1].answered_at == 12.5


def test_matching_again_gives_the_same_answer() -> None:
    # two alike messages, one answer: matching a second time must not give the answer twice
    chat = chat_with([(10, "Hello!"), (12, "Hello!")], [(13.0, 13, "Hello!")])
    match(chat, FLOOR)
    match(chat, FLOOR)
    assert [r.answered_at for r in chat.requests] == [13.0, None]


def test_each_mix_has_its_answers_and_shares_what_the_preflight_left_out() -> None:
    script = Script.load(per_class=2, mixes=MIXES)
    issue, one_bubble = script.only("issue"), script.only("one-bubble")
    assert set(issue.messages["th"]) == set(MIXES["issue"])
    assert set(one_bubble.messages["th"]) == set(MIXES["one-bubble"])
    text = script.messages["th"]["greet"][0][0]
    script.drop("th", text)
    assert text not in [row[0] for row in one_bubble.messages["th"]["greet"]]


def test_an_answer_joined_into_one_message_under_load_still_answers() -> None:
    joined = "Pay: what the law says.\n\nYour pay slip.\n\nWho to call."
    chat = chat_with(
        [(10, "Pay: what the law says."), (20, "Pay")],
        [(11.0, 11, joined), (21.0, 21, "Payday is monthly")],  # not "Pay" + a blank line
    )
    assert match(chat, FLOOR) == 0
    assert [r.answered_at for r in chat.requests] == [11.0, None]

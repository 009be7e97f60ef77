"""What the hostile-input run (issue #13.10) found in the adapter: a lone surrogate in
Telegram's JSON broke the engine call (httpx refuses to encode it), so the person got the
floor and the log an error; the typing helper outlived its turn."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, cast

import httpx
import pytest
from telegram import Bot, Update

from bot.core.turn import Kind, Turn
from bot.i18n import Catalogs
from bot.telegram.handlers import TelegramOutbox, turn_of
from bot.text.wellformed import well_formed

KEY = b"k" * 32
ME = {"id": 42, "is_bot": False, "first_name": "A", "language_code": "th"}
PRIVATE = {"id": 42, "type": "private", "first_name": "A"}


def update(**fields: Any) -> Update:
    """An Update as PTB reads it from Telegram's JSON (where "\\ud800" is legal)."""
    raw = json.loads(json.dumps({"update_id": 1, **fields}))
    found = Update.de_json(raw, None)
    assert found is not None
    return found


def message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 5, "date": 0, "chat": PRIVATE, "from": ME, **fields}


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"message": message(text="help \ud800 me")}, Kind.TEXT),
        (
            {
                "message": message(
                    text="/start \udbff",
                    entities=[{"type": "bot_command", "offset": 0, "length": 6}],
                )
            },
            Kind.COMMAND,
        ),
        (
            {
                "message": message(
                    caption="a\ud83d",
                    photo=[{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
                )
            },
            Kind.CAPTION,
        ),
        ({"edited_message": message(text="\ude00x", edit_date=1)}, Kind.EDIT),
        (
            {
                "callback_query": {
                    "id": "q",
                    "from": ME,
                    "chat_instance": "c",
                    "data": "lang:\ud800",
                    "message": message(text="menu"),
                }
            },
            Kind.BUTTON,
        ),
    ],
)
def test_every_kind_of_turn_carries_text_every_encoder_accepts(
    fields: dict[str, Any], kind: Kind
) -> None:
    turn = turn_of(update(**fields), KEY)
    assert turn is not None and turn.kind is kind
    assert "\ufffd" in turn.text
    turn.text.encode("utf-8")  # would raise UnicodeEncodeError before the fix
    httpx.Request("POST", "http://engine/", json={"message": turn.text})


def test_pairs_are_joined_and_ordinary_text_is_untouched() -> None:
    assert well_formed("\ud83d\ude00 ok") == "😀 ok"
    assert well_formed("สวัสดี\udc00") == "สวัสดี\ufffd"
    for text in ("", "plain ascii", "ສະບາຍດີ 😀", "\x00nul stays"):
        assert well_formed(text) == text


async def test_typing_leaves_no_task_behind_when_the_turn_is_done() -> None:
    """A bot stopped right after a turn must find no pending task (the hostile run saw
    "Task was destroyed but it is pending!" from the typing helper)."""
    before = asyncio.all_tasks()
    outbox = TelegramOutbox(cast(Bot, None), cast(Catalogs, None))  # neither is reached
    async with outbox.typing(Turn("u1", Kind.TEXT, chat_id=42)):
        assert len(asyncio.all_tasks()) == len(before) + 1  # the helper waits to type
    assert asyncio.all_tasks() == before


class SwallowingBot:
    """A chat action whose HTTP stack swallows the cancellation it receives (as Python
    3.10's wait_for can, when the response arrives at the same moment)."""

    def __init__(self) -> None:
        self.in_call = asyncio.Event()
        self.calls = 0

    async def send_chat_action(self, chat_id: int, action: str) -> bool:
        self.calls += 1
        self.in_call.set()
        # Telegram is slow to answer; the cancellation is swallowed: the helper carries on
        # as if the call had returned
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()
        return True


async def test_a_turn_ends_even_if_its_typing_helper_misses_the_cancellation() -> None:
    bot = SwallowingBot()
    outbox = TelegramOutbox(cast(Bot, bot), cast(Catalogs, None))
    before = asyncio.all_tasks()

    async def turn() -> None:
        async with outbox.typing(Turn("u1", Kind.TEXT, chat_id=42)):
            await bot.in_call.wait()  # the turn took a while: "typing…" is on its way

    await asyncio.wait_for(turn(), 10)  # the person's next turn is not held up for good
    assert asyncio.all_tasks() == before and bot.calls == 1  # and no typing on and on

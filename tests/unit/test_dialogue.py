"""Parsing the engine's REST output, and the client's failure modes."""

import httpx
import pytest

from bot.core.dialogue import EngineUnavailable, RasaRestClient, parse_rasa_messages
from bot.core.types import UserTurn


def test_text_and_buttons_become_a_reply() -> None:
    replies = parse_rasa_messages(
        [
            {
                "recipient_id": "x",
                "text": "Hi",
                "buttons": [{"title": "Menu", "payload": "/ask_menu"}],
            }
        ]
    )
    assert replies[0].msgid == "Hi"
    assert replies[0].buttons[0].data == "/ask_menu"


def test_custom_payload_carries_msgid_and_params() -> None:
    replies = parse_rasa_messages([{"custom": {"msgid": "Call %(n)s", "params": {"n": 191}}}])
    assert replies[0].params == {"n": "191"}


@pytest.mark.parametrize("payload", [None, {"text": "x"}, "oops", [42]])
def test_nonsense_from_the_engine_is_refused(payload: object) -> None:
    with pytest.raises(EngineUnavailable):
        parse_rasa_messages(payload)


async def test_http_errors_and_timeouts_become_engine_unavailable() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, text="boom")

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler in (broken, slow):
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = RasaRestClient("http://engine", 1.0, http)
            with pytest.raises(EngineUnavailable):
                await client.send(UserTurn("u", "hi", "en"))


async def test_the_turn_carries_sender_text_and_locale() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, json=[{"text": "Hello"}])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        replies = await RasaRestClient("http://engine/", 1.0, http).send(
            UserTurn("p1", "hi", "km")
        )
    assert replies[0].msgid == "Hello"
    assert b'"sender":"p1"' in seen[0].replace(b" ", b"")
    assert b'"locale":"km"' in seen[0].replace(b" ", b"")

"""Parsing the engine's REST output, and the client's failure modes."""

import httpx
import pytest

from bot.core.answers import EngineAnswer
from bot.core.dialogue import EngineUnavailable, RasaRestClient, parse_rasa_messages
from bot.core.types import UserTurn


def test_the_engine_names_answers_and_their_intents() -> None:
    answers = parse_rasa_messages(
        [
            {"recipient_id": "x", "custom": {"answer": "tier1", "intent": "report_confinement"}},
            {"recipient_id": "x", "custom": {"answer": "not_understood"}},
        ]
    )
    assert answers == (
        EngineAnswer("tier1", "report_confinement"),
        EngineAnswer("not_understood", ""),
    )


@pytest.mark.parametrize(
    "message",
    [
        {"text": "Hi, English from the engine"},  # text is never shown: the bot renders
        {"custom": {"msgid": "Call %(n)s"}},
        {"custom": {"answer": "Ask Documents!"}},  # not a name
        {"custom": {"answer": 7}},
    ],
)
def test_a_message_that_names_no_answer_is_dropped(message: dict[str, object]) -> None:
    assert parse_rasa_messages([message, {"custom": {"answer": "greet"}}]) == (
        EngineAnswer("greet"),
    )


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
        return httpx.Response(200, json=[{"custom": {"answer": "greet", "intent": "greet"}}])

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        replies = await RasaRestClient("http://engine/", 1.0, http).send(
            UserTurn("p1", "hi", "km")
        )
    assert replies == (EngineAnswer("greet", "greet"),)
    assert b'"sender":"p1"' in seen[0].replace(b" ", b"")
    assert b'"locale":"km"' in seen[0].replace(b" ", b"")

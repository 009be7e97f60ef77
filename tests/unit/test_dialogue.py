"""Parsing the engine's REST output, and the client's failure modes."""

import httpx
import pytest

from bot.core.answers import EngineAnswer
from bot.core.dialogue import EngineUnavailable, RasaRestClient, Replicas, parse_rasa_messages
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


URLS = ("http://e1:5005", "http://e2:5006", "http://e3:5007")
GREET = [{"custom": {"answer": "greet", "intent": "greet"}}]


def test_each_person_keeps_one_replica_and_people_spread_evenly() -> None:
    replicas = Replicas(",".join(URLS))
    firsts = [replicas.for_sender(f"person{n}")[0] for n in range(3000)]
    assert firsts == [replicas.for_sender(f"person{n}")[0] for n in range(3000)]  # stable
    for url in URLS:
        assert 850 < firsts.count(url) < 1150


def test_removing_a_replica_moves_only_its_own_people() -> None:
    three, two = Replicas(",".join(URLS)), Replicas(",".join(URLS[:2]))
    for n in range(500):
        order = three.for_sender(f"p{n}")
        expected = order[1] if order[0] == URLS[2] else order[0]  # the next one, or as before
        assert two.for_sender(f"p{n}")[0] == expected


async def test_a_dead_or_failing_replica_passes_the_turn_to_the_next() -> None:
    replicas = Replicas(",".join(URLS[:2]), token="t0k3n")
    sender = next(f"p{n}" for n in range(100) if replicas.for_sender(f"p{n}")[0] == URLS[0])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host}?{request.url.query.decode()}")
        if request.url.host == "e1":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=GREET)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = RasaRestClient(replicas, 2.0, http)
        assert await client.send(UserTurn(sender, "hi", "en")) == (EngineAnswer("greet", "greet"),)
        assert seen == ["e1?token=t0k3n", "e2?token=t0k3n"]
        await client.send(UserTurn(sender, "hi again", "en"))
    assert seen[2:] == ["e2?token=t0k3n"]  # the failed replica is tried last for a while


async def test_a_server_error_fails_over_but_a_refused_token_does_not() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        return httpx.Response(500 if request.url.host == "e1" else 401)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = RasaRestClient(Replicas(",".join(URLS[:2])), 2.0, http)
        sender = next(
            f"p{n}" for n in range(99) if client.replicas.for_sender(f"p{n}")[0] == URLS[0]
        )
        with pytest.raises(EngineUnavailable, match="401"):
            await client.send(UserTurn(sender, "hi", "en"))
    assert calls == ["e1", "e2"]


async def test_when_every_replica_is_down_the_caller_gets_the_floor_in_time() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = RasaRestClient(Replicas(",".join(URLS)), 1.0, http)
        with pytest.raises(EngineUnavailable, match="ConnectError"):
            await client.send(UserTurn("p", "hi", "en"))

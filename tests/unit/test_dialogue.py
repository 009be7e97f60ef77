"""Parsing the engine's REST output, and the client's failure modes."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from bot.core.answers import EngineAnswer
from bot.core.dialogue import (
    EngineUnavailable,
    RasaRestClient,
    Replicas,
    engine_session,
    parse_rasa_messages,
)
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


URLS = ("http://e1:5005", "http://e2:5006", "http://e3:5007")


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


# -- the client against real local servers (aiohttp's own, on 127.0.0.1) ----------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
GREET = [{"custom": {"answer": "greet", "intent": "greet"}}]


@contextlib.asynccontextmanager
async def engines(*handlers: Handler) -> AsyncIterator[list[str]]:
    """One local HTTP server per handler, answering Rasa's REST path; their base URLs."""
    runners: list[web.AppRunner] = []
    try:
        for handler in handlers:
            app = web.Application()
            app.router.add_post("/webhooks/rest/webhook", handler)
            runner = web.AppRunner(app, shutdown_timeout=0.1)
            await runner.setup()
            runners.append(runner)
            await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield [f"http://127.0.0.1:{r.addresses[0][1]}" for r in runners]
    finally:
        for runner in runners:
            await runner.cleanup()


@contextlib.asynccontextmanager
async def hanging_up(calls: list[str]) -> AsyncIterator[str]:
    """A replica that accepts each connection and drops it at once (a process dying)."""

    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        calls.append("dropped")
        writer.close()

    server = await asyncio.start_server(drop, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


def refusing() -> str:
    """The address of a port nothing listens on: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def first_on(replicas: Replicas, url: str) -> str:
    """A sender whose turns go to `url` first."""
    return next(f"p{n}" for n in range(999) if replicas.for_sender(f"p{n}")[0] == url)


async def test_http_errors_and_timeouts_become_engine_unavailable() -> None:
    release = asyncio.Event()

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    async def slow(request: web.Request) -> web.Response:
        await release.wait()  # answers only after the client's deadline
        return web.json_response(GREET)

    async def nonsense(request: web.Request) -> web.Response:
        return web.Response(text="<html>not json</html>")

    async with engines(broken, slow, nonsense) as urls, engine_session() as http:
        try:
            for url, failure in zip(urls, ("HTTP 500", "TimeoutError", "not JSON"), strict=True):
                client = RasaRestClient(url, 0.3, http)
                with pytest.raises(EngineUnavailable, match=failure):
                    await client.send(UserTurn("u", "hi", "en"))
        finally:
            release.set()


async def test_the_turn_carries_sender_text_and_locale() -> None:
    seen: list[dict[str, object]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.json_response(GREET)

    async with engines(handler) as urls, engine_session() as http:
        replies = await RasaRestClient(urls[0] + "/", 1.0, http).send(UserTurn("p1", "hi", "km"))
    assert replies == (EngineAnswer("greet", "greet"),)
    assert seen == [{"sender": "p1", "message": "hi", "metadata": {"locale": "km"}}]


async def test_a_dead_or_failing_replica_passes_the_turn_to_the_next() -> None:
    calls: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        calls.append(f"answered with token {request.query.get('token')}")
        return web.json_response(GREET)

    async with hanging_up(calls) as dead, engines(answer) as urls, engine_session() as http:
        replicas = Replicas(f"{dead},{urls[0]}", token="t0k3n")
        client = RasaRestClient(replicas, 2.0, http)
        sender = first_on(replicas, dead)
        assert await client.send(UserTurn(sender, "hi", "en")) == (EngineAnswer("greet", "greet"),)
        assert calls == ["dropped", "answered with token t0k3n"]
        await client.send(UserTurn(sender, "hi again", "en"))
    assert calls[2:] == ["answered with token t0k3n"]  # the failed replica is tried last a while


async def test_a_server_error_fails_over_but_a_refused_token_does_not() -> None:
    calls: list[str] = []

    async def failing(request: web.Request) -> web.Response:
        calls.append("e1")
        return web.Response(status=500)

    async def refusing_token(request: web.Request) -> web.Response:
        calls.append("e2")
        return web.Response(status=401)

    async with engines(failing, refusing_token) as urls, engine_session() as http:
        client = RasaRestClient(Replicas(",".join(urls)), 2.0, http)
        with pytest.raises(EngineUnavailable, match="401"):
            await client.send(UserTurn(first_on(client.replicas, urls[0]), "hi", "en"))
    assert calls == ["e1", "e2"]


async def test_when_every_replica_is_down_the_caller_gets_the_floor_in_time() -> None:
    async with engine_session() as http:
        client = RasaRestClient(Replicas(",".join(refusing() for _ in range(3))), 1.0, http)
        with pytest.raises(EngineUnavailable, match="ClientConnectorError"):
            await client.send(UserTurn("p", "hi", "en"))

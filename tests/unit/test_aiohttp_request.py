"""The bot's Bot API calls on aiohttp (bot/telegram/aiohttp_request.py), against a real
local HTTP server: what PTB sends arrives as PTB sends it, and failures become the errors
PTB's retry and error handling expect (TimedOut, NetworkError)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from bot.sandbox.client import free_port
from bot.telegram.aiohttp_request import AiohttpRequest

TOKEN = "123:abc"
ME = {"id": 1, "is_bot": True, "first_name": "Test", "username": "test_bot"}


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[tuple[str, dict[str, object]]]]]:
    """A Bot API stand-in on a free port: records each call's method and form fields,
    answers sendMessage, and makes `slowMethod` wait longer than any test's timeout."""
    calls: list[tuple[str, dict[str, object]]] = []
    release = asyncio.Event()

    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields: dict[str, object] = {}
        for name, value in (await request.post()).items():
            fields[name] = (value.filename, value.file.read()) if hasattr(value, "file") else value
        calls.append((method, fields))
        if method == "slowMethod":
            await release.wait()
        result: object = (
            ME
            if method == "getMe"
            else {
                "message_id": 7,
                "date": 0,
                "chat": {"id": int(str(fields.get("chat_id", 0))), "type": "private"},
                "text": fields.get("text", ""),
            }
        )
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", api)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/bot", calls
    finally:
        release.set()
        await runner.cleanup()


async def test_a_message_and_a_file_arrive_as_ptb_sends_them(
    server: tuple[str, list[tuple[str, dict[str, object]]]],
) -> None:
    base, calls = server
    async with Bot(TOKEN, base_url=base, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(42, "สวัสดี 👋")
        await bot.send_document(42, InputFile(b"a,b\n1,2\n", filename="reach.csv"))
    assert sent.message_id == 7 and sent.text == "สวัสดี 👋"
    methods = [method for method, _ in calls]
    assert methods == ["getMe", "sendMessage", "sendDocument"]
    assert calls[1][1]["chat_id"] == "42" and calls[1][1]["text"] == "สวัสดี 👋"
    assert calls[2][1]["document"] == ("reach.csv", b"a,b\n1,2\n")


async def test_a_call_that_outlasts_its_read_timeout_is_timed_out(
    server: tuple[str, list[tuple[str, dict[str, object]]]],
) -> None:
    base, _ = server
    request = AiohttpRequest(read_timeout=0.3)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.post(f"{base}{TOKEN}/slowMethod")
    finally:
        await request.shutdown()


async def test_an_unreachable_server_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=2.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{free_port()}/bot{TOKEN}/getMe")
        assert not isinstance(raised.value, TimedOut)  # refused at once, not a timeout
    finally:
        await request.shutdown()


async def test_it_refuses_to_call_before_it_is_initialized() -> None:
    # PTB wraps what the HTTP layer raises in a NetworkError that names it
    with pytest.raises(NetworkError, match="not initialized"):
        await AiohttpRequest().post("http://127.0.0.1:1/bot1:a/getMe")

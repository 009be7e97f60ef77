"""Run the sandbox Bot API server: python -m bot.sandbox.server --port 8081 [--token T].

Bot side: {root}/bot{token}/{method}, as on api.telegram.org.
User side (for the terminal chat and the tests), JSON in and out:
  POST /sandbox/send    {"user_id", "text" | "kind", "language_code"?, "chat"?, "caption"?,
                         "thread_id"? (a forum topic of a supergroup `chat`)}
  POST /sandbox/press   {"user_id", "message_id", "data", "chat_id"? (a group's button)}
  GET  /sandbox/topics?chat_id=   the forum topics the bot created in a group
  POST /sandbox/update  a raw Update object (edited messages, channel posts, ...)
  POST /sandbox/member  {"chat_id", "user_id", "status": member|administrator|left|kicked}
                        someone joins or leaves a group (writing there joins it too)
  GET  /sandbox/members?chat_id=   who is in a group (ChatMember objects)
  GET  /sandbox/messages?chat_id=&after_id=0&count=1&wait=0  the bot's messages
  GET  /sandbox/chat?chat_id=    every message of a chat, both sides, "deleted" flagged
  GET  /sandbox/calls?method=   the Bot API calls the bot made
  POST /sandbox/faults          Telegram's 429 flood control and 403 blocked chats (limits.py)
  GET  /sandbox/received?contains=  per chat, how many bot messages contain a text
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web

from bot.sandbox import botapi, delivery, members, users
from bot.sandbox.limits import Refused
from bot.sandbox.state import SandboxState

log = logging.getLogger("sandbox")
STATE = web.AppKey("state", SandboxState)
TOKEN = web.AppKey("token", str)


def _state(request: web.Request) -> SandboxState:
    state: SandboxState = request.app[STATE]
    return state


async def bot_api(request: web.Request) -> web.Response:
    """Answer a Bot API call; the token in the path must match when one is configured."""
    token, method = request.match_info["token"], request.match_info["method"]
    expected = request.app.get(TOKEN)
    if expected and token != expected:
        refused = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return web.json_response(refused, status=401)  # as Telegram: HTTP 401 too
    raw: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            raw.update(await request.json())
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, str):
                    raw[name] = value
                else:  # an uploaded file: keep what a client could see of it
                    size = len(value.file.read())
                    raw[name] = {"file_name": value.filename, "file_size": size}
    try:
        result = await botapi.call(_state(request), method, botapi.decode(raw))
    except Refused as error:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.code)
    return web.json_response({"ok": True, "result": result})


async def control_send(request: web.Request) -> web.Response:
    """A sandbox user sends something to the bot."""
    body = await request.json()
    message = await users.send(
        _state(request),
        int(body["user_id"]),
        text=body.get("text"),
        kind=body.get("kind"),
        language_code=body.get("language_code"),
        chat=body.get("chat"),
        caption=body.get("caption"),
        thread_id=body.get("thread_id"),
    )
    return web.json_response(message)


async def control_press(request: web.Request) -> web.Response:
    """A sandbox user taps a button."""
    body = await request.json()
    update = await users.press(
        _state(request),
        int(body["user_id"]),
        int(body.get("message_id", 0)),
        str(body.get("data", "")),
        body.get("language_code"),
        body.get("chat_id"),
    )
    return web.json_response(update)


async def control_member(request: web.Request) -> web.Response:
    """Someone joins, leaves or is removed from a group (status: member, administrator,
    creator, left, kicked); the bot gets a chat_member update if it asked for them."""
    body = await request.json()
    try:
        update = await members.set_status(
            _state(request),
            int(body["chat_id"]),
            int(body["user_id"]),
            str(body.get("status", "member")),
            body.get("by"),
        )
    except (KeyError, TypeError, ValueError) as error:
        return web.json_response({"error": str(error)}, status=400)
    return web.json_response(update)


async def control_update(request: web.Request) -> web.Response:
    """Queue a raw update (for kinds the helpers above don't build)."""
    return web.json_response(await _state(request).push_update(await request.json()))


async def control_messages(request: web.Request) -> web.Response:
    """The bot's messages in a chat after a message id, waiting for `count` of them."""
    state, q = _state(request), request.query
    chat_id, after = int(q["chat_id"]), int(q.get("after_id", 0))
    count, wait = int(q.get("count", 1)), float(q.get("wait", 0))
    await state.wait_for(lambda: len(state.bot_messages(chat_id, after)) >= count, wait, chat_id)
    return web.json_response(state.bot_messages(chat_id, after))


async def control_chat(request: web.Request) -> web.Response:
    """Every message of a chat, both sides, deleted ones flagged (what the phone would show)."""
    chat_id = int(request.query["chat_id"])
    return web.json_response(_state(request).messages.get(chat_id, []))


async def control_topics(request: web.Request) -> web.Response:
    """Forum topics of a group: id, name and whether they are closed."""
    topics = _state(request).topics.get(int(request.query["chat_id"]), {})
    return web.json_response(list(topics.values()))


async def control_faults(request: web.Request) -> web.Response:
    """Switch Telegram's refusals on or off (bot/sandbox/limits.py); what they did so far."""
    limits = _state(request).limits
    if request.method == "POST":
        limits.configure(await request.json())
    counts = {"sends": limits.sends, "429": limits.refused_429, "403": limits.refused_403}
    return web.json_response(counts)


async def control_received(request: web.Request) -> web.Response:
    """How many bot messages containing `contains` each chat got (big broadcasts)."""
    needle, state = request.query.get("contains", ""), _state(request)
    found = {
        str(chat): n
        for chat in state.messages
        if (n := sum(needle in m.get("text", "") for m in state.bot_messages(chat)))
    }
    return web.json_response(found)


async def control_members(request: web.Request) -> web.Response:
    """Who is in a group now."""
    chat = members.members_of(_state(request), int(request.query["chat_id"]))
    return web.json_response(list(chat.values()))


async def control_calls(request: web.Request) -> web.Response:
    """Bot API calls made so far, optionally of one method."""
    method = request.query.get("method", "").lower()
    calls = [c for c in _state(request).calls if not method or c["method"].lower() == method]
    return web.json_response(calls)


async def _webhook_sender(app: web.Application) -> Any:
    # one connection per update: a kept-alive connection holds up the bot's webhook shutdown.
    session = ClientSession(
        timeout=ClientTimeout(total=30), connector=TCPConnector(force_close=True)
    )

    async def post(url: str, update: Any, headers: dict[str, str]) -> int:
        async with session.post(url, json=update, headers=headers) as response:
            return int(response.status)

    task = asyncio.create_task(delivery.deliver_webhook(app[STATE], post))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await session.close()


def make_app(token: str | None = None) -> web.Application:
    """The sandbox server's aiohttp application."""
    app = web.Application()
    app[STATE] = SandboxState()
    if token:
        app[TOKEN] = token
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_post("/sandbox/send", control_send)
    app.router.add_post("/sandbox/press", control_press)
    app.router.add_post("/sandbox/update", control_update)
    app.router.add_post("/sandbox/member", control_member)
    app.router.add_get("/sandbox/messages", control_messages)
    app.router.add_get("/sandbox/chat", control_chat)
    app.router.add_get("/sandbox/calls", control_calls)
    app.router.add_get("/sandbox/topics", control_topics)
    app.router.add_route("*", "/sandbox/faults", control_faults)
    app.router.add_get("/sandbox/received", control_received)
    app.router.add_get("/sandbox/members", control_members)
    app.cleanup_ctx.append(_webhook_sender)
    return app


def main() -> None:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # short shutdown: idle keep-alive connections would otherwise hold SIGTERM for 60 s.
    web.run_app(
        make_app(args.token), host=args.host, port=args.port, print=None, shutdown_timeout=1
    )


if __name__ == "__main__":
    main()

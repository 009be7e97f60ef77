"""The Bot API methods a bot calls, answered the way Telegram answers them."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox import members
from bot.sandbox.limits import Refused
from bot.sandbox.state import BOT_USER, SandboxState

Params = dict[str, Any]
Method = Callable[[SandboxState, Params], Awaitable[Any]]
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "entities", "message_ids"}


class ApiError(Refused):
    """A Bot API error: the bot receives ok=false with this code and description."""


def decode(raw: dict[str, Any]) -> Params:
    """Bot libraries send JSON values as strings in form fields; decode those."""
    params: Params = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in JSON_FIELDS:
            try:
                value = json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {key} JSON object") from None
        params[key] = value
    return params


def _int(params: Params, key: str, default: int | None = None) -> int:
    value = params.get(key, default)
    if value is None:
        raise ApiError(400, f"Bad Request: {key} is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {key}") from None


async def get_me(state: SandboxState, params: Params) -> Any:
    return BOT_USER


async def get_updates(state: SandboxState, params: Params) -> Any:
    """Long polling with Telegram's semantics: an update stays queued until a later call's
    offset is above its id, so a bot that dies before confirming gets it again; a newer
    call ends the one still waiting with 409 (two bot instances polling at once)."""
    offset = _int(params, "offset", 0)
    limit = min(max(_int(params, "limit", 100), 1), 100)
    timeout = min(max(_int(params, "timeout", 0), 0), 50)
    if state.webhook.get("url"):
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
    await state.confirm(offset)
    _remember_allowed(state, params)
    poll = await state.new_poll()
    await state.wait_for(lambda: bool(state.updates) or state.polls != poll, timeout)
    if state.polls != poll:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        )
    return state.updates[:limit]


def _remember_allowed(state: SandboxState, params: Params) -> None:
    """allowed_updates, when given, replaces the previous choice (Telegram keeps it)."""
    allowed = params.get("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed]


async def set_webhook(state: SandboxState, params: Params) -> Any:
    _remember_allowed(state, params)
    connections = min(max(_int(params, "max_connections", 40), 1), 100)
    state.webhook = {
        "url": params.get("url", ""),
        "secret": params.get("secret_token"),
        "max_connections": connections,
    }
    if str(params.get("drop_pending_updates", "")).lower() == "true":
        state.updates.clear()
    async with state.changed:
        state.changed.notify_all()
    return True


async def delete_webhook(state: SandboxState, params: Params) -> Any:
    state.webhook = {}
    if str(params.get("drop_pending_updates", "")).lower() == "true":
        state.updates.clear()
    return True


async def get_webhook_info(state: SandboxState, params: Params) -> Any:
    return {
        "url": state.webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }


async def send_message(state: SandboxState, params: Params) -> Any:
    chat_id = _int(params, "chat_id")
    text = str(params.get("text") or params.get("caption") or "")
    if not text and params.get("_kind") is None:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(text) > 4096:
        raise ApiError(400, "Bad Request: message is too long")
    message: dict[str, Any] = {
        "message_id": state.new_message_id(),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": BOT_USER,
        "text": text,
    }
    markup = params.get("reply_markup")
    if markup:
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(str(button.get("callback_data", "")).encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        message["reply_markup"] = markup
    if params.get("message_thread_id"):
        thread = _int(params, "message_thread_id")
        if state.topics.get(chat_id, {}).get(thread, {}).get("closed"):
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        message["message_thread_id"] = thread
        message["is_topic_message"] = True
    await state.store_message(chat_id, message)
    return message


def _find(state: SandboxState, params: Params) -> dict[str, Any]:
    chat_id, message_id = _int(params, "chat_id"), _int(params, "message_id")
    for message in state.messages.get(chat_id, []):
        if message["message_id"] == message_id and not message.get("deleted"):
            return message
    raise ApiError(400, "Bad Request: message to edit not found")


async def send_document(state: SandboxState, params: Params) -> Any:
    """A file sent as a document (reports): its name and size are kept, not its bytes."""
    document = params.get("document")
    if not isinstance(document, dict):
        raise ApiError(400, "Bad Request: there is no document in the request")
    message = await send_message(state, {**params, "_kind": "document"})
    number = message["message_id"]
    message["document"] = {"file_id": f"doc{number}", "file_unique_id": f"u{number}", **document}
    message["caption"] = str(params.get("caption") or "")
    return message


async def edit_message_text(state: SandboxState, params: Params) -> Any:
    message = _find(state, params)
    message["text"] = str(params.get("text", ""))
    _set_markup(message, params)
    async with state.changed:
        state.changed.notify_all()
    return message


async def edit_message_reply_markup(state: SandboxState, params: Params) -> Any:
    message = _find(state, params)
    _set_markup(message, params)
    return message


def _set_markup(message: dict[str, Any], params: Params) -> None:
    """New buttons, or none: Telegram leaves reply_markup out of a message without them."""
    markup = params.get("reply_markup")
    if markup and markup.get("inline_keyboard"):
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


async def delete_message(state: SandboxState, params: Params) -> Any:
    try:
        message = _find(state, params)
    except ApiError:
        raise ApiError(400, "Bad Request: message to delete not found") from None
    if time.time() - message["date"] > 48 * 3600:
        raise ApiError(400, "Bad Request: message can't be deleted")
    message["deleted"] = True
    return True


async def delete_messages(state: SandboxState, params: Params) -> Any:
    """Like Telegram: up to 100 ids; ones not found are skipped; too old ones fail the call."""
    chat_id, ids = _int(params, "chat_id"), params.get("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise ApiError(400, "Bad Request: message_ids must be a list of 1-100 ids")
    wanted = {int(i) for i in ids}
    found = [
        m
        for m in state.messages.get(chat_id, [])
        if m["message_id"] in wanted and not m.get("deleted")
    ]
    if any(time.time() - m["date"] > 48 * 3600 for m in found):
        raise ApiError(400, "Bad Request: message can't be deleted")
    for message in found:
        message["deleted"] = True
    return True


async def ok(state: SandboxState, params: Params) -> Any:
    return True


async def set_my_commands(state: SandboxState, params: Params) -> Any:
    if not isinstance(params.get("commands"), list):
        raise ApiError(400, "Bad Request: commands must be an array")
    return True


async def get_my_commands(state: SandboxState, params: Params) -> Any:
    language = params.get("language_code", "")
    for call in reversed(state.calls):
        if (
            call["method"] == "setMyCommands"
            and call["params"].get("language_code", "") == language
        ):
            return call["params"]["commands"]
    return []


# media keys a copy carries over (copyMessage copies the content, never the sender).
COPIED_KEYS = (
    "text",
    "caption",
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "document",
    "sticker",
    "animation",
    "location",
    "contact",
)


async def create_forum_topic(state: SandboxState, params: Params) -> Any:
    """A new topic in a forum supergroup; its id is the thread id of its messages."""
    chat_id = _int(params, "chat_id")
    name = str(params.get("name") or "")
    if chat_id > 0 or not 1 <= len(name) <= 128:
        raise ApiError(400, "Bad Request: can't create a topic here")
    thread_id = state.new_message_id()
    topic = {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}
    state.topics.setdefault(chat_id, {})[thread_id] = {**topic, "closed": False}
    return topic


def _topic(state: SandboxState, params: Params) -> dict[str, Any]:
    chat_id, thread_id = _int(params, "chat_id"), _int(params, "message_thread_id")
    topic = state.topics.get(chat_id, {}).get(thread_id)
    if topic is None:
        raise ApiError(400, "Bad Request: message thread not found")
    return topic


async def edit_forum_topic(state: SandboxState, params: Params) -> Any:
    topic = _topic(state, params)
    if params.get("name"):
        topic["name"] = str(params["name"])
    return True


async def close_forum_topic(state: SandboxState, params: Params) -> Any:
    _topic(state, params)["closed"] = True
    async with state.changed:
        state.changed.notify_all()
    return True


async def reopen_forum_topic(state: SandboxState, params: Params) -> Any:
    _topic(state, params)["closed"] = False
    return True


async def copy_message(state: SandboxState, params: Params) -> Any:
    """Copy any message into another chat (or topic) as the bot's own: no "forwarded from"."""
    source = {"chat_id": params.get("from_chat_id"), "message_id": params.get("message_id")}
    original = _find(state, source)
    chat_id = _int(params, "chat_id")
    copy: dict[str, Any] = {
        "message_id": state.new_message_id(),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": BOT_USER,
        **{key: original[key] for key in COPIED_KEYS if key in original},
    }
    if params.get("message_thread_id"):
        thread = _int(params, "message_thread_id")
        if state.topics.get(chat_id, {}).get(thread, {}).get("closed"):
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        copy["message_thread_id"] = thread
        copy["is_topic_message"] = True
    await state.store_message(chat_id, copy)
    return {"message_id": copy["message_id"]}


def _group(params: Params) -> int:
    chat_id = _int(params, "chat_id")
    if chat_id > 0:
        raise ApiError(400, "Bad Request: chat not found")  # a private chat has no members
    return chat_id


async def get_chat_member(state: SandboxState, params: Params) -> Any:
    return members.member(state, _group(params), _int(params, "user_id"))


async def get_chat_member_count(state: SandboxState, params: Params) -> Any:
    return members.count(state, _group(params))


async def get_chat_administrators(state: SandboxState, params: Params) -> Any:
    return members.administrators(state, _group(params))


METHODS: dict[str, Method] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "sendmessage": send_message,
    "senddocument": send_document,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "deletemessages": delete_messages,
    "sendchataction": ok,
    "answercallbackquery": ok,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": ok,
    "createforumtopic": create_forum_topic,
    "editforumtopic": edit_forum_topic,
    "closeforumtopic": close_forum_topic,
    "reopenforumtopic": reopen_forum_topic,
    "copymessage": copy_message,
    "getchatmember": get_chat_member,
    "getchatmembercount": get_chat_member_count,
    "getchatadministrators": get_chat_administrators,
    "close": ok,
    "logout": ok,
}


async def call(state: SandboxState, method: str, params: Params) -> Any:
    """Run one Bot API method (names are case-insensitive, as on Telegram)."""
    handler = METHODS.get(method.lower())
    if handler is None:
        raise ApiError(404, "Not Found: method not found")
    state.calls.append({"method": method, "params": params, "at": time.time()})
    state.limits.check(method, params)  # flood control and blocked chats (limits.py)
    return await handler(state, params)

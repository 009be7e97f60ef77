"""The dialogue engine seen from the bot: Rasa's REST channel, parsed once, here."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

from bot.core.types import BotReply, Button, UserTurn

log = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine did not answer usefully in time; the caller falls back."""


class DialogueClient(Protocol):
    """Anything that turns a user turn into the engine's replies."""

    async def send(self, turn: UserTurn) -> list[BotReply]:
        """Send one turn and return the replies in order."""
        ...


def parse_rasa_messages(payload: Any) -> list[BotReply]:
    """Turn Rasa REST output into replies; text and button titles are catalog msgids.

    A response may be plain (`text`, `buttons`) or custom (`custom: {msgid, params,
    buttons, keyboard}`); anything else is rejected as nonsense from the engine.
    """
    if not isinstance(payload, list):
        raise EngineUnavailable("engine returned a non-list")
    replies: list[BotReply] = []
    for message in payload:
        if not isinstance(message, dict):
            raise EngineUnavailable("engine returned a non-object message")
        custom: dict[str, Any] = (
            message["custom"] if isinstance(message.get("custom"), dict) else {}
        )
        msgid = custom.get("msgid") or message.get("text")
        if not isinstance(msgid, str) or not msgid.strip():
            continue
        raw_buttons = custom.get("buttons") or message.get("buttons") or []
        buttons = tuple(
            Button(label=str(b.get("title") or b.get("msgid")), data=str(b["payload"]))
            for b in raw_buttons
            if isinstance(b, dict) and b.get("payload") and (b.get("title") or b.get("msgid"))
        )
        params: dict[str, Any] = custom["params"] if isinstance(custom.get("params"), dict) else {}
        replies.append(
            BotReply(
                msgid=msgid,
                params={str(k): str(v) for k, v in params.items()},
                buttons=buttons,
            )
        )
    return replies


class RasaRestClient:
    """Talks to Rasa's REST webhook; every failure becomes EngineUnavailable."""

    def __init__(self, base_url: str, timeout: float, client: httpx.AsyncClient) -> None:
        self._url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = timeout
        self._client = client

    async def send(self, turn: UserTurn) -> list[BotReply]:
        """Send one turn with its locale as metadata; raise EngineUnavailable on any failure."""
        body = {"sender": turn.sender, "message": turn.text, "metadata": {"locale": turn.locale}}
        try:
            response = await self._client.post(self._url, json=body, timeout=self._timeout)
            response.raise_for_status()
            return parse_rasa_messages(response.json())
        except (httpx.HTTPError, ValueError) as error:
            log.warning("engine unavailable: %s", type(error).__name__)
            raise EngineUnavailable(type(error).__name__) from error

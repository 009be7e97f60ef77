"""The dialogue engine seen from the bot: Rasa's REST channel, parsed once, here."""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

from bot.core.answers import NAME, EngineAnswer
from bot.core.types import UserTurn

log = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine did not answer usefully in time; the caller falls back."""


class DialogueClient(Protocol):
    """Anything that turns a user turn into the engine's named answers."""

    async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
        """Send one turn and return the answers in order."""
        ...


def parse_rasa_messages(payload: Any) -> tuple[EngineAnswer, ...]:
    """The answers the engine named in its REST output: `custom: {answer, intent}` each.

    A message that names no answer is dropped (the bot never shows engine text); a
    payload that is not a list of objects is nonsense from the engine.
    """
    if not isinstance(payload, list):
        raise EngineUnavailable("engine returned a non-list")
    answers: list[EngineAnswer] = []
    for message in payload:
        if not isinstance(message, dict):
            raise EngineUnavailable("engine returned a non-object message")
        custom = message.get("custom")
        name = custom.get("answer") if isinstance(custom, dict) else None
        if not isinstance(name, str) or not NAME.match(name):
            log.warning("engine message without an answer name dropped")
            continue
        intent = custom.get("intent") if isinstance(custom, dict) else None
        answers.append(EngineAnswer(name, intent if isinstance(intent, str) else ""))
    return tuple(answers)


class RasaRestClient:
    """Talks to Rasa's REST webhook; every failure becomes EngineUnavailable."""

    def __init__(self, base_url: str, timeout: float, client: httpx.AsyncClient) -> None:
        self._url = f"{base_url.rstrip('/')}/webhooks/rest/webhook"
        self._timeout = timeout
        self._client = client

    async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
        """Send one turn with its locale as metadata; raise EngineUnavailable on any failure."""
        body = {"sender": turn.sender, "message": turn.text, "metadata": {"locale": turn.locale}}
        try:
            response = await self._client.post(self._url, json=body, timeout=self._timeout)
            response.raise_for_status()
            return parse_rasa_messages(response.json())
        except (httpx.HTTPError, ValueError) as error:
            log.warning("engine unavailable: %s", type(error).__name__)
            raise EngineUnavailable(type(error).__name__) from error

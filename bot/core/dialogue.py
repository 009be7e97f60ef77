"""The dialogue engine seen from the bot: its replicas, Rasa's REST channel, parsed once, here."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import aiohttp

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


class Replicas:
    """The engine replicas (RASA_URL, comma-separated) and the token their API asks for.

    Each person has a stable replica: rendezvous hashing of the pseudonym orders the
    replicas per person, so adding or removing one moves only its own share of people,
    and the people of a replica that is down spread over the others, each to the same
    next one every time. A replica that failed is tried last for DOWN_FOR seconds.
    """

    DOWN_FOR = 2.0

    def __init__(
        self,
        urls: str | Sequence[str],
        token: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urls.split(",") if isinstance(urls, str) else list(urls)
        self.urls = tuple(u.strip().rstrip("/") for u in parts if u.strip())
        if not self.urls:
            raise ValueError("no engine URL")
        self.params = {"token": token} if token else {}
        self._clock = clock
        self._down_until: dict[str, float] = {}

    def for_sender(self, sender: str) -> list[str]:
        """The replicas to try for this person, in order: theirs first, then the next."""

        def weight(url: str) -> bytes:
            return hashlib.sha256(f"{url}\n{sender}".encode()).digest()

        ranked = sorted(self.urls, key=weight, reverse=True)
        now = self._clock()
        return sorted(ranked, key=lambda url: self._down_until.get(url, 0.0) > now)

    def failed(self, url: str) -> None:
        """Try this replica last for a while."""
        self._down_until[url] = self._clock() + self.DOWN_FOR

    def answered(self, url: str) -> None:
        """The replica works again."""
        self._down_until.pop(url, None)


def engine_session() -> aiohttp.ClientSession:
    """The bot's connections to its engines (open it inside the running loop).

    aiohttp, as for the Bot API calls (bot/telegram/aiohttp_request.py): a turn's call
    cost the bot's event loop 2.5 ms of CPU with httpx and 0.23 ms with aiohttp, 20 calls
    in flight against a local server (3,000 calls each, same run); at 30 turns a second
    that is 7.7% of a core against 0.7%. No proxy from the environment (the engines are
    ours, on the private network) and no cookies (Rasa sets none)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())


# a replica that refused, dropped or reset the connection, did not accept it within
# CONNECT_TIMEOUT, or cut its answer short: the next replica gets the turn
ReplicaDown = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)
# any failed call to an engine: the above, a refusal, a spent deadline
CallFailed = (aiohttp.ClientError, asyncio.TimeoutError)


class RasaRestClient:
    """Talks to the engine's REST channel; every failure becomes EngineUnavailable.

    A turn goes to the person's replica; when it refuses the connection, drops it or
    answers with a server error, the next replica gets the turn, all within one deadline.
    """

    CONNECT_TIMEOUT = 1.0  # seconds: a replica that does not accept in this time is down

    def __init__(
        self,
        replicas: Replicas | str,
        timeout: float,
        client: aiohttp.ClientSession,
        token: str = "",
    ) -> None:
        self.replicas = replicas if isinstance(replicas, Replicas) else Replicas(replicas, token)
        self._timeout = timeout
        self._client = client

    async def send(self, turn: UserTurn) -> tuple[EngineAnswer, ...]:
        """Send one turn with its locale as metadata; raise EngineUnavailable on any failure."""
        body = {"sender": turn.sender, "message": turn.text, "metadata": {"locale": turn.locale}}
        deadline = time.monotonic() + self._timeout
        failure = "no replica"
        for url in self.replicas.for_sender(turn.sender):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            # sock_connect bounds the connecting alone (not a wait for a pooled
            # connection): only a replica that does not accept in time counts as down
            timeout = aiohttp.ClientTimeout(
                total=left, sock_connect=min(left, self.CONNECT_TIMEOUT)
            )
            try:
                async with self._client.post(
                    f"{url}/webhooks/rest/webhook",
                    params=self.replicas.params,
                    json=body,
                    timeout=timeout,
                ) as response:
                    status, payload = response.status, await response.read()
            except ReplicaDown as error:
                failure = type(error).__name__  # refused, killed, reset: the next replica
            except CallFailed as error:  # the deadline is spent waiting for this one
                self.replicas.failed(url)
                log.warning("engine unavailable: %s", type(error).__name__)
                raise EngineUnavailable(type(error).__name__) from error
            else:
                if status < 500:
                    return self._answers(url, status, payload)
                failure = f"HTTP {status}"
            self.replicas.failed(url)
            log.warning("engine replica %d failed (%s)", self.replicas.urls.index(url), failure)
        raise EngineUnavailable(failure)

    def _answers(self, url: str, status: int, payload: bytes) -> tuple[EngineAnswer, ...]:
        """The answers of a replica's response; a refusal (4xx) or nonsense is no answer."""
        if status != 200:
            log.error("engine refused the turn: HTTP %d (RASA_AUTH_TOKEN?)", status)
            raise EngineUnavailable(f"HTTP {status}")
        try:
            answers = parse_rasa_messages(json.loads(payload))
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise EngineUnavailable("not JSON") from error
        self.replicas.answered(url)
        return answers

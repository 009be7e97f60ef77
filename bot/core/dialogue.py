"""The dialogue engine seen from the bot: its replicas, Rasa's REST channel, parsed once, here."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
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
        client: httpx.AsyncClient,
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
            try:
                response = await self._client.post(
                    f"{url}/webhooks/rest/webhook",
                    params=self.replicas.params,
                    json=body,
                    timeout=httpx.Timeout(left, connect=min(left, self.CONNECT_TIMEOUT)),
                )
            except (
                httpx.ConnectTimeout,
                httpx.ConnectError,
                httpx.RemoteProtocolError,
                httpx.ReadError,
                httpx.WriteError,
            ) as error:
                failure = type(error).__name__  # refused, killed, reset: the next replica
            except httpx.HTTPError as error:  # the deadline is spent waiting for this one
                self.replicas.failed(url)
                log.warning("engine unavailable: %s", type(error).__name__)
                raise EngineUnavailable(type(error).__name__) from error
            else:
                if response.status_code < 500:
                    return self._answers(url, response)
                failure = f"HTTP {response.status_code}"
            self.replicas.failed(url)
            log.warning("engine replica %d failed (%s)", self.replicas.urls.index(url), failure)
        raise EngineUnavailable(failure)

    def _answers(self, url: str, response: httpx.Response) -> tuple[EngineAnswer, ...]:
        """The answers of a replica's response; a refusal (4xx) or nonsense is no answer."""
        if response.status_code != 200:
            log.error("engine refused the turn: HTTP %d (RASA_AUTH_TOKEN?)", response.status_code)
            raise EngineUnavailable(f"HTTP {response.status_code}")
        try:
            answers = parse_rasa_messages(response.json())
        except ValueError as error:
            raise EngineUnavailable("not JSON") from error
        self.replicas.answered(url)
        return answers

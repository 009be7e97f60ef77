"""The engine's REST channel for the bot: Rasa's, behind a token, failing loudly.

Rasa's `--auth-token` protects its HTTP API but not the channels' webhooks, so anyone who
reaches the engine could talk to it in anybody's name. This channel asks for the same
token (`?token=`, RASA_AUTH_TOKEN) and refuses every call without it; with no token
configured it refuses everything, so a forgotten setting never opens it.

Rasa's own REST channel answers 200 with whatever it had collected when a turn fails
(a database or lock error mid-turn) and logs the user's text. This one answers 500, so
the bot tries the next replica or sends the safety floor, and logs only the error type.

credentials.yml: `bot.engine.channel.TokenRestInput:` (its URL stays /webhooks/rest/webhook).
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)
TOKEN_ENV = "RASA_AUTH_TOKEN"


def token_matches(request: Request, expected: str) -> bool:
    """True when the request carries the expected token (compared in constant time)."""
    given = request.args.get("token") or ""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


class TokenRestInput(RestInput):  # type: ignore[misc]
    """POST /webhooks/rest/webhook?token=...: one turn, the answers as Rasa's REST list."""

    @classmethod
    def name(cls) -> str:
        """The channel's URL segment, as Rasa's REST channel."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TokenRestInput:
        """The token comes from the environment, never from a file in the repository."""
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook and its health check, both behind the token."""
        hook = Blueprint("token_rest", __name__)
        expected = os.environ.get(TOKEN_ENV, "")
        if not expected:
            log.error("%s is not set: the REST channel refuses every call", TOKEN_ENV)

        async def health(request: Request) -> HTTPResponse:
            if not token_matches(request, expected):
                return response.json({"error": "token required"}, status=401)
            return response.json({"status": "ok"})

        async def receive(request: Request) -> HTTPResponse:
            if not token_matches(request, expected):
                return response.json({"error": "token required"}, status=401)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():  # still loading: another replica may not be
                return response.json({"error": "not ready"}, status=503)
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender or not isinstance(text, str):
                return response.json({"error": "sender and message required"}, status=400)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                sender,
                input_channel=self.name(),
                metadata=self.get_metadata(request),
            )
            try:
                await on_new_message(message)
            except Exception as error:  # the bot fails over; the words stay out of the log
                log.error("turn failed: %s", type(error).__name__)
                return response.json({"error": "turn failed"}, status=500)
            return response.json(collector.messages)

        hook.add_route(health, "/", methods=["GET"])
        hook.add_route(receive, "/webhook", methods=["POST"])
        return hook

"""With TELEGRAM_WEBHOOK_URL set, the bot registers its webhook and answers pushed updates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox.client import SandboxClient, free_port, start, stop, wait_until
from tests.e2e.conftest import bot_env
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def webhook_bot(sandbox: SandboxClient, logs: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = bot_env(
        sandbox,
        logs,
        TELEGRAM_WEBHOOK_URL=url,
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
        TELEGRAM_WEBHOOK_SECRET="hook-secret",
    )
    process = start("bot", [], env, logs / "webhook-bot.log")
    wait_until(lambda: bool(sandbox.calls("setWebhook")), 60, "setWebhook")
    yield url
    stop(process)


def test_webhook_is_registered_and_updates_are_answered(
    sandbox: SandboxClient, webhook_bot: str
) -> None:
    [registration] = sandbox.calls("setWebhook")
    assert registration["params"]["url"] == webhook_bot
    assert registration["params"]["secret_token"] == "hook-secret"
    assert not sandbox.calls("getUpdates")
    sent = sandbox.send(7000, "ສະບາຍດີ")
    reply, *_ = sandbox.replies(7000, sent["message_id"], wait=30)
    assert script_of(reply["text"]) == "lo"
    assert "191" in reply["text"]  # no engine in this test: the safety floor answers

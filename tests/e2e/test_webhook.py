"""With TELEGRAM_WEBHOOK_URL set, the bot registers its webhook and answers pushed updates;
it needs TELEGRAM_WEBHOOK_SECRET, listens on loopback only by default (a TLS proxy is in
front), and refuses any request that lacks the secret (issue #13.2)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.sandbox.client import SandboxClient, free_port, start, stop, wait_until
from tests.e2e.conftest import bot_env, run_to_exit
from tests.e2e.scripts import script_of

pytestmark = pytest.mark.e2e
SECRET = "hook-secret-2f9c61d0a8b4"


@pytest.fixture(scope="module")
def webhook_bot(sandbox: SandboxClient, logs: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = bot_env(
        sandbox,
        logs,
        TELEGRAM_WEBHOOK_URL=url,
        TELEGRAM_WEBHOOK_PORT=str(port),
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )  # no TELEGRAM_WEBHOOK_LISTEN: the default is tested
    process = start("bot", [], env, logs / "webhook-bot.log")
    wait_until(lambda: bool(sandbox.calls("setWebhook")), 60, "setWebhook")
    yield url
    stop(process)


def test_webhook_is_registered_and_updates_are_answered(
    sandbox: SandboxClient, webhook_bot: str
) -> None:
    [registration] = sandbox.calls("setWebhook")
    assert registration["params"]["url"] == webhook_bot
    assert registration["params"]["secret_token"] == SECRET
    assert not sandbox.calls("getUpdates")
    sent = sandbox.send(7000, "ສະບາຍດີ")
    reply, *_ = sandbox.replies(7000, sent["message_id"], wait=30)
    assert script_of(reply["text"]) == "lo"
    assert "191" in reply["text"]  # no engine in this test: the safety floor answers


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_listener_is_on_loopback_only(webhook_bot: str) -> None:
    port = int(webhook_bot.rsplit(":", 1)[1].split("/")[0])
    assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, not 0.0.0.0 or ::


def test_a_forged_update_without_the_secret_is_refused(
    sandbox: SandboxClient, webhook_bot: str
) -> None:
    victim = 7001
    forged = {
        "update_id": 990001,
        "message": {
            "message_id": 990001,
            "date": int(time.time()),
            "chat": {"id": victim, "type": "private"},
            "from": {"id": victim, "is_bot": False, "first_name": "Forged"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed-secret-123456"}):
        answer = httpx.post(webhook_bot, json=forged, headers=headers, timeout=10)
        assert answer.status_code == 403
    # the same person's real message is answered, and is the only thing the bot sent them
    real = sandbox.send(victim, "hello")
    sandbox.replies(victim, real["message_id"], wait=30)
    assert all(m["message_id"] > real["message_id"] for m in sandbox.replies(victim, 0, wait=0))


def test_a_webhook_without_a_secret_refuses_to_start(sandbox: SandboxClient, logs: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/telegram"
    env = bot_env(sandbox, logs, TELEGRAM_WEBHOOK_URL=url)
    log = logs / "no-secret.log"
    assert run_to_exit(env, log, drop=("TELEGRAM_WEBHOOK_SECRET",)) == 2
    [line] = log.read_text().strip().splitlines()
    assert line.startswith("error: TELEGRAM_WEBHOOK_SECRET is required")
    assert not sandbox.calls("setWebhook") or all(
        c["params"]["url"] != url for c in sandbox.calls("setWebhook")
    )

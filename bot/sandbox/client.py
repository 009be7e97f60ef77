"""Drive the sandbox from Python: start processes, act as users, read the bot's replies.

Used by the end-to-end tests and `make bench`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bot.settings import PROJECT_DIR

# the stacks this process starts share one random PSEUDONYM_KEY, so tests can name pseudonyms
STACK_KEY = secrets.token_hex(32)
# every process start() made, so that none outlives the run that started it (see leftovers)
_STARTED: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    """Poll predicate until true; raise TimeoutError naming what we waited for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def start(module: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start `python -m module args` from the project folder, logging to a file."""
    with log.open("w") as handle:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=PROJECT_DIR,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _STARTED.append(process)
    return process


def stop_leftovers() -> list[str]:
    """Kill (with their process groups) the processes start() made that still run; their
    command lines. Tests stop what they start; this is the net under a forgotten stop()."""
    left = []
    for process in _STARTED:
        if process.poll() is None:
            left.append(str(process.args))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    _STARTED.clear()
    return left


class SandboxClient:
    """Acts as Telegram users against a sandbox server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=60)

    def ready(self) -> bool:
        """True once the server answers."""
        return self.http.get("/sandbox/calls").status_code == 200

    def calls(self, method: str = "") -> list[dict[str, Any]]:
        """Bot API calls the bot made."""
        result: list[dict[str, Any]] = self.http.get(
            "/sandbox/calls", params={"method": method}
        ).json()
        return result

    def bot_polling(self) -> bool:
        """True once the bot has started long polling (its first getUpdates)."""
        return bool(self.calls("getUpdates"))

    def chat(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message of a chat, both sides; deleted ones carry "deleted": true."""
        found: list[dict[str, Any]] = self.http.get(
            "/sandbox/chat", params={"chat_id": chat_id}
        ).json()
        return found

    def send(self, user_id: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
        """The user sends text (or kind=..., language_code=..., chat=..., caption=...)."""
        body = {"user_id": user_id, "text": text, **extra}
        message: dict[str, Any] = self.http.post("/sandbox/send", json=body).json()
        return message

    def press(self, user_id: int, message_id: int, data: str, chat_id: int | None = None) -> None:
        """The user taps a button under one of the bot's messages (in a group with chat_id)."""
        body = {"user_id": user_id, "message_id": message_id, "data": data, "chat_id": chat_id}
        self.http.post("/sandbox/press", json=body).raise_for_status()

    def topics(self, chat_id: int) -> list[dict[str, Any]]:
        """Forum topics the bot created in a group."""
        found: list[dict[str, Any]] = self.http.get(
            "/sandbox/topics", params={"chat_id": chat_id}
        ).json()
        return found

    def member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Someone joins (member, administrator) or leaves (left, kicked) a group."""
        body = {"chat_id": chat_id, "user_id": user_id, "status": status}
        self.http.post("/sandbox/member", json=body).raise_for_status()

    def members(self, chat_id: int) -> list[dict[str, Any]]:
        """Who is in a group now (ChatMember objects)."""
        found: list[dict[str, Any]] = self.http.get(
            "/sandbox/members", params={"chat_id": chat_id}
        ).json()
        return found

    def update(self, update: dict[str, Any]) -> None:
        """Queue a raw update."""
        self.http.post("/sandbox/update", json=update).raise_for_status()

    def replies(
        self, chat_id: int, after_id: int, count: int = 1, wait: float = 20
    ) -> list[dict[str, Any]]:
        """The bot's messages in a chat after a message id, waiting for `count` of them."""
        params = {"chat_id": chat_id, "after_id": after_id, "count": count, "wait": wait}
        found: list[dict[str, Any]] = self.http.get("/sandbox/messages", params=params).json()
        return found

    def ask(self, user_id: int, text: str, count: int = 1, **extra: Any) -> list[dict[str, Any]]:
        """Send text and wait for `count` replies."""
        sent = self.send(user_id, text, **extra)
        return self.replies(user_id, sent["message_id"], count)


def start_stack(
    logs: Path, extra_env: dict[str, str] | None = None, replicas: int = 1, scaled: bool = False
) -> tuple[subprocess.Popen[bytes], SandboxClient, dict[str, str]]:
    """Start `python -m bot.stack` in sandbox mode on free ports; wait until all is ready.

    extra_env adds settings (e.g. OPERATOR_CHAT_ID for the hand-off tests); replicas
    engine processes share the conversations (RASA_URL lists them); scaled starts Redis
    and PostgreSQL for them (`--scaled`: the stack's own database instead of SQLite)."""
    sandbox_port, actions_port = free_port(), free_port()
    engines = ",".join(f"http://127.0.0.1:{free_port()}" for _ in range(replicas))
    env = {
        "TELEGRAM_BOT_TOKEN": "",
        "SANDBOX_PORT": str(sandbox_port),
        "RASA_URL": engines,
        "RASA_AUTH_TOKEN": secrets.token_urlsafe(24),
        "ACTION_SERVER_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "ENGINE_REPLICAS": str(replicas),
        **({} if scaled else {"DATABASE_URL": f"sqlite:///{logs / 'bot.sqlite3'}"}),
        "PSEUDONYM_KEY": STACK_KEY,
        **(extra_env or {}),
    }
    scale = ["--scaled", "--fresh-database"] if scaled else []
    process = start("bot.stack", scale, env, logs / "stack.log")
    client = SandboxClient(f"http://127.0.0.1:{sandbox_port}")
    for url in engines.split(","):
        wait_until(lambda u=url: httpx.get(u).status_code == 200, 300, f"the engine at {url}")
    wait_until(client.bot_polling, 60, "the bot's first getUpdates")
    wait_until(
        lambda: httpx.get(f"http://127.0.0.1:{actions_port}/health").status_code == 200,
        60,
        "the action server",
    )
    return process, client, env


def stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM the process group and wait; kill it if it hangs."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return int(process.returncode)

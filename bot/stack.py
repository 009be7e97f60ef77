"""python -m bot.stack: start the whole stack in the foreground (what `make run` calls).

Children: the Rasa engine (HTTP API on RASA_URL), the action server (ACTION_SERVER_URL),
the Telegram bot, and, without TELEGRAM_BOT_TOKEN, the sandbox Bot API server plus a
terminal chat. Ctrl-C or SIGTERM stops every child. The engine and the action server are
restarted if they crash; the bot answers with the safety floor meanwhile.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.engine.fingerprint import model_path
from bot.settings import DATA_DIR, PROJECT_DIR, SANDBOX_TOKEN, SettingsError, load_settings

VENV_BIN = PROJECT_DIR / ".venv" / "bin"
LOG_DIR = DATA_DIR / "logs"
MAX_RESTARTS = 5


def _exe(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: list[str]
    restart: bool
    own_session: bool = True  # False only for the terminal chat, which reads the tty
    process: subprocess.Popen[bytes] | None = None
    restarts: int = field(default=0)

    def start(self, env: dict[str, str], log_dir: Path | None = None) -> None:
        """Start (or restart) the process; with log_dir, its output goes to a file there."""
        output = None
        if log_dir is not None and self.own_session:
            log_dir.mkdir(parents=True, exist_ok=True)
            output = (log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=PROJECT_DIR,
            env=env,
            start_new_session=self.own_session,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )

    def stop(self) -> None:
        """Ask the process (and its group) to stop."""
        if self.process and self.process.poll() is None:
            try:
                if self.own_session:
                    os.killpg(self.process.pid, signal.SIGTERM)
                else:
                    self.process.terminate()
            except ProcessLookupError:
                pass


def _engine_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def plan(env: dict[str, str], sandbox: bool, interactive: bool) -> list[Child]:
    """The processes to run, in start order."""
    settings = load_settings(require_token=not sandbox)
    rasa_port = str(urlparse(settings.rasa_url).port or 5005)
    action_port = str(urlparse(settings.action_server_url).port or 5055)
    py = _exe("python")
    children = [
        Child(
            "actions",
            [_exe("rasa"), "run", "actions", "--actions", "bot.actions", "--port", action_port],
            restart=True,
        ),
        Child(
            "engine",
            [
                _exe("rasa"),
                "run",
                "--enable-api",
                "--port",
                rasa_port,
                "--model",
                str(model_path()),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
            restart=True,
        ),
    ]
    if sandbox:
        port = str(urlparse(env["TELEGRAM_API_BASE_URL"]).port)
        children.append(
            Child(
                "sandbox",
                [py, "-m", "bot.sandbox.server", "--port", port, "--token", SANDBOX_TOKEN],
                restart=False,
            )
        )
    children.append(Child("bot", [py, "-m", "bot"], restart=False))
    if sandbox and interactive:
        chat = [py, "-m", "bot.sandbox.chat", "--url", env["TELEGRAM_API_BASE_URL"]]
        children.append(Child("chat", chat, restart=False, own_session=False))
    return children


def supervise(
    children: list[Child], env: dict[str, str], rasa_url: str, log_dir: Path | None = None
) -> int:
    """Run until a signal, the chat ends, or an essential child dies; then stop them all."""
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _frame: stopping.append(number))
    for child in children:
        child.start(env, log_dir)
    announced, status = False, 0
    while not stopping:
        time.sleep(0.5)
        if not announced and _engine_ready(rasa_url):
            print("stack: the engine is ready", file=sys.stderr, flush=True)
            announced = True
        for child in children:
            code = child.process.poll() if child.process else None
            if code is None:
                continue
            if child.restart and child.restarts < MAX_RESTARTS:
                child.restarts += 1
                print(f"stack: {child.name} exited ({code}); restarting", file=sys.stderr)
                child.start(env, log_dir)
            else:
                print(f"stack: {child.name} exited ({code}); stopping", file=sys.stderr)
                status = 0 if child.name == "chat" else (code or 1)
                stopping.append(0)
                break
    # newest first: the bot finishes its last getUpdates before the sandbox goes away.
    for child in reversed(children):
        child.stop()
        if child.process:
            try:
                child.process.wait(10)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
    return status


def main() -> int:
    """Check settings and the model, then supervise the stack."""
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"  # no usage or crash reports leave the machine
    sandbox = not env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if sandbox:
        port = env.get("SANDBOX_PORT", "8081")
        env.update(
            TELEGRAM_BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}"
        )
        env.pop("TELEGRAM_WEBHOOK_URL", None)
        print(f"stack: no TELEGRAM_BOT_TOKEN, starting the local sandbox on port {port}")
    try:
        settings = load_settings(require_token=False)
        children = plan(env, sandbox, interactive=sys.stdin.isatty())
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not model_path().exists():
        print("error: no trained model for the current data: run `make model`", file=sys.stderr)
        return 2
    env.setdefault("ACTION_SERVER_URL", settings.action_server_url)
    if sandbox and not sys.stdin.isatty():
        print(
            "stack: chat with: .venv/bin/python -m bot.sandbox.chat "
            f"--url {env['TELEGRAM_API_BASE_URL']}"
        )
    # a terminal chat shares the screen with nobody: the services log to files instead.
    log_dir = LOG_DIR if sandbox and sys.stdin.isatty() else None
    if log_dir:
        print(
            f"stack: service logs in {log_dir.relative_to(PROJECT_DIR)}/; the engine takes "
            "about 20 s to load, and until then the bot answers with emergency numbers"
        )
    return supervise(children, env, settings.rasa_url, log_dir)


if __name__ == "__main__":
    sys.exit(main())

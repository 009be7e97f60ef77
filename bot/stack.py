"""python -m bot.stack [--scaled]: the whole stack in the foreground (`make run`,
`make run-scaled`).

Children: the dialogue engine (one replica per RASA_URL; ENGINE_REPLICAS of them), the
action server (ACTION_SERVER_URL), the Telegram bot, and, without TELEGRAM_BOT_TOKEN, the
sandbox Bot API server plus a terminal chat. Ctrl-C or SIGTERM stops every child. Engine
replicas, the action server and the bot are restarted when they die; the bot sends a
person to the next replica, or answers with the safety floor, meanwhile, and a restarted
bot first answers what its journal holds unanswered.

Locked down by default: engines and the action server listen on 127.0.0.1 only; the
engine's API and channel need RASA_AUTH_TOKEN (generated for this run when unset); each
child gets only the environment it needs (CHILD_ENV): the bot token and PSEUDONYM_KEY
reach the bot alone. `--scaled` starts Redis and PostgreSQL when REDIS_URL and
DATABASE_URL are not given (bot/engine/services.py) and two engine replicas.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bot.engine.fingerprint import model_path
from bot.engine.services import LocalServices, ServiceError
from bot.settings import DATA_DIR, PROJECT_DIR, SANDBOX_TOKEN, SettingsError, load_settings

VENV_BIN = PROJECT_DIR / ".venv" / "bin"
LOG_DIR = DATA_DIR / "logs"
MAX_RESTARTS = 5  # within RESTART_WINDOW seconds; a child that keeps dying stops the stack
RESTART_WINDOW = 600.0
LOCAL_HOSTS = ("127.0.0.1", "localhost")
# what each child may read from the environment, beyond BASE_ENV (None: everything).
# The engine needs the database (tracker store), Redis (locks), the action server and
# its own token; neither it nor the action server ever sees TELEGRAM_BOT_TOKEN,
# PSEUDONYM_KEY or SEAL_KEYS.
BASE_ENV = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "VIRTUAL_ENV",
    "RASA_TELEMETRY_ENABLED",
)
CHILD_ENV: dict[str, tuple[str, ...] | None] = {
    "engine": (
        "DATABASE_URL",
        "REDIS_URL",
        "ACTION_SERVER_URL",
        "RASA_AUTH_TOKEN",
        "POSTGRESQL_SCHEMA",
    ),
    "actions": ("SANIC_HOST",),
    "sandbox": (),
    "chat": (),
    "bot": None,
}


def _exe(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def child_env(kind: str, env: dict[str, str]) -> dict[str, str]:
    """The environment one kind of child may see."""
    allowed = CHILD_ENV[kind]
    if allowed is None:
        return dict(env)
    return {k: v for k, v in env.items() if k in BASE_ENV or k in allowed}


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: list[str]
    restart: bool
    kind: str = ""  # which CHILD_ENV entry applies (defaults to the name)
    own_session: bool = True  # False only for the terminal chat, which reads the tty
    process: subprocess.Popen[bytes] | None = None
    restarts: deque[float] = field(default_factory=deque)

    def start(self, env: dict[str, str], log_dir: Path | None = None) -> None:
        """Start (or restart) the process; with log_dir, its output goes to a file there."""
        output = None
        if log_dir is not None and self.own_session:
            log_dir.mkdir(parents=True, exist_ok=True)
            output = (log_dir / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=PROJECT_DIR,
            env=child_env(self.kind or self.name, env),
            start_new_session=self.own_session,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )

    def may_restart(self, now: float, code: int) -> bool:
        """True unless it already restarted MAX_RESTARTS times in RESTART_WINDOW, or exited
        with status 2 (a configuration error: starting again would only fail again)."""
        while self.restarts and now - self.restarts[0] > RESTART_WINDOW:
            self.restarts.popleft()
        return self.restart and code != 2 and len(self.restarts) < MAX_RESTARTS

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


def engine_urls(rasa_url: str, replicas: int) -> list[str]:
    """One URL per replica: RASA_URL's list, or its port counted up for ENGINE_REPLICAS."""
    urls = [u.strip().rstrip("/") for u in rasa_url.split(",") if u.strip()]
    if len(urls) == 1 and replicas > 1:
        parts = urlparse(urls[0])
        port = parts.port or 5005
        urls = [f"{parts.scheme}://{parts.hostname}:{port + i}" for i in range(replicas)]
    if replicas and len(urls) != replicas:
        raise SettingsError(f"ENGINE_REPLICAS={replicas} but RASA_URL lists {len(urls)} URLs")
    for url in urls:
        if urlparse(url).hostname not in LOCAL_HOSTS:
            raise SettingsError(f"RASA_URL {url}: the stack starts engines on this machine only")
    return urls


def plan(env: dict[str, str], sandbox: bool, interactive: bool) -> list[Child]:
    """The processes to run, in start order."""
    action_port = str(urlparse(env["ACTION_SERVER_URL"]).port or 5055)
    py = _exe("python")
    actions = [_exe("rasa"), "run", "actions", "--actions", "bot.actions", "--port", action_port]
    children = [Child("actions", actions, restart=True)]
    for number, url in enumerate(env["RASA_URL"].split(",")):
        serve = [py, "-m", "bot.engine.serve", "--port", str(urlparse(url).port or 5005)]
        serve += ["--model", str(model_path()), "--endpoints", "endpoints.yml"]
        serve += ["--credentials", "credentials.yml"]
        name = "engine" if number == 0 else f"engine{number + 1}"
        children.append(Child(name, serve, restart=True, kind="engine"))
    if sandbox:
        port = str(urlparse(env["TELEGRAM_API_BASE_URL"]).port)
        server = [py, "-m", "bot.sandbox.server", "--port", port, "--token", SANDBOX_TOKEN]
        children.append(Child("sandbox", server, restart=False))
    # the bot is restarted too: its update journal replays what it had not answered yet
    children.append(Child("bot", [py, "-m", "bot"], restart=True))
    if sandbox and interactive:
        chat = [py, "-m", "bot.sandbox.chat", "--url", env["TELEGRAM_API_BASE_URL"]]
        children.append(Child("chat", chat, restart=False, own_session=False))
    return children


def _watch(children: list[Child], env: dict[str, str], log_dir: Path | None) -> int | None:
    """Restart what may restart; the stack's exit status when an essential child died."""
    for child in children:
        code = child.process.poll() if child.process else None
        if code is None:
            continue
        now = time.monotonic()
        if child.may_restart(now, code):
            child.restarts.append(now)
            print(f"stack: {child.name} exited ({code}); restarting", file=sys.stderr)
            child.start(env, log_dir)
            continue
        print(f"stack: {child.name} exited ({code}); stopping", file=sys.stderr)
        return 0 if child.name == "chat" else (code or 1)
    return None


def supervise(
    children: list[Child], env: dict[str, str], rasa_urls: list[str], log_dir: Path | None = None
) -> int:
    """Run until a signal, the chat ends, or an essential child dies; then stop them all."""
    stopping: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _frame: stopping.append(number))
    for child in children:
        child.start(env, log_dir)
    waiting, status = set(rasa_urls), 0
    while not stopping:
        time.sleep(0.5)
        for url in [u for u in waiting if _engine_ready(u)]:
            waiting.discard(url)
            print(f"stack: the engine at {url} is ready", file=sys.stderr, flush=True)
        found = _watch(children, env, log_dir)
        if found is not None:
            status = found
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


def prepare(env: dict[str, str], scaled: bool) -> None:
    """Fill in the settings the children share: replicas, token, action server binding."""
    replicas = int(env.get("ENGINE_REPLICAS", "").strip() or (2 if scaled else 0))
    rasa_url = env.get("RASA_URL", "").strip() or "http://localhost:5005"
    env["RASA_URL"] = ",".join(engine_urls(rasa_url, replicas))
    env.setdefault("ACTION_SERVER_URL", "http://localhost:5055/webhook")
    env["SANIC_HOST"] = "127.0.0.1"  # the action server listens on loopback only
    if not env.get("RASA_AUTH_TOKEN", "").strip():
        env["RASA_AUTH_TOKEN"] = secrets.token_urlsafe(32)  # this run's, never written down


def main(argv: list[str] | None = None) -> int:
    """Check settings and the model, start what --scaled needs, then supervise the stack."""
    parser = argparse.ArgumentParser(description="start the whole stack")
    parser.add_argument("--scaled", action="store_true", help="Redis, PostgreSQL, 2 engines")
    parser.add_argument(
        "--fresh-database", action="store_true", help="with --scaled: start from an empty one"
    )
    args = parser.parse_args(argv)
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
    services = LocalServices(DATA_DIR / "scaled", fresh=args.fresh_database)
    try:
        prepare(env, args.scaled)
        if args.scaled:
            env.update(services.start(env.get("REDIS_URL", ""), env.get("DATABASE_URL", "")))
        load_settings(require_token=not sandbox)  # a bad setting: one line, before any child
        children = plan(env, sandbox, interactive=sys.stdin.isatty())
    except (SettingsError, ServiceError, ValueError) as error:
        services.stop()
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        return _run(children, env, sandbox)
    finally:
        services.stop()


def _run(children: list[Child], env: dict[str, str], sandbox: bool) -> int:
    if not model_path().exists():
        print("error: no trained model for the current data: run `make model`", file=sys.stderr)
        return 2
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
    return supervise(children, env, env["RASA_URL"].split(","), log_dir)


if __name__ == "__main__":
    sys.exit(main())

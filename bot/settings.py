"""Configuration from environment variables (see README "Configuration").

Every name of shared/spec/runtime.md is read here and nowhere else. A setting that is
required but missing or malformed raises SettingsError with one line naming it; the
entry points print that line and exit with status 2.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from bot.core.identity import Keys

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
LOCALES_DIR = PROJECT_DIR / "locales"
MODELS_DIR = PROJECT_DIR / "models"


REPORT_SCHEDULES = ("off", "daily", "weekly", "monthly")  # campaign reports (#14)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def _ids(name: str) -> frozenset[int]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return frozenset()
    try:
        return frozenset(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(f"{name} must be comma-separated Telegram user ids") from None


def _optional_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a Telegram chat id (an integer)") from None


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name} must be a number") from None


def _optional_path(name: str) -> Path | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise SettingsError(f"{name} must name a readable file (got {raw})")
    return path


def _minutes(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name} must be a number of minutes") from None
    if value <= 0:
        raise SettingsError(f"{name} must be a number of minutes above 0")
    return value


def _rasa_url() -> str:
    """RASA_URL: one engine, or several replicas comma-separated (each an http(s) URL)."""
    raw = os.environ.get("RASA_URL", "").strip() or "http://localhost:5005"
    urls = [part.strip().rstrip("/") for part in raw.split(",") if part.strip()]
    for url in urls:
        parts = urlparse(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError("RASA_URL must be http(s) URLs, comma-separated for replicas")
    return ",".join(urls)


SANDBOX_TOKEN = "100000:sandbox-token"  # `make run` without a token: the local sandbox
KEY_FILE = DATA_DIR / "pseudonym.key"  # the sandbox's generated key (never a real bot's)
_HEX_KEY = re.compile(r"(?:[0-9a-fA-F]{2}){32,}")
MAKE_KEY = "make one with: openssl rand -hex 32"


def check_key(name: str, raw: str) -> bytes:
    """A secret of >= 32 random bytes as hex; anything shorter or hand-made is refused."""
    if not _HEX_KEY.fullmatch(raw):
        raise SettingsError(
            f"{name} must be at least 32 random bytes as 64 hex characters ({MAKE_KEY})"
        )
    # 64 random hex digits use nearly all 16 of them and never repeat a pattern; "aaaa…",
    # "abab…" or "0123…0123…" is typed, not drawn
    digits = raw.lower()
    periodic = any(digits == (digits[:n] * len(digits))[: len(digits)] for n in range(1, 33))
    if len(set(digits)) < 10 or periodic:
        raise SettingsError(f"{name} is not random (a pattern, or too few digits): {MAKE_KEY}")
    return raw.encode()


def _sandbox_key() -> bytes:
    """The sandbox's key, generated once into the data folder, readable by its owner only."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        handle = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w") as out:
            out.write(secrets.token_hex(32))
    KEY_FILE.chmod(0o600)
    return check_key(str(KEY_FILE), KEY_FILE.read_text().strip())


def _pseudonym_key(sandbox: bool) -> bytes:
    """PSEUDONYM_KEY, checked; only the sandbox may do without it (a generated key)."""
    raw = os.environ.get("PSEUDONYM_KEY", "").strip()
    if raw:
        return check_key("PSEUDONYM_KEY", raw)
    if sandbox:
        return _sandbox_key()
    hint = f"; {KEY_FILE} holds the key used so far: set it to keep pseudonyms" * (
        KEY_FILE.exists()
    )
    raise SettingsError(
        "PSEUDONYM_KEY is not set: a real bot needs its own secret of 64 hex characters "
        f"({MAKE_KEY}; keep it secret and backed up){hint}"
    )


def _seal_keys() -> tuple[bytes, ...]:
    """SEAL_KEYS: extra secrets for sealed chat ids, newest first (rotation)."""
    parts = [p.strip() for p in os.environ.get("SEAL_KEYS", "").split(",") if p.strip()]
    return tuple(check_key("SEAL_KEYS", part) for part in parts)


def _webhook_secret(webhook_url: str | None) -> str | None:
    """Telegram's secret_token: required with a webhook, 1-256 of A-Z a-z 0-9 _ -."""
    raw = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "").strip()
    if webhook_url and not raw:
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL: without it anyone "
            "who finds the URL can forge updates (make one with: openssl rand -hex 32)"
        )
    if raw and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", raw):
        raise SettingsError(
            "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z a-z 0-9 _ - "
            "(make one with: openssl rand -hex 32)"
        )
    return raw or None


def _password(url: str) -> str:
    """The password in a service URL ("postgresql://user:password@host/db"), or ""."""
    try:
        return unquote(urlparse(url).password or "")
    except ValueError:  # a malformed URL: its driver refuses it, with no password to hide
        return ""


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)} (got {raw})")
    return raw


@dataclass(frozen=True)
class Settings:
    """Everything the bot process needs to start."""

    token: str = field(repr=False)
    api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"  # a TLS proxy in front forwards to it
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    database_url: str = f"sqlite:///{DATA_DIR / 'bot.sqlite3'}"
    rasa_url: str = "http://localhost:5005"  # comma-separated: engine replicas
    rasa_timeout: float = 8.0
    rasa_auth_token: str = field(default="", repr=False)  # sent as ?token= on every call
    action_server_url: str = "http://localhost:5055/webhook"
    operator_chat_id: int | None = None
    staff_chat_id: int | None = None
    operator_ids: frozenset[int] = frozenset()
    staff_ids: frozenset[int] = frozenset()
    pseudonym_key: bytes = field(default=b"", repr=False)
    seal_keys: tuple[bytes, ...] = field(default=(), repr=False)  # newest first
    sandbox: bool = False  # the local sandbox's token: a generated key is fine
    locales_dir: Path = LOCALES_DIR
    # what users agreed to keep (their words) is purged after this many days; the job
    # runs every retention_check_seconds (tests shorten both to watch it happen).
    retention_days: float = 30.0
    retention_check_seconds: float = 3600.0
    # the hand-off to operator desks (bot/handoff): an optional YAML of desks, and how long a
    # case may wait unclaimed (or an operator stay silent) before it is escalated.
    desks_file: Path | None = None
    handoff_escalate_minutes: float = 10.0
    # campaign (#14): when reports go to STAFF_CHAT_ID, and broadcast messages per second
    report_schedule: str = "weekly"
    broadcast_rate: float = 20.0
    # shared state for several bot processes (bot/core/state.py); None: this process only
    redis_url: str | None = None
    # strict: no case content reaches a desk group while someone unlisted is in it;
    # alert: staff are told, content still goes (README "Security").
    desk_member_check: str = "strict"
    # the staff web console (bot/console): where it listens (a TLS proxy in front) and the
    # address staff open, which the one-time links of /console start with
    console_listen: str = "127.0.0.1"
    console_port: int = 8090
    console_url: str = ""

    @property
    def keys(self) -> Keys:
        """The keys for pseudonyms, sealed chat ids and relay ids (bot/core/identity.py)."""
        return Keys.from_secrets(self.pseudonym_key, self.seal_keys)

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for the log redaction (bot/telegram/logs.py)."""
        found = (
            self.token,
            self.webhook_secret or "",
            self.pseudonym_key.decode(),
            self.rasa_auth_token,  # the engine's API token rides in every call's URL
            _password(self.database_url),  # a driver's error may quote its URL
            _password(self.redis_url or ""),
        )
        return tuple(s for s in (*found, *(k.decode() for k in self.seal_keys)) if s)


def load_settings(require_token: bool = True) -> Settings:
    """Read the environment; raise SettingsError naming the first bad or missing setting."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if require_token and not token:
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather "
            "(or run `make run` without it to use the local sandbox)"
        )
    port_raw = os.environ.get("TELEGRAM_WEBHOOK_PORT", "8443")
    if not port_raw.isdigit():
        raise SettingsError("TELEGRAM_WEBHOOK_PORT must be a port number")
    webhook_url = os.environ.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    sandbox = token in ("", SANDBOX_TOKEN)
    console = _console()
    return Settings(
        token=token,
        api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "").strip().rstrip("/")
        or "https://api.telegram.org",
        webhook_url=webhook_url,
        webhook_listen=os.environ.get("TELEGRAM_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=int(port_raw),
        webhook_secret=_webhook_secret(webhook_url),
        database_url=os.environ.get("DATABASE_URL", "").strip()
        or f"sqlite:///{DATA_DIR / 'bot.sqlite3'}",
        rasa_url=_rasa_url(),
        rasa_timeout=_float("RASA_TIMEOUT", 8.0),
        rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN", "").strip(),
        action_server_url=os.environ.get("ACTION_SERVER_URL", "").strip()
        or "http://localhost:5055/webhook",
        operator_chat_id=_optional_int("OPERATOR_CHAT_ID"),
        staff_chat_id=_optional_int("STAFF_CHAT_ID"),
        operator_ids=_ids("OPERATOR_IDS"),
        staff_ids=_ids("STAFF_IDS"),
        pseudonym_key=_pseudonym_key(sandbox),
        seal_keys=_seal_keys(),
        sandbox=sandbox,
        locales_dir=Path(os.environ.get("LOCALES_DIR", "").strip() or LOCALES_DIR),
        retention_days=_float("RETENTION_DAYS", 30.0),
        retention_check_seconds=_float("RETENTION_CHECK_SECONDS", 3600.0),
        desks_file=_optional_path("DESKS_FILE"),
        handoff_escalate_minutes=_minutes("HANDOFF_ESCALATE_MINUTES", 10.0),
        report_schedule=_choice("REPORT_SCHEDULE", "weekly", REPORT_SCHEDULES),
        broadcast_rate=_float("BROADCAST_RATE", 20.0),
        redis_url=os.environ.get("REDIS_URL", "").strip() or None,
        desk_member_check=_choice("DESK_MEMBER_CHECK", "strict", ("strict", "alert")),
        console_listen=console[0],
        console_port=console[1],
        console_url=console[2],
    )


def _console() -> tuple[str, int, str]:
    """CONSOLE_LISTEN / CONSOLE_PORT / CONSOLE_URL: the staff console (README)."""
    port_raw = os.environ.get("CONSOLE_PORT", "").strip() or "8090"
    if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
        raise SettingsError("CONSOLE_PORT must be a port number")
    listen = os.environ.get("CONSOLE_LISTEN", "").strip() or "127.0.0.1"
    url = os.environ.get("CONSOLE_URL", "").strip().rstrip("/")
    if url and urlparse(url).scheme not in ("http", "https"):
        raise SettingsError("CONSOLE_URL must be the console's http(s) address")
    return listen, int(port_raw), url or f"http://127.0.0.1:{port_raw}"

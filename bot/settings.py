"""Configuration from environment variables (see README "Configuration").

Every name of shared/spec/runtime.md is read here and nowhere else. A setting that is
required but missing or malformed raises SettingsError with one line naming it; the
entry points print that line and exit with status 2.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
LOCALES_DIR = PROJECT_DIR / "locales"
MODELS_DIR = PROJECT_DIR / "models"


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


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    """One of `allowed`; unset means the default."""
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}")
    return raw


def _rasa_url() -> str:
    """RASA_URL: one engine, or several replicas comma-separated (each an http(s) URL)."""
    raw = os.environ.get("RASA_URL", "").strip() or "http://localhost:5005"
    urls = [part.strip().rstrip("/") for part in raw.split(",") if part.strip()]
    for url in urls:
        parts = urlparse(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError("RASA_URL must be http(s) URLs, comma-separated for replicas")
    return ",".join(urls)


def _pseudonym_key() -> bytes:
    """Key for pseudonymous ids; generated once into the data folder when not configured."""
    raw = os.environ.get("PSEUDONYM_KEY", "").strip()
    if raw:
        return raw.encode()
    path = DATA_DIR / "pseudonym.key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


@dataclass(frozen=True)
class Settings:
    """Everything the bot process needs to start."""

    token: str = field(repr=False)
    api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
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
    return Settings(
        token=token,
        api_base_url=os.environ.get("TELEGRAM_API_BASE_URL", "").strip().rstrip("/")
        or "https://api.telegram.org",
        webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL", "").strip() or None,
        webhook_listen=os.environ.get("TELEGRAM_WEBHOOK_LISTEN", "0.0.0.0"),
        webhook_port=int(port_raw),
        webhook_secret=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
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
        pseudonym_key=_pseudonym_key(),
        locales_dir=Path(os.environ.get("LOCALES_DIR", "").strip() or LOCALES_DIR),
        retention_days=_float("RETENTION_DAYS", 30.0),
        retention_check_seconds=_float("RETENTION_CHECK_SECONDS", 3600.0),
        desks_file=_optional_path("DESKS_FILE"),
        handoff_escalate_minutes=_minutes("HANDOFF_ESCALATE_MINUTES", 10.0),
        report_schedule=_choice(
            "REPORT_SCHEDULE", ("off", "daily", "weekly", "monthly"), "weekly"
        ),
        broadcast_rate=_float("BROADCAST_RATE", 20.0),
    )

"""Logging that never shows a secret: the bot token is part of every Bot API URL, PTB's
InvalidToken message quotes it, and a traceback can carry either.

Redaction happens where every record is born (the log-record factory), whatever logger
made it (PTB, httpx, apscheduler, asyncio, ours) and whatever handler prints it: the
message is rendered and masked, and a traceback is rendered and masked into `exc_text`,
which every standard formatter prints instead of formatting the exception again. The
root handler's formatter masks its whole output once more, and uncaught exceptions and
warnings are routed through logging, so they are masked too.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from urllib.parse import quote

MASK = "<secret>"
MIN_SECRET = 6  # shorter values would mask ordinary words; no real secret is that short
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Redactor:
    """Replaces every known secret, and its URL-encoded form, with a mask."""

    def __init__(self, secrets: Iterable[str]) -> None:
        found: set[str] = set()
        for secret in secrets:
            # a bot token is "<bot id>:<secret part>": the part after ":" alone is secret too
            for form in (secret, quote(secret, safe=""), secret.partition(":")[2]):
                if len(form) >= MIN_SECRET:
                    found.add(form)
        self._secrets = sorted(found, key=len, reverse=True)  # longest first

    def __call__(self, text: str) -> str:
        """The text with every secret masked."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose whole output (message, traceback, stack) is masked."""

    def __init__(self, redact: Redactor, fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self._redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, secrets masked."""
        return self._redact(super().format(record))


def _masking_factory(
    redact: Redactor, make: Callable[..., logging.LogRecord]
) -> Callable[..., logging.LogRecord]:
    renderer = logging.Formatter()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), None
        except Exception:  # a broken %-format: logging reports it; keep the raw record
            return record
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(renderer.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    factory.__wrapped__ = make  # type: ignore[attr-defined]
    return factory


def _route_uncaught(log: logging.Logger) -> None:
    """Uncaught exceptions are logged (masked) instead of printed raw by Python."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.critical("uncaught %s", kind.__name__, exc_info=(kind, error, tb))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def configure_logging(secrets: str | Iterable[str]) -> Redactor:
    """Plain stderr logging with every secret masked; chatty HTTP libraries only warn
    (they would print every URL). Returns the redactor, for text printed outside logging."""
    redact = Redactor([secrets] if isinstance(secrets, str) else secrets)
    make = logging.getLogRecordFactory()
    make = getattr(make, "__wrapped__", make)  # configured twice: wrap the original once
    logging.setLogRecordFactory(_masking_factory(redact, make))
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(redact))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # libraries' own handlers (if any) mask their output too
    for logger in logging.root.manager.loggerDict.values():
        for own in getattr(logger, "handlers", []):
            own.setFormatter(RedactingFormatter(redact))
    logging.captureWarnings(True)
    _route_uncaught(logging.getLogger("bot"))
    return redact

"""No secret reaches a log (issue #13.8): messages, tracebacks, exception messages (PTB's
InvalidToken quotes the token), every library's logger, uncaught exceptions."""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from telegram.error import InvalidToken

from bot.settings import load_settings
from bot.telegram.logs import configure_logging

TOKEN = "123456789:AAHsecretPartOfTheBotToken_xyz"
SECRET_PART = TOKEN.partition(":")[2]
WEBHOOK_SECRET = "webhook-secret-0123456789"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """configure_logging writing into a buffer; logging and hooks restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogRecordFactory())
    hooks = (sys.excepthook, threading.excepthook)
    buffer = io.StringIO()
    real_stderr, sys.stderr = sys.stderr, buffer
    try:
        configure_logging([TOKEN, WEBHOOK_SECRET])
    finally:
        sys.stderr = real_stderr
    yield buffer
    root.handlers[:], root.level = saved[0], saved[1]
    logging.setLogRecordFactory(saved[2])
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def test_messages_and_args_of_every_library_logger_are_masked(output: io.StringIO) -> None:
    for name in ("telegram.ext.Application", "httpx", "apscheduler.scheduler", "bot", "x"):
        logging.getLogger(name).error("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("telegram").warning("url-encoded: %s", TOKEN.replace(":", "%3A"))
    logging.getLogger("aiohttp").warning("half: %s and %s", SECRET_PART, WEBHOOK_SECRET)
    text = output.getvalue()
    assert text.count("<secret>") == 8 and "getMe" in text
    assert SECRET_PART not in text and WEBHOOK_SECRET not in text


def test_tracebacks_and_exception_messages_are_masked(output: io.StringIO) -> None:
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logging.getLogger("telegram.ext.Updater").exception("polling failed")
    try:
        raise RuntimeError(f"while calling https://api.telegram.org/bot{TOKEN}/getUpdates")
    except RuntimeError as error:
        logging.getLogger("apscheduler.executors").error("job: %s", error, exc_info=True)
    text = output.getvalue()
    assert "Traceback" in text and "InvalidToken" in text and "was rejected" in text
    assert SECRET_PART not in text


def test_a_library_logger_with_its_own_handler_is_masked(output: io.StringIO) -> None:
    own = io.StringIO()
    library = logging.getLogger("some.library")
    library.addHandler(logging.StreamHandler(own))
    library.propagate = False
    try:
        library.error("token %s", TOKEN)
    finally:
        library.handlers.clear()
        library.propagate = True
    assert "<secret>" in own.getvalue() and SECRET_PART not in own.getvalue()


def test_uncaught_exceptions_go_through_the_masked_log(output: io.StringIO) -> None:
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        sys.excepthook(*sys.exc_info())  # what Python calls for an uncaught exception
    worker = threading.Thread(target=lambda: (_ for _ in ()).throw(ValueError(TOKEN)))
    worker.start()
    worker.join()
    text = output.getvalue()
    assert "uncaught InvalidToken" in text and "uncaught ValueError" in text
    assert SECRET_PART not in text


def test_every_secret_the_settings_hold_is_masked(
    output: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_token, database, cache = (
        "engine-api-token-0123456789",
        "db-pass@word42",
        "redis-pw-0987",
    )
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(
        "PSEUDONYM_KEY", "c0ffee0123456789abcdef0fedcba9876543210aa55bb66cc77dd88ee99ff001"
    )
    monkeypatch.setenv("RASA_AUTH_TOKEN", engine_token)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://bot:db-pass%40word42@db/bot")
    monkeypatch.setenv("REDIS_URL", f"redis://:{cache}@cache:6379/0")
    real_stderr, sys.stderr = sys.stderr, output  # the handler writes where stderr is now
    try:
        configure_logging(load_settings().secrets())
    finally:
        sys.stderr = real_stderr
    engine = logging.getLogger("bot.core.dialogue")
    engine.warning("POST http://127.0.0.1:5005/webhooks/rest/webhook?token=%s", engine_token)
    try:
        raise ConnectionError(f"connect as bot:{database} failed; redis auth {cache} refused")
    except ConnectionError:
        logging.getLogger("sqlalchemy.pool").exception("no database")
    text = output.getvalue()
    assert "webhooks/rest/webhook?token=<secret>" in text and "ConnectionError" in text
    assert not [s for s in (engine_token, database, "db-pass%40word42", cache) if s in text]

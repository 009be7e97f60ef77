"""Run the application on the durable intake: long polling or a webhook.

The lifecycle is PTB's run_polling/run_webhook (initialize, post_init, start; on SIGINT or
SIGTERM stop, post_stop, shutdown, post_shutdown), but updates come in through the intake
(bot/telegram/intake.py), which confirms an update to Telegram only once it is answered or
journaled, and replays the journal's unanswered updates before anything new.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.telegram.intake import Intake, Journal, JournalProcessor

log = logging.getLogger(__name__)
POLL_TIMEOUT = 10  # seconds a getUpdates call waits for news
# while updates wait for the journal, getUpdates hands them out again at once: ask at most
# this often (a new message waits that much longer), not in a busy loop
HELD_POLL = 0.1
BACKOFF_MAX = 30.0  # seconds between getUpdates attempts while Telegram is unreachable
# how long Telegram's POST waits for its update to be journaled (or answered): beyond, it
# gets a 503 and delivers the update again later (Telegram gives up after about a minute).
WEBHOOK_WAIT = 25.0
FLUSH_TIMEOUT = 5.0  # seconds to commit the journal's last writes at shutdown
App: TypeAlias = "Application[Any, Any, Any, Any, Any, Any]"


@dataclass(frozen=True)
class Webhook:
    """Where the webhook listens and what Telegram is told."""

    url: str
    listen: str
    port: int
    path: str
    secret: str | None


def run(
    app: App,
    intake: Intake,
    writer: Journal | None,
    allowed: Sequence[str],
    webhook: Webhook | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly (in-flight updates are answered)."""
    asyncio.run(_serve(app, intake, writer, allowed, webhook))


async def _serve(
    app: App,
    intake: Intake,
    writer: Journal | None,
    allowed: Sequence[str],
    webhook: Webhook | None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    writing = None
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)  # migrates the database: the journal's table exists now
        if writer is not None:
            writing = asyncio.create_task(writer.run())
        await app.start()  # replays go in before anything new is fetched
        for data in await _restore(intake, everyone=webhook is None):
            await hand_in(app, Update.de_json(data, app.bot))
        if webhook is None:
            await _poll(app, intake, allowed, stop)
        else:
            await _listen(app, intake, allowed, webhook, stop)
    finally:
        await _stop(app, writer)
        if webhook is None:  # confirm what was answered meanwhile, as PTB's Updater does
            with contextlib.suppress(TelegramError):
                await app.bot.get_updates(offset=intake.offset(), timeout=0)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
        if writer is not None:
            writer.close()
        if writing is not None:
            writing.cancel()


async def hand_in(app: App, update: Update) -> None:
    """Into the application's line of updates; one whose words the gate reads as danger
    now is answered at once instead, before any slot, queue or lock (safety.md invariant 10)."""
    processor = app.update_processor
    if isinstance(processor, JournalProcessor) and processor.is_urgent(update):
        app.create_task(processor.answer_at_once(update, app.process_update(update)), update)
        return
    await app.update_queue.put(update)


async def _restore(intake: Intake, everyone: bool) -> list[dict[str, Any]]:
    """The journal's unanswered updates; a database that is down only costs the replay."""
    try:
        return await intake.restore(everyone)
    except Exception as error:  # the bot must answer new messages even so
        log.error("journal unreadable, nothing replayed: %s", type(error).__name__)
        return []


async def _stop(app: App, writer: Journal | None) -> None:
    if app.running:
        await app.stop()  # waits for the updates being answered
        if app.post_stop:
            await app.post_stop(app)
    if writer is not None and not await writer.flush(FLUSH_TIMEOUT):
        log.warning("journal: last writes not committed; those updates are replayed at start")


async def _until_stopped(work: Awaitable[Any], stop: asyncio.Event) -> tuple[bool, Any]:
    """Run work unless stop is set first (then work is cancelled): (finished, result)."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, TelegramError):
            await task
        return False, None
    return True, task.result()


async def _retry(call: Callable[[], Awaitable[Any]], stop: asyncio.Event, what: str) -> None:
    """Call until it succeeds (or stop is set), backing off while Telegram is unreachable."""
    delay = 1.0
    while not stop.is_set():
        try:
            await _until_stopped(call(), stop)
            return
        except TelegramError as error:
            log.warning("%s failed (%s); retrying in %.0f s", what, type(error).__name__, delay)
            await _until_stopped(asyncio.sleep(delay), stop)
            delay = min(delay * 2, BACKOFF_MAX)


async def _poll(app: App, intake: Intake, allowed: Sequence[str], stop: asyncio.Event) -> None:
    """Long polling whose offset only confirms updates that are answered or journaled."""
    await _retry(lambda: app.bot.delete_webhook(drop_pending_updates=False), stop, "deleteWebhook")
    delay = 1.0
    while not stop.is_set():
        waiting = 0 if intake.unconfirmed() else POLL_TIMEOUT
        call = app.bot.get_updates(
            offset=intake.offset(), timeout=waiting, allowed_updates=list(allowed)
        )
        try:
            finished, updates = await _until_stopped(call, stop)
        except TelegramError as error:  # Telegram unreachable, or a second poller (409)
            log.warning("getUpdates failed (%s); retrying in %.0f s", type(error).__name__, delay)
            await _until_stopped(asyncio.sleep(delay), stop)
            delay = min(delay * 2, BACKOFF_MAX)
            continue
        delay = 1.0
        if not finished:
            break
        fresh = [u for u in updates if intake.accept(u.update_id, u.to_json())]
        for update in fresh:
            await hand_in(app, update)
        if intake.unconfirmed():  # let the journal catch up, but look for news meanwhile
            await _until_stopped(intake.progress(HELD_POLL), stop)


async def _listen(
    app: App, intake: Intake, allowed: Sequence[str], hook: Webhook, stop: asyncio.Event
) -> None:
    """Serve the webhook; a POST is answered 200 once its update is journaled or answered."""

    async def receive(request: web.Request) -> web.Response:
        token = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if hook.secret and not hmac.compare_digest(token.encode(), hook.secret.encode()):
            return web.Response(status=403)
        if request.content_type != "application/json":
            return web.Response(status=403)
        raw = await request.text()
        try:
            data = json.loads(raw)
            update = Update.de_json(data, app.bot)
            update_id = int(data["update_id"])
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        if intake.accept(update_id, raw):
            await hand_in(app, update)
        try:
            await asyncio.wait_for(intake.settled(update_id), WEBHOOK_WAIT)
        except asyncio.TimeoutError:
            return web.Response(status=503)  # Telegram delivers it again later
        return web.Response(status=200)

    server = web.Application(client_max_size=1024 * 1024)
    server.router.add_post(f"/{hook.path}", receive)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, hook.listen, hook.port, shutdown_timeout=WEBHOOK_WAIT).start()
    try:
        await _retry(
            lambda: app.bot.set_webhook(
                hook.url, secret_token=hook.secret, allowed_updates=list(allowed)
            ),
            stop,
            "setWebhook",
        )
        await stop.wait()
    finally:
        await runner.cleanup()

"""The campaign's running parts in the bot process: the counters, the sources, the
report schedule. Built in post_init, kept in bot_data["campaign"]."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.campaign import report, sources
from bot.campaign.figures import last_complete
from bot.campaign.sender import Broadcaster, Send, Show
from bot.campaign.sources import Source
from bot.campaign.tally import Tally
from bot.core import clock
from bot.storage import campaign as store
from bot.storage.broadcasts import SqlOptInStore
from bot.storage.session import run_bounded

log = logging.getLogger(__name__)
SCHEDULES = {"daily": "day", "weekly": "week", "monthly": "month"}
Post = Callable[[report.Report], Awaitable[None]]


@dataclass
class Campaign:
    """What the campaign tools share in one bot process."""

    sessions: sessionmaker[Session]
    tally: Tally
    locales_dir: Path
    bot_username: str = ""
    schedule: str = "weekly"  # REPORT_SCHEDULE: off, daily, weekly, monthly
    optins: SqlOptInStore | None = None  # who asked for updates (None: no broadcasts)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def sources_file(self) -> Path:
        """Staff's list of sources (locales/sources.yml)."""
        return self.locales_dir / "sources.yml"

    async def run(self, work: Callable[[Session], object], write: bool = True) -> object:
        """A bounded database call."""
        return await run_bounded(self.sessions, work, write=write, timeout=10.0)

    async def sync_sources(self) -> list[str]:
        """Bring the file's sources into the database (retiring removed ones); problems
        refuse the whole file and keep the sources as they were."""
        try:
            listed = await asyncio.to_thread(sources.load, self.sources_file)
        except (sources.SourceError, OSError) as error:
            return [f"sources.yml: {error}"]
        now = clock.now()

        def save(session: Session) -> list[str]:
            taken = [s.code for s in listed if not store.save_source(session, s.row("file"), now)]
            store.retire_missing(session, "file", [s.code for s in listed])
            return [f"sources.yml: code {code!r} is already a staff-made source" for code in taken]

        problems = await run_bounded(self.sessions, save, write=True, timeout=10.0)
        return problems

    def broadcaster(self, optins: SqlOptInStore, send: Send, show: Show) -> Broadcaster:
        """The broadcast sender, going out through the adapter's `send` and `show`."""
        return Broadcaster(optins, send, show, self.tally)

    async def sources(self) -> list[Source]:
        """The sources counted now (from the file and staff-made), oldest first."""
        rows = await self.run(lambda s: store.sources(s), write=False)
        return [
            Source(r.code, r.name, r.channel, r.locale, r.partner or "")
            for r in rows  # type: ignore[attr-defined]
        ]

    async def add_source(self, source: Source) -> bool:
        """A staff-made source; False if the file already has that code."""
        now = clock.now()
        return bool(await self.run(lambda s: store.save_source(s, source.row("staff"), now)))

    async def retire(self, code: str) -> bool:
        """Stop counting a staff-made source; False if there is none with that code."""
        return bool(await self.run(lambda s: store.retire(s, code)))

    async def report(self, kind: str) -> report.Report:
        """The report of the last complete period of a kind."""
        period = last_complete(kind, clock.bangkok_now().date())
        found = await self.run(lambda s: store.counts(s, period.first, period.last), False)
        return await asyncio.to_thread(report.build, found, period)  # type: ignore[arg-type]

    async def post_due(self, post: Post) -> bool:
        """Post the scheduled report if its period has ended and nobody posted it yet."""
        kind = SCHEDULES.get(self.schedule)
        if kind is None:
            return False
        period = last_complete(kind, clock.bangkok_now().date())
        name = f"{kind}:{period.first.isoformat()}"
        now = clock.now()
        if not await self.run(lambda s: store.claim_report(s, name, now)):
            return False
        try:
            await self.tally.flush()
            await post(await self.report(kind))
        except Exception:
            await self.run(lambda s: store.unclaim_report(s, name))
            raise
        return True

    def start_schedule(self, post: Post, every: float) -> None:
        """Check for a due report every `every` seconds."""

        async def loop() -> None:
            while True:
                try:
                    if await self.post_due(post):
                        log.info("scheduled report posted")
                except Exception as error:  # tried again at the next check
                    log.warning("scheduled report not posted: %s", type(error).__name__)
                await asyncio.sleep(every)

        self.tasks.append(asyncio.get_running_loop().create_task(loop()))

    async def close(self) -> None:
        """Stop the loops; write the last counts."""
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.tally.close()

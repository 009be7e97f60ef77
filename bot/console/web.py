"""The console's web server: routes, the session guard, start and stop.

Every route but the one-time login needs an open session; every POST needs the
session's form token (CSRF). Responses are never cached and never framed, send no
referrer (the login link's token stays out of logs elsewhere), and run only this
console's own script and style (Content-Security-Policy).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.console.access import COOKIE, SESSION_TTL, Access, Session
from bot.console.catalog import Message, messages, usage
from bot.console.directory import directory_page
from bot.console.figures import Sources, figures_page, quiz_csv
from bot.console.html import e, page
from bot.console.pages import messages_page, reload_notice, try_page
from bot.console.report import report_file, report_kind
from bot.console.trybot import TryBot
from bot.core import clock
from bot.core.router import Conversation
from bot.i18n import Catalogs
from bot.i18n.check import used_msgids

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
OPEN_PATHS = ("/login",)
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # data: images are the report's own charts, inlined (bot/console/report.py)
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
    ),
}
NOT_SIGNED_IN = (
    "<p>This page is for campaign staff. Send <code>/console</code> to the bot in a "
    "private chat: it answers with a link that opens the console (once, within 10 "
    "minutes).</p>"
)


@dataclass
class Deps:
    """What the pages read: the live bot's content, its reload, figures, test persons."""

    access: Access
    live: Callable[[], tuple[Conversation, Catalogs]]
    locales_dir: Path
    reload: Callable[[], Awaitable[list[str]]]
    trybot: TryBot
    figures: Sources
    secure: bool  # the console's address is https: the cookie is sent only over TLS


class Console:
    """The aiohttp application and its listener."""

    def __init__(self, deps: Deps, url: str, listen: str, port: int) -> None:
        self.deps, self.url, self.listen, self.port = deps, url.rstrip("/"), listen, port
        self._runner: web.AppRunner | None = None
        self._used: tuple[int, set[str]] | None = None  # (catalogs id, msgids the bot uses)
        self._messages: tuple[int, list[Message]] | None = None
        self.app = self._app()

    async def link(self) -> str:
        """A new one-time login link for /console."""
        return f"{self.url}/login/{await self.deps.access.issue()}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)  # URLs hold login tokens
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        log.info("staff console listening on %s:%d", self.listen, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        get, post = web.get, web.post
        app.add_routes(
            [
                get("/login/{token}", self.login_form),
                post("/login", self.login),
                post("/logout", self.logout),
                get("/", self.home),
                get("/messages", self.messages),
                post("/reload", self.reload),
                get("/directory", self.directory),
                get("/figures", self.figures),
                get("/figures.csv", self.figures_csv),
                get("/figures/report/{name}", self.report_file),
                get("/try", self.try_bot),
                post("/try/new", self.try_new),
                post("/try/say", self.try_say),
                post("/try/press", self.try_press),
                get("/static/{name}", self.static),
            ]
        )
        return app

    @web.middleware  # type: ignore[untyped-decorator]
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """No session, no console; no form token, no change."""
        response: web.StreamResponse
        if request.path.startswith(OPEN_PATHS):
            response = await handler(request)
        else:
            session = await self.deps.access.session(request.cookies.get(COOKIE))
            form = await request.post() if request.method == "POST" else None
            if session is None:
                response = html(page("Not signed in", NOT_SIGNED_IN), 401)
            elif form is not None and form.get("csrf") != session.csrf:
                response = html(page("Refused", "<p>The form is out of date: reload.</p>"), 403)
            else:
                request["session"] = session
                response = await handler(request)
        response.headers.update(HEADERS)
        return response

    # -- signing in and out ------------------------------------------------------------

    async def login_form(self, request: web.Request) -> web.Response:
        """A link preview or a second look must not use the link up: opening takes a press."""
        token = request.match_info["token"]
        body = (
            '<form method="post" action="/login">'
            f'<input type="hidden" name="token" value="{e(token)}">'
            '<button type="submit">Open the staff console</button></form>'
        )
        return html(page("Staff console", body))

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        session = await self.deps.access.redeem(str(form.get("token", "")))
        if session is None:
            body = "<p>This link was used already or has expired.</p>" + NOT_SIGNED_IN
            return html(page("Link expired", body), 403)
        log.info("staff console: a session opened")
        response = web.HTTPSeeOther("/messages")
        response.set_cookie(
            COOKIE, self.deps.access.cookie(session), max_age=int(SESSION_TTL),
            httponly=True, samesite="Strict", secure=self.deps.secure, path="/",
        )  # fmt: skip
        return response  # type: ignore[return-value]

    async def logout(self, request: web.Request) -> web.Response:
        await self.deps.access.end(session_of(request))
        response = html(page("Signed out", "<p>You are signed out.</p>"))
        response.del_cookie(COOKIE, path="/")
        return response

    async def home(self, request: web.Request) -> web.Response:
        raise web.HTTPSeeOther("/messages")

    # -- pages -------------------------------------------------------------------------

    async def current_messages(self) -> list[Message]:
        """The Messages model, rebuilt when the live catalogs change (a reload)."""
        live, catalogs = self.deps.live()
        if self._messages is not None and self._messages[0] == id(catalogs):
            return self._messages[1]
        if self._used is None or self._used[0] != id(catalogs):
            self._used = (id(catalogs), await asyncio.to_thread(used_msgids))
        book = live.lessons.book if live.lessons else None
        found = await asyncio.to_thread(
            messages, self.deps.locales_dir, catalogs, self._used[1], usage(live.answers, book)
        )
        self._messages = (id(catalogs), found)
        return found

    async def messages(self, request: web.Request, notice: str = "") -> web.Response:
        query = request.query
        number = int(query["page"]) if query.get("page", "").isdigit() else 1
        found = await self.current_messages()
        body = messages_page(
            found, self.deps.locales_dir, session_of(request).csrf,
            query.get("q", ""), query.get("flag", ""), number, notice,
        )  # fmt: skip
        return html(body)

    async def reload(self, request: web.Request) -> web.Response:
        problems = await self.deps.reload()
        _live, catalogs = self.deps.live()
        count = len(catalogs.messages.get("en", {}))
        log.info("staff console: reload %s", "refused" if problems else "done")
        return await self.messages(request, reload_notice(problems, count))

    async def directory(self, request: web.Request) -> web.Response:
        live, _catalogs = self.deps.live()
        found = await self.current_messages()
        now = clock.bangkok_now()
        return html(directory_page(live.directory, now, found, session_of(request).csrf))

    async def figures(self, request: web.Request) -> web.Response:
        raw = request.query.get("days", "")
        days = int(raw) if raw.isdigit() else 30
        kind = report_kind(request.query.get("report", ""))
        csrf = session_of(request).csrf
        return html(await figures_page(self.deps.figures, days, csrf, kind))

    async def report_file(self, request: web.Request) -> web.Response:
        """One CSV or chart of the campaign report, as a download."""
        source = self.deps.figures.report
        kind = report_kind(request.query.get("report", ""))
        found = report_file(await source(kind), request.match_info["name"]) if source else None
        if found is None:
            raise web.HTTPNotFound()
        content, content_type = found
        disposition = f'attachment; filename="{request.match_info["name"]}"'
        return web.Response(
            body=content, content_type=content_type, headers={"Content-Disposition": disposition}
        )

    async def figures_csv(self, request: web.Request) -> web.Response:
        cells = await self.deps.figures.quiz() if self.deps.figures.quiz else []
        return web.Response(
            text=quiz_csv(cells),
            content_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="quiz-figures.csv"'},
        )

    async def try_bot(self, request: web.Request) -> web.Response:
        session = session_of(request)
        chat = await self.deps.trybot.chat(session.key)
        return html(try_page(chat, session.csrf))

    async def try_new(self, request: web.Request) -> web.Response:
        form, session = await request.post(), session_of(request)
        await self.deps.trybot.new_person(
            session.key, str(form.get("locale", "en")), str(form.get("where", "")),
            str(form.get("age", "")),
        )  # fmt: skip
        raise web.HTTPSeeOther("/try#end")

    async def try_say(self, request: web.Request) -> web.Response:
        form = await request.post()
        await self.deps.trybot.say(session_of(request).key, str(form.get("text", ""))[:4096])
        raise web.HTTPSeeOther("/try#end")

    async def try_press(self, request: web.Request) -> web.Response:
        form = await request.post()
        await self.deps.trybot.press(session_of(request).key, str(form.get("data", ""))[:64])
        raise web.HTTPSeeOther("/try#end")

    async def static(self, request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        if name not in ("console.css", "console.js"):
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC / name)


def session_of(request: web.Request) -> Session:
    """The session the guard found for this request."""
    session: Session = request["session"]
    return session


def html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

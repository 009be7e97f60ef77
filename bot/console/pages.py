"""The console's pages as HTML, from the models in catalog.py, directory rows and chats."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.console.catalog import Message, language_name
from bot.console.html import badges, csrf_field, e, page
from bot.console.trybot import CHOICES, Chat
from bot.core.types import LANGUAGE_NAMES, LOCALES
from bot.i18n import po_path

PAGE_SIZE = 40
FLAG_FILTERS = (
    ("", "all messages"),
    ("flagged", "any flag"),
    ("missing", "missing"),
    ("fuzzy", "fuzzy"),
    ("over 4096 characters", "over Telegram's length"),
    ("placeholder mismatch", "placeholder mismatch"),
    ("alarming first line", "alarming word in the first line"),
    ("unused", "not shown to anyone any more"),
)


def selected(message: Message, flag: str) -> bool:
    """The message has this flag (any flag for "flagged")."""
    if not flag:
        return True
    return bool(message.flags) if flag == "flagged" else flag in message.flags


def message_card(message: Message, locales_dir: Path) -> str:
    """One msgid: where to edit it, its flags and places, five languages side by side."""
    columns = []
    for t in message.translations:
        buttons = "".join(f'<span class="button">{e(label)}</span>' for label in t.buttons)
        columns.append(
            f'<div class="lang" lang="{e(t.locale)}" data-locale="{e(t.locale)}">'
            f"<h3>{e(language_name(t.locale))}</h3>{badges(t.flags)}"
            f'<div class="bubble">{e(t.rendered)}</div>'
            f"{f'<div class=buttons>{buttons}</div>' if buttons else ''}</div>"
        )
    folder = po_path(locales_dir, "LANG").relative_to(locales_dir.parent)
    files = e(str(folder)).replace("LANG", "<var>lang</var>")
    places = ", ".join(e(p) for p in message.used_in) or "the bot's code"
    notes = "".join(f"<li>{e(c)}</li>" for c in message.comments)
    return (
        f'<section class="msg">{badges(message.flags)}'
        f'<p class="edit">Edit in <code>{files}</code> ({" ".join(LOCALES)}), entry '
        f'<code class="msgid">{e(message.msgid)}</code></p>'
        f'<p class="where">Shown in: {places}</p>'
        f"{f'<ul class=notes>{notes}</ul>' if notes else ''}"
        f'<div class="langs">{"".join(columns)}</div></section>'
    )


def messages_page(
    found: Sequence[Message],
    locales_dir: Path,
    csrf: str,
    query: str,
    flag: str,
    number: int,
    notice: str = "",
) -> str:
    """The Messages page: search, flag filter, reload, one page of cards."""
    chosen = [m for m in found if m.matches(query) and selected(m, flag)]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    number = min(max(1, number), pages)
    shown = chosen[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    options = "".join(
        f'<option value="{e(v)}"{" selected" * (v == flag)}>{e(label)}</option>'
        for v, label in FLAG_FILTERS
    )
    flagged = sum(1 for m in found if m.flags)
    form = (
        '<form method="get" action="/messages" class="search">'
        f'<input type="search" name="q" value="{e(query)}" placeholder="Search any language"'
        ' aria-label="Search">'
        f'<select name="flag" aria-label="Flag">{options}</select>'
        '<button type="submit">Search</button></form>'
        f'<form method="post" action="/reload" class="reload">{csrf_field(csrf)}'
        '<button type="submit">Reload content</button> <small>the same checked reload as '
        "/reload: refused, with the reasons, if anything is broken</small></form>"
    )
    nav = "".join(
        f'<a href="/messages?{e(_query(query, flag, n))}"'
        f"{' aria-current=page' * (n == number)}>{n}</a>"
        for n in range(1, pages + 1)
    )
    summary = (
        f'<p class="summary">{len(chosen)} of {len(found)} messages '
        f"({flagged} with a flag) · page {number} of {pages}</p>"
    )
    cards = "".join(message_card(m, locales_dir) for m in shown) or "<p>No message matches.</p>"
    body = f"{notice}{form}{summary}{cards}<p class=pages>{nav}</p>"
    return page("Messages", body, csrf, "/messages")


def _query(query: str, flag: str, number: int) -> str:
    from urllib.parse import urlencode

    return urlencode({"q": query, "flag": flag, "page": number})


def reload_notice(problems: list[str], count: int) -> str:
    """What the reload did, as the /reload answer says it."""
    if not problems:
        return f'<p class="ok" role="status">Content reloaded: {count} messages live.</p>'
    items = "".join(f"<li>{e(p)}</li>" for p in problems[:50])
    return (
        '<div class="refused" role="alert"><p>Reload refused: the old content stays live. '
        f"Fix these and reload again:</p><ul>{items}</ul></div>"
    )


def try_page(chat: Chat | None, csrf: str) -> str:
    """Try the bot: choose a test person, then chat; buttons press like in Telegram."""
    names: dict[str, str] = {"": "not told yet", "TH": "Thailand", "MM": "Myanmar"}
    names |= {"KH": "Cambodia", "LA": "Laos", "other": "somewhere else"}
    names |= {"adult": "18 or over", "child": "under 18"}
    names |= {lo: LANGUAGE_NAMES[lo] for lo in LOCALES}
    current: dict[str, str] = {}
    if chat is not None:
        current = {"locale": chat.locale, "where": chat.where, "age": chat.age}

    def select(name: str, label: str) -> str:
        options = "".join(
            f'<option value="{e(v)}"{" selected" * (current.get(name) == v)}>'
            f"{e(names.get(v, v))}</option>"
            for v in CHOICES[name]
        )
        return f'<label>{e(label)} <select name="{name}">{options}</select></label>'

    new = (
        f'<form method="post" action="/try/new" class="person">{csrf_field(csrf)}'
        f"{select('locale', 'Language')}{select('where', 'Place')}{select('age', 'Age')}"
        '<button type="submit">New person</button></form>'
        "<p><small>A test person: flagged, never stored as a user, never counted in the "
        "figures; replies come from the running bot, as a Telegram user gets them.</small></p>"
    )
    if chat is None:
        return page("Try the bot", new, csrf, "/try")
    bubbles = "".join(_bubble(b, csrf) for b in chat.bubbles)
    say = (
        f'<form method="post" action="/try/say" class="say">{csrf_field(csrf)}'
        '<input name="text" autocomplete="off" aria-label="Message" required '
        'placeholder="Write as the person would"><button type="submit">Send</button></form>'
    )
    body = f'{new}<div class="chat" id="chat">{bubbles}</div>{say}'
    return page("Try the bot", body, csrf, "/try")


def _bubble(bubble: dict[str, object], csrf: str) -> str:
    if bubble.get("from") == "person":
        return f'<div class="person-says">{e(bubble["text"])}</div>'
    gone = " deleted" if bubble.get("deleted") else ""
    buttons = "".join(
        f'<form method="post" action="/try/press">{csrf_field(csrf)}'
        f'<button type="submit" name="data" value="{e(data)}">{e(label)}</button></form>'
        for label, data in bubble.get("buttons") or []  # type: ignore[attr-defined]
    )
    return (
        f'<div class="bot-says{gone}" lang="{e(bubble.get("locale", ""))}">'
        f'<div class="bubble">{e(bubble["text"])}</div>'
        f"{f'<div class=buttons>{buttons}</div>' if buttons else ''}"
        f'<small class="msgid">{e(bubble.get("msgid", ""))}</small></div>'
    )

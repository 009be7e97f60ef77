"""The console's HTML: one layout, escaped values, no template engine, no build step."""

from __future__ import annotations

import html
from collections.abc import Iterable

NAV = (
    ("/messages", "Messages"),
    ("/directory", "Directory"),
    ("/figures", "Figures"),
    ("/try", "Try the bot"),
)


def e(value: object) -> str:
    """Text made safe for HTML (content and attributes)."""
    return html.escape(str(value), quote=True)


def csrf_field(csrf: str) -> str:
    """The hidden form token every POST carries."""
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">'


def page(title: str, body: str, csrf: str = "", active: str = "") -> str:
    """A whole page: navigation (when signed in), the title, the body."""
    nav = ""
    if csrf:
        links = "".join(
            f'<a href="{href}"{" aria-current=page" * (href == active)}>{e(name)}</a>'
            for href, name in NAV
        )
        logout = (
            f'<form method="post" action="/logout" class="logout">{csrf_field(csrf)}'
            '<button type="submit">Log out</button></form>'
        )
        nav = f"<nav>{links}{logout}</nav>"
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{e(title)} · staff console</title>"
        '<link rel="stylesheet" href="/static/console.css">'
        '<script src="/static/console.js" defer></script>'
        f"</head><body>{nav}<main><h1>{e(title)}</h1>{body}</main></body></html>"
    )


def badges(flags: Iterable[str], kind: str = "flag") -> str:
    """Flags as small labels."""
    return "".join(f'<span class="{kind}">{e(flag)}</span>' for flag in flags)


def table(head: Iterable[str], rows: Iterable[Iterable[str]], css: str = "") -> str:
    """A table whose cells are already HTML; each cell is labelled for the phone layout."""
    names = list(head)
    header = "".join(f"<th>{e(name)}</th>" for name in names)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td data-label="{e(name)}">{cell}</td>'
            for name, cell in zip(names, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table class="{css}"><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )

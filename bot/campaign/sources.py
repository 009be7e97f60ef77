"""Attribution sources: where people come from, their deep links and printable QR codes.

A source is a poster, a radio spot, a partner's leaflet... Each has a code that travels in
the bot's deep link `t.me/<bot>?start=<code>`; `/start <code>` counts the person's first
arrival for it. Staff list sources in `locales/sources.yml` (checked like the hotline
directory, reloaded by /reload) or make them with `/source add`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno
import yaml
from telegram.helpers import create_deep_linked_url

from bot.core.types import LOCALES

CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what Telegram allows in a start parameter
CHANNELS = ("poster", "leaflet", "radio", "video", "social", "partner", "event", "other")
RESERVED = frozenset({"direct", "other", "unknown"})  # the figures' own names
FIELDS = ("code", "name", "channel", "language", "partner")


class SourceError(ValueError):
    """A source that cannot be used; the message says why, for staff."""


@dataclass(frozen=True)
class Source:
    """One place people come from."""

    code: str
    name: str
    channel: str
    language: str
    partner: str = ""

    def link(self, bot_username: str) -> str:
        """The deep link that counts arrivals for this source."""
        return create_deep_linked_url(bot_username, self.code)

    def row(self, origin: str) -> dict[str, object]:
        """As stored (bot/storage/campaign.py)."""
        return {
            "code": self.code,
            "name": self.name,
            "channel": self.channel,
            "locale": self.language,
            "partner": self.partner,
            "origin": origin,
        }


def checked(raw: dict[str, Any]) -> Source:
    """A source from its fields, or SourceError naming what is wrong."""
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise SourceError(f"unknown field(s): {', '.join(sorted(unknown))}")
    code = str(raw.get("code") or "")
    if not CODE.match(code):
        raise SourceError(f"code {code!r}: use 1-64 of A-Z a-z 0-9 _ -")
    if code.lower() in RESERVED:
        raise SourceError(f"code {code!r} is reserved")
    name = str(raw.get("name") or "").strip()
    if not 1 <= len(name) <= 200:
        raise SourceError(f"{code}: a name of 1-200 characters is needed")
    channel = str(raw.get("channel") or "")
    if channel not in CHANNELS:
        raise SourceError(f"{code}: channel must be one of {', '.join(CHANNELS)}")
    language = str(raw.get("language") or "")
    if language not in LOCALES:
        raise SourceError(f"{code}: language must be one of {', '.join(LOCALES)}")
    partner = str(raw.get("partner") or "").strip()
    if len(partner) > 200:
        raise SourceError(f"{code}: partner name too long (200 characters at most)")
    return Source(code, name, channel, language, partner)


def parse(data: Any) -> list[Source]:
    """Every source of a sources file's content; SourceError on the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise SourceError("the file must hold `sources:` with a list of sources")
    found: list[Source] = []
    for index, raw in enumerate(data.get("sources") or []):
        if not isinstance(raw, dict):
            raise SourceError(f"source #{index + 1} is not a mapping")
        source = checked(raw)
        if any(s.code == source.code for s in found):
            raise SourceError(f"code {source.code!r} is listed twice")
        found.append(source)
    return found


def load(path: Path) -> list[Source]:
    """The sources file; a missing file means no sources."""
    if not path.exists():
        return []
    try:
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except yaml.YAMLError as error:
        raise SourceError(f"not valid YAML: {error}") from None


def problems(path: Path) -> list[str]:
    """What /reload and `make texts-check` refuse in the sources file (empty: fine)."""
    try:
        load(path)
    except (SourceError, OSError) as error:
        return [f"{path.name}: {error}"]
    return []


def qr_codes(url: str) -> tuple[bytes, bytes]:
    """A print-ready QR code of the link: PNG (about 8 cm at 300 dpi) and SVG (any size).

    Error correction level Q survives a crease or a smudge on a poster; the quiet zone of
    4 modules is what scanners need."""
    code = segno.make(url, error="q", micro=False)
    png, svg = io.BytesIO(), io.BytesIO()
    scale = max(4, 960 // code.symbol_size(border=4)[0])
    code.save(png, kind="png", scale=scale, border=4)
    code.save(svg, kind="svg", scale=10, border=4, xmldecl=True, svgns=True)
    return png.getvalue(), svg.getvalue()

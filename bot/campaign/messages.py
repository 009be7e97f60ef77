"""Broadcast texts: `locales/broadcasts.yml` names each broadcast and gives its English
text, a message id translated in the catalogs like every other sentence.

    broadcasts:
      wage_2027: "The minimum wage changes on 1 January: ..."

After adding one: `make texts-update`, translate it in the five catalogs, `make
texts-check`, `/reload`, then `/broadcast wage_2027`. Every message starts with a
harmless header (`HEADER`), so a lock screen shows only that.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from bot.core.types import LOCALES
from bot.i18n import N_

KEY = re.compile(r"^[a-z0-9_]{1,64}$")
HEADER = N_("📬 Update")


class BroadcastError(ValueError):
    """A broadcasts file that cannot be used."""


def parse(data: Any) -> dict[str, str]:
    """Key -> English text; BroadcastError on the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("broadcasts") or {}, dict):
        raise BroadcastError("the file must hold `broadcasts:` with key: text entries")
    found: dict[str, str] = {}
    for key, text in (data.get("broadcasts") or {}).items():
        if not KEY.match(str(key)):
            raise BroadcastError(f"key {key!r}: use 1-64 of a-z 0-9 _")
        if not isinstance(text, str) or not text.strip() or len(text) > 3500:
            raise BroadcastError(f"{key}: a text of 1-3500 characters is needed")
        found[str(key)] = text
    return found


def load(path: Path) -> dict[str, str]:
    """The broadcasts file; none means no broadcasts."""
    if not path.exists():
        return {}
    try:
        return parse(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except yaml.YAMLError as error:
        raise BroadcastError(f"not valid YAML: {error}") from None


def missing(msgid: str, catalogs: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Languages whose catalog has no translation of the text (English may use the id)."""
    return [lo for lo in LOCALES if lo != "en" and not catalogs.get(lo, {}).get(msgid)]


def extract_broadcasts(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel entry point for locales/broadcasts.yml."""
    for key, text in parse(yaml.safe_load(fileobj.read().decode("utf-8")) or {}).items():
        yield 0, "", text, [f"locales/broadcasts.yml: broadcast {key}"]

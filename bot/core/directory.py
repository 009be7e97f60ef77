"""The hotline directory (locales/hotlines.yml): who can help, from where, when, and how
we know.

Only verified entries are ever shown (shared/spec/safety.md invariant 3); "open now" is
computed at the moment of asking; entries whose last verification is older than
STALE_AFTER are reported to staff. Numbers are ASCII digits (invariant 4), written as
dialled inside the line's country; a number that also works from other countries is
listed under `from_abroad` in international format, only when a source says so
(invariant 12). `placeholders` says what %(name)s in a message shows when its own line
is withdrawn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.core.hours import Hours, HoursError, parse_hours
from bot.core.types import LOCALES

STALE_AFTER = timedelta(days=90)
KINDS = frozenset({"government", "iom_un", "ngo"})
SERVES = ("everyone", "women", "children")  # children: under 18 (shared/spec/safety.md)
ZONES = {"TH": "Asia/Bangkok", "KH": "Asia/Phnom_Penh", "LA": "Asia/Vientiane"}
ZONES["MM"] = "Asia/Yangon"
_KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_LOCAL = re.compile(r"^[0-9][0-9 -]*[0-9]$")
_INTERNATIONAL = re.compile(r"^\+[1-9][0-9 -]*[0-9]$")
_TOLL_FREE = re.compile(r"^\+[0-9]+[ -]*1[ -]*800")
_AGES = re.compile(r"^(\d{1,2})-(\d{1,2})$")
REQUIRED: tuple[str, ...] = ("key", "name", "numbers", "organisation", "kind", "country")
REQUIRED += ("languages", "hours", "tiers", "source")


class DirectoryError(ValueError):
    """The directory file breaks a rule; the message names the entry."""


@dataclass(frozen=True)
class Entry:
    """One hotline."""

    key: str
    name: str
    numbers: tuple[str, ...]  # dialled inside `country`
    organisation: str
    kind: str
    country: str
    languages: tuple[str, ...]
    hours: Hours
    timezone: str
    tiers: tuple[int, ...]
    source: str
    verified_on: date | None
    verified_by: str
    topics: tuple[str, ...] = ()
    serves: tuple[str, ...] = ("everyone",)
    ages: tuple[int, int] | None = None  # the ages the line takes, when a source says
    offer_to: tuple[str, ...] = ()  # only readers of these languages (empty: everyone)
    from_abroad: tuple[str, ...] = ()  # international format, callable from elsewhere
    from_abroad_source: str = ""

    @property
    def always_open(self) -> bool:
        """Answers 24 hours a day, every day."""
        return self.hours.always

    @property
    def hours_known(self) -> bool:
        """The opening hours are known (24/7 or weekly windows)."""
        return self.hours.known

    def is_open(self, now: datetime) -> bool:
        """Open at the given moment (an aware datetime), in the entry's own time zone."""
        return self.hours.is_open(now, ZoneInfo(self.timezone))

    def is_stale(self, today: date) -> bool:
        """Verified too long ago (or never)."""
        return self.verified_on is None or today - self.verified_on > STALE_AFTER

    def dial_from(self, place: str) -> tuple[str, ...]:
        """The numbers to dial from `place` (a country code); empty when none works there."""
        return self.numbers if place == self.country else self.from_abroad

    def speaks(self, locale: str) -> bool:
        """The line answers in this language."""
        return locale in self.languages

    def offered_to(self, locale: str) -> bool:
        """Readers of this language may be offered the line (1155 is for English readers)."""
        return not self.offer_to or locale in self.offer_to

    @property
    def children_only(self) -> bool:
        """A line for under-18s only."""
        return self.serves == ("children",)

    def serves_person(self, child: bool) -> bool:
        """The line is for this person: everyone's lines, and children's for a child.
        The bot never asks anyone's gender, so a line for women is never assumed to fit."""
        return "everyone" in self.serves or (child and "children" in self.serves)


def _listed(raw: dict[str, Any], name: str, key: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise DirectoryError(f"{key}: {name} must be a list, e.g. [my, en]")
    return tuple(str(x) for x in value)


def _numbers(raw: dict[str, Any], key: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    numbers = _listed(raw, "numbers", key)
    if not numbers or not all(_LOCAL.match(n) for n in numbers):
        raise DirectoryError(
            f"{key}: numbers are ASCII digits as dialled inside the country, e.g. '1300' "
            "or '02 343 9300'; a number for callers abroad goes under from_abroad"
        )
    abroad = raw.get("from_abroad")
    if abroad is None:
        return numbers, (), ""
    if not isinstance(abroad, dict) or not abroad.get("source"):
        raise DirectoryError(f"{key}: from_abroad needs numbers and the source that says so")
    international = _listed(abroad, "numbers", key)
    if not international or not all(_INTERNATIONAL.match(n) for n in international):
        raise DirectoryError(f"{key}: from_abroad numbers start with + (e.g. '+66 2 343 9300')")
    if any(_TOLL_FREE.match(n) for n in international):
        raise DirectoryError(f"{key}: toll-free 1-800 numbers work only inside the country")
    return numbers, international, str(abroad["source"])


def _audience(raw: dict[str, Any], key: str) -> tuple[tuple[str, ...], tuple[int, int] | None]:
    serves = _listed(raw, "serves", key) or ("everyone",)
    if not set(serves) <= set(SERVES):
        raise DirectoryError(f"{key}: serves must be among {', '.join(SERVES)}")
    if "ages" not in raw:
        return serves, None
    match = _AGES.match(str(raw["ages"]))
    if not match or int(match[1]) > int(match[2]):
        raise DirectoryError(f"{key}: ages must be like '0-17'")
    return serves, (int(match[1]), int(match[2]))


def _zone(raw: dict[str, Any], key: str, country: str) -> str:
    zone = str(raw.get("timezone") or ZONES.get(country, ""))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise DirectoryError(f"{key}: timezone {zone!r} unknown (e.g. Asia/Bangkok)") from None
    return zone


def _verified(raw: dict[str, Any]) -> tuple[date | None, str]:
    verified = raw.get("verified") or {}
    on = verified.get("date") if isinstance(verified, dict) else None
    by = verified.get("by", "") if isinstance(verified, dict) else ""
    return (on if isinstance(on, date) else None), str(by)


def parse_entry(raw: dict[str, Any]) -> Entry:
    """One validated entry."""
    key = str(raw.get("key", "?"))
    missing = [name for name in REQUIRED if name not in raw]
    if missing:
        raise DirectoryError(f"{key}: missing {', '.join(missing)}")
    if not _KEY.match(key):
        raise DirectoryError(f"{key!r}: key must be 2-32 of a-z 0-9 _ (it is a placeholder)")
    if raw["kind"] not in KINDS:
        raise DirectoryError(f"{key}: kind must be one of {', '.join(sorted(KINDS))}")
    country = str(raw["country"])
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise DirectoryError(f"{key}: country is a two-letter code such as TH, KH, LA, MM")
    numbers, abroad, abroad_source = _numbers(raw, key)
    serves, ages = _audience(raw, key)
    offer_to = _listed(raw, "offer_to", key)
    if not set(offer_to) <= set(LOCALES):
        raise DirectoryError(f"{key}: offer_to lists the bot's languages: {' '.join(LOCALES)}")
    try:
        hours = parse_hours(raw["hours"])
        tiers = tuple(int(t) for t in raw["tiers"])
    except HoursError as error:
        raise DirectoryError(f"{key}: hours {error}") from None
    except (TypeError, ValueError):
        raise DirectoryError(f"{key}: tiers must be a list such as [1, 2]") from None
    verified_on, verified_by = _verified(raw)
    return Entry(
        key=key,
        name=str(raw["name"]),
        numbers=numbers,
        organisation=str(raw["organisation"]),
        kind=str(raw["kind"]),
        country=country,
        languages=_listed(raw, "languages", key),
        hours=hours,
        timezone=_zone(raw, key, country),
        tiers=tiers,
        source=str(raw["source"]),
        verified_on=verified_on,
        verified_by=verified_by,
        topics=_listed(raw, "topics", key),
        serves=serves,
        ages=ages,
        offer_to=offer_to,
        from_abroad=abroad,
        from_abroad_source=abroad_source,
    )


def _placeholders(raw: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise DirectoryError("placeholders: a mapping such as  police: [police, tourist_police]")
    chains = {}
    for name, chain in raw.items():
        if not _KEY.match(str(name)) or not isinstance(chain, list) or not chain:
            raise DirectoryError(f"placeholders: {name}: a list of line keys, its own first")
        chains[str(name)] = tuple(str(k) for k in chain)
    return chains


@dataclass(frozen=True)
class Directory:
    """All entries; `shown` is what users may see."""

    entries: tuple[Entry, ...]
    # %(name)s -> the lines that may fill it, in order (its own line first)
    placeholders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Directory:
        """Read and validate the file; any broken entry refuses the whole file."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("lines"), list):
            raise DirectoryError("hotlines.yml needs `placeholders:` and a list of `lines:`")
        entries = tuple(parse_entry(raw) for raw in data["lines"])
        keys = [e.key for e in entries]
        if len(set(keys)) != len(keys):
            raise DirectoryError("two entries share a key")
        return cls(entries, _placeholders(data.get("placeholders") or {}))

    @property
    def shown(self) -> tuple[Entry, ...]:
        """Verified entries only: an unverified number is never shown."""
        return tuple(e for e in self.entries if e.verified_on is not None)

    def get(self, key: str) -> Entry | None:
        """The verified entry with that key, if any."""
        return next((e for e in self.shown if e.key == key), None)

    def numbers(self) -> dict[str, str]:
        """Each verified entry's own numbers, by key."""
        return {e.key: " / ".join(e.numbers) for e in self.shown}

    def placeholder_names(self) -> frozenset[str]:
        """Every %(name)s the directory fills: its lines' keys and the placeholders'."""
        return frozenset({*self.placeholders, *(e.key for e in self.entries)})

    def resolve(self, name: str) -> Entry | None:
        """The line that fills %(name)s: its own while verified, else the next verified
        line its placeholder lists; None when none of them is verified."""
        chain = self.placeholders.get(name, (name,))
        return next((e for e in map(self.get, chain) if e is not None), None)

    def floor_lines(self) -> tuple[Entry, ...]:
        """The emergency route the floor always has: verified 24-hour tier-1 lines that
        everyone in Thailand can dial. A directory without one is refused."""
        return tuple(
            e
            for e in self.shown
            if e.country == "TH"
            and 1 in e.tiers
            and e.always_open
            and not e.offer_to
            and e.serves_person(child=False)
        )

    def open_now(self, now: datetime) -> tuple[Entry, ...]:
        """Verified entries open at `now`; 24-hour lines are always among them."""
        return tuple(e for e in self.shown if e.is_open(now))

    def stale(self, today: date) -> tuple[Entry, ...]:
        """Entries due for a new phone check."""
        return tuple(e for e in self.entries if e.is_stale(today))

    def warnings(self) -> list[str]:
        """What staff should look at, though nothing is refused."""
        keys = {e.key for e in self.entries}
        return [
            f"hotlines.yml: placeholder {name} lists {key}, which is not a line"
            for name, chain in self.placeholders.items()
            for key in chain
            if key not in keys
        ]

"""Operator desks as data: who serves which languages, tiers and hours, and in which group.

A desks file (DESKS_FILE) looks like this; times are Bangkok time:

    desks:
      - name: issara-my
        organisation: Issara Institute
        chat_id: -1001111111111        # the desk's supergroup, forum topics on
        languages: [my, en]
        tiers: [1, 2, 3]
        hours: ["mon-sun 00:00-24:00"]
        members: [11111111, 22222222]  # optional; default OPERATOR_IDS
        leads: [11111111]              # optional: may also close or transfer others' cases
      - name: iom
        organisation: IOM Thailand
        chat_id: -1002222222222
        languages: [th, my, km, lo, en]
        tiers: [1, 2, 3, 4]
        hours: ["mon-fri 08:30-17:30"]
    fallback: iom                      # takes whatever no open desk serves

Without a file, OPERATOR_CHAT_ID alone makes one desk serving every language and tier,
24 hours a day, whose members are OPERATOR_IDS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.core.clock import BANGKOK
from bot.core.hours import ALWAYS_OPEN, Hours, HoursError, parse_hours
from bot.core.types import LOCALES
from bot.handoff import texts


class DeskError(ValueError):
    """The desks file is malformed; the message names the desk and the field."""


@dataclass(frozen=True)
class Desk:
    """One operators' group and what it serves."""

    name: str
    organisation: str
    chat_id: int
    languages: frozenset[str]
    tiers: frozenset[int]
    hours: Hours = ALWAYS_OPEN  # Bangkok time (bot/core/hours.py, shared with the directory)
    members: frozenset[int] = frozenset()  # empty: OPERATOR_IDS decide
    leads: frozenset[int] = frozenset()  # operators who may close/transfer any case here

    def serves(self, locale: str, tier: int) -> bool:
        """True when the desk takes this language and urgency tier."""
        return locale in self.languages and tier in self.tiers

    def is_open(self, now: datetime) -> bool:
        """True during one of the desk's opening windows (Bangkok time)."""
        return self.hours.is_open(now, BANGKOK)

    def may_act(self, user_id: int, operator_ids: frozenset[int]) -> bool:
        """Only the desk's members (or, without a list, OPERATOR_IDS) and its leads act on
        its cases."""
        return user_id in (self.members or operator_ids) or user_id in self.leads


def _hours(raw: object, name: str) -> Hours:
    if raw is None:
        return ALWAYS_OPEN
    try:  # the same format and parser as the hotline directory's hours
        return parse_hours(raw, allow_unknown=False)
    except HoursError as error:
        raise DeskError(f"desk {name}: hours {error}") from None


def _listed(raw: dict[str, Any], key: str, default: Iterable[Any]) -> list[Any]:
    value = raw.get(key, default)
    if not isinstance(value, (list, tuple, frozenset)):
        raise TypeError(key)
    return list(value)


def _desk(raw: dict[str, Any]) -> Desk:
    name = str(raw.get("name") or "")
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", name):
        raise DeskError(f"desk {name!r}: name must be 1-32 of a-z 0-9 _ -")
    try:
        chat_id = int(str(raw["chat_id"]))
        languages = frozenset(str(x) for x in _listed(raw, "languages", LOCALES))
        tiers = frozenset(int(x) for x in _listed(raw, "tiers", (1, 2, 3, 4)))
        members = frozenset(int(x) for x in _listed(raw, "members", ()))
        leads = frozenset(int(x) for x in _listed(raw, "leads", ()))
    except (KeyError, TypeError, ValueError):
        raise DeskError(
            f"desk {name}: chat_id, languages, tiers, members, leads malformed"
        ) from None
    if not languages <= set(LOCALES) or not tiers <= {1, 2, 3, 4}:
        raise DeskError(f"desk {name}: languages must be in {LOCALES}, tiers in 1-4")
    organisation = str(raw.get("organisation") or "").strip()
    if not organisation:
        raise DeskError(f"desk {name}: organisation is required (users are told who reads)")
    hours = _hours(raw.get("hours"), name)
    return Desk(name, organisation, chat_id, languages, tiers, hours, members, leads)


@dataclass(frozen=True)
class Desks:
    """All desks in file order, and the one that takes what no open desk serves."""

    desks: tuple[Desk, ...]
    fallback: str

    @classmethod
    def load(cls, path: Path) -> Desks:
        """Read and validate a desks file; raise DeskError naming what is wrong."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        desks = tuple(_desk(raw) for raw in data.get("desks") or ())
        if not desks:
            raise DeskError("the desks file lists no desk")
        names = [d.name for d in desks]
        if len(set(names)) != len(names):
            raise DeskError("two desks have the same name")
        fallback = str(data.get("fallback") or names[0])
        if fallback not in names:
            raise DeskError(f"fallback {fallback!r} is not a desk")
        return cls(desks, fallback)

    @classmethod
    def single(cls, chat_id: int, organisation: str = texts.DEFAULT_ORGANISATION) -> Desks:
        """The one-desk setup from OPERATOR_CHAT_ID: everything, all week."""
        desk = Desk(
            "operators", organisation, chat_id, frozenset(LOCALES), frozenset({1, 2, 3, 4})
        )
        return cls((desk,), desk.name)

    def get(self, name: str) -> Desk | None:
        """The desk of that name (a case's desk may have left the file: None)."""
        return next((d for d in self.desks if d.name == name), None)

    def by_chat(self, chat_id: int) -> Desk | None:
        """The desk whose group this is."""
        return next((d for d in self.desks if d.chat_id == chat_id), None)

    def route(self, locale: str, tier: int, now: datetime) -> Desk:
        """The first open desk serving the language and tier, else the fallback desk."""
        for desk in self.desks:
            if desk.serves(locale, tier) and desk.is_open(now):
                return desk
        return self.get(self.fallback) or self.desks[0]

    def next_after(self, current: str, locale: str, tier: int, now: datetime) -> Desk | None:
        """Where an unanswered case goes next: the next open desk serving it (in file order,
        wrapping round), else the fallback; None when there is nowhere else to go."""
        names = [d.name for d in self.desks]
        start = names.index(current) + 1 if current in names else 0
        for desk in self.desks[start:] + self.desks[:start]:
            if desk.name != current and desk.serves(locale, tier) and desk.is_open(now):
                return desk
        fallback = self.get(self.fallback)
        return fallback if fallback and fallback.name != current else None


def load_desks(desks_file: Path | None, operator_chat_id: int | None) -> Desks | None:
    """The configured desks: the file if set, else one desk from OPERATOR_CHAT_ID, else
    None (no hand-off: offers of a person show the hotline numbers)."""
    if desks_file is not None:
        return Desks.load(desks_file)
    if operator_chat_id is not None:
        return Desks.single(operator_chat_id)
    return None

"""Choose the hotlines to show one person, from the directory (issues #5 and #16.2).

Inputs: the tier of the conversation, the person's language, where they are (if they
told us), whether they said they are under 18, and the moment of asking. Rules, in
order (sources: shared/content/brief.md §1.4-1.5, shared/spec/safety.md 3, 6, 9, 12):

- only verified entries (Directory.shown); a line known to be closed now is left out,
  so at night the 24-hour lines remain; unknown hours are shown and marked as such;
- channels run by the Myanmar government are never chosen here (invariant 6: never
  the default for Myanmar users); the options card names them as one choice;
- only numbers that can be dialled from where the person is (invariant 12): a line's
  own numbers inside its country, its `from_abroad` numbers elsewhere; Thailand's
  short codes and toll-free lines are never offered as if they worked in Myanmar.
  When we do not know the place: Thailand's lines plus the home country's of the
  language (a Khmer reader also sees Cambodia's 117);
- a tier's lines are the entries listing that tier; tier 2 adds the police last ("if
  you are in danger now"); tier 1 adds a line in the person's language when none of the
  emergency lines speaks it (Issara's Burmese line after 191 and 1669); the hotline
  list (HOTLIST) shows every line of the place;
- children's lines only for a person under 18, and first for them (invariant 9);
- one organisation with a line per language (Issara) shows the line in the person's
  language, or all of them when none speaks it (English readers);
- when no line there speaks the person's language and is for everyone, the answer says
  so in their language ("I don't know a checked line in Burmese that works in Laos"),
  and adds the lines in their language that work from a phone in Thailand, so that
  someone there can call for them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from bot.core.age import AgeReader
from bot.core.directory import Directory, DirectoryError, Entry
from bot.core.types import Line, Locale, Profile
from bot.i18n import N_, Term

log = logging.getLogger(__name__)
HOTLIST = 4  # "tier" of the plain hotline list: every line of the place
THAILAND = "TH"
HOME_COUNTRY: dict[str, str] = {"my": "MM", "km": "KH", "lo": "LA"}
# labels users read; an entry staff add without a label here shows its English name.
LABELS = {
    "police": N_("🚓 Police (Thailand)"),
    "medical": N_("🚑 Medical emergency (Thailand)"),
    "tourist_police": N_("👮 Tourist Police, in English (Thailand)"),
    "msdhs": N_("☎️ Government help centre for trafficking and abuse, Thai language"),
    "issara_my": N_("☎️ Issara Institute, in Burmese"),
    "issara_km": N_("☎️ Issara Institute, in Khmer"),
    "issara_lo": N_("☎️ Issara Institute, in Lao and Thai"),
    "doe": N_("☎️ Migrant worker hotline, in Burmese, Khmer and English"),
    "dlpw": N_("☎️ Labour hotline (Ministry of Labour)"),
    "childline": N_("🧒 Childline Thailand, for under 18"),
    "kh_police": N_("🚓 Police hotline (Cambodia)"),
    "kh_childline": N_("🧒 Child Helpline Cambodia"),
    "la_women": N_("☎️ Lao Women's Union, for women and children (Laos)"),
}
ALWAYS_OPEN = N_("24 hours")
OPEN_NOW = N_("office hours, open now")
HOURS_UNKNOWN = N_("opening hours not confirmed")
# the person's own language, named in it (they only ever read their own)
LANGUAGE_NAMES = {
    "en": N_("English"),
    "th": N_("Thai"),
    "my": N_("Burmese"),
    "km": N_("Khmer"),
    "lo": N_("Lao"),
}
PLACE_NAMES = {
    "TH": N_("in Thailand"),
    "MM": N_("in Myanmar"),
    "KH": N_("in Cambodia"),
    "LA": N_("in Laos"),
    "other": N_("where you are"),
}
# the honest sentences when nothing fits (invariant 12), after the lines they qualify
NONE_THERE = N_("I don't know a checked phone line that works %(place)s yet.")
NOT_IN_LANGUAGE = N_(
    "I don't know a checked line in %(language)s that works %(place)s yet, so the lines "
    "above may not speak %(language)s."
)
NOT_FOR_EVERYONE = N_(
    "The lines above are only for the people they name. I don't know a checked line in "
    "%(language)s for everyone %(place)s yet."
)
FROM_THAILAND = N_(
    "These lines speak %(language)s, but they work only from a phone in Thailand. "
    "Someone you trust there can call them for you:"
)


@dataclass(frozen=True)
class Routed:
    """The lines for one person: those that work where they are, what is missing, and
    the lines in their language that only work from Thailand."""

    place: str  # where the numbers are dialled from (a country code, or "other")
    local: tuple[Entry, ...]
    gap: str | None = None  # NONE_THERE, NOT_IN_LANGUAGE, NOT_FOR_EVERYONE or None
    from_thailand: tuple[Entry, ...] = ()


def is_myanmar_state(entry: Entry) -> bool:
    """Run by Myanmar's (military) government: never a default line."""
    return entry.country == "MM" and entry.kind == "government"


def places(profile: Profile, locale: Locale) -> tuple[str, ...]:
    """Where the person may be: the place they told us, else Thailand and their home."""
    if profile.where is not None:
        return (profile.where,)
    home = HOME_COUNTRY.get(locale)
    return (THAILAND, home) if home else (THAILAND,)


def _reachable(entry: Entry, where: tuple[str, ...]) -> bool:
    if len(where) > 1:  # place unknown: each line as dialled in its own country
        return entry.country in where
    return bool(entry.dial_from(where[0]))


def _in_language(entries: list[Entry], locale: Locale) -> list[Entry]:
    """Per organisation: its lines in the person's language, or all when none speaks it."""
    speaks = {e.organisation for e in entries if e.speaks(locale)}
    return [e for e in entries if e.organisation not in speaks or e.speaks(locale)]


def _open(entries: Iterable[Entry], now: datetime) -> list[Entry]:
    """Leave out lines known to be closed at `now`; unknown hours stay (marked)."""
    return [e for e in entries if e.always_open or not e.hours_known or e.is_open(now)]


def _for_tier(usable: list[Entry], tier: int, child: bool) -> list[Entry]:
    if tier == HOTLIST:
        chosen = list(usable)
    else:
        chosen = [e for e in usable if tier in e.tiers and (child or not e.children_only)]
    if child:
        chosen.sort(key=lambda e: "children" not in e.serves)  # children's lines first
    if tier == 2:  # the police last: for "if you are in danger now"
        chosen = [e for e in chosen if "police" not in e.topics]
        chosen += [e for e in usable if "police" in e.topics]
    return chosen


def _lines(
    directory: Directory, tier: int, locale: Locale, child: bool, where: tuple[str, ...]
) -> list[Entry]:
    usable = [
        e
        for e in directory.shown
        if not is_myanmar_state(e) and e.offered_to(locale) and _reachable(e, where)
    ]
    usable.sort(key=lambda e: e.country != where[0])  # the person's country first
    chosen = _for_tier(usable, tier, child)
    here = [e for e in usable if _reachable(e, where[:1])]  # where they most likely are
    if tier == 1 and not any(e.speaks(locale) for e in chosen if e in here):
        # danger now: the emergency lines, then someone who speaks the person's language
        chosen += [e for e in _for_tier(here, 2, child) if e.speaks(locale)]
    return list(dict.fromkeys(chosen))  # a line once, where it first comes


def _gap(local: Sequence[Entry], locale: Locale, child: bool) -> str | None:
    if any(e.speaks(locale) and e.serves_person(child) for e in local):
        return None
    if not local:
        return NONE_THERE
    return NOT_FOR_EVERYONE if any(e.speaks(locale) for e in local) else NOT_IN_LANGUAGE


def route(
    directory: Directory, tier: int, locale: Locale, profile: Profile, now: datetime
) -> Routed:
    """The lines to show and, when none fits, what is missing (see the module docstring)."""
    child, where = bool(profile.child), places(profile, locale)
    local = tuple(_open(_in_language(_lines(directory, tier, locale, child, where), locale), now))
    gap = _gap(local, locale, child)
    abroad = THAILAND not in where
    if not abroad or (gap is None and tier != HOTLIST):
        return Routed(where[0], local, gap)
    thai = _lines(directory, tier, locale, child, (THAILAND,))
    in_language = [e for e in _open(thai, now) if e.speaks(locale)]
    return Routed(where[0], local, gap, tuple(in_language))


def choose(
    directory: Directory, tier: int, locale: Locale, profile: Profile, now: datetime
) -> tuple[Entry, ...]:
    """The entries to show where the person is, in order (empty: none checked there)."""
    return route(directory, tier, locale, profile, now).local


def as_lines(routed: Routed, locale: Locale) -> tuple[Line | Term, ...]:
    """The routed answer as rows and sentences to render, in the person's language."""
    place = routed.place
    rows: list[Line | Term] = [_line(e, e.dial_from(place) or e.numbers) for e in routed.local]
    words = {"language": Term(LANGUAGE_NAMES[locale]), "place": Term(PLACE_NAMES[place])}
    if routed.gap is not None:
        rows.append(Term(routed.gap, words))
    if routed.from_thailand:
        rows.append(Term(FROM_THAILAND, words))
        rows += [_line(e, e.numbers) for e in routed.from_thailand]
    return tuple(rows)


def _line(entry: Entry, numbers: tuple[str, ...]) -> Line:
    return Line(LABELS.get(entry.key, entry.name), " / ".join(numbers), hours_note(entry))


def hours_note(entry: Entry) -> str:
    """When the line answers, as a msgid (closed lines are never shown)."""
    if entry.always_open:
        return ALWAYS_OPEN
    return OPEN_NOW if entry.hours_known else HOURS_UNKNOWN


def load_directory(locales_dir: Path) -> Directory | None:
    """The directory for routing; None (fixed texts, built-in numbers) if it is unreadable."""
    try:
        return Directory.load(locales_dir / "hotlines.yml")
    except (OSError, DirectoryError, ValueError, yaml.YAMLError) as error:
        log.error("hotline directory unreadable, routing with fixed texts: %s", error)
        return None


def load_ages(locales_dir: Path) -> AgeReader:
    """The age statements; an unreadable file is logged and ages go unnoticed."""
    try:
        return AgeReader.load(locales_dir / "age")
    except (OSError, ValueError, yaml.YAMLError, re.error) as error:
        log.error("age statements unreadable, running without them: %s", error)
        return AgeReader.empty()

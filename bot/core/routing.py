"""Choose the hotlines to show one user, from the directory (issue #5, routing).

Inputs: the tier of the conversation, the user's language, where the user is (if they
told us), whether they said they are under 18, and the moment of asking. Rules, in
order (sources: shared/content/brief.md §1.4-1.5, shared/spec/safety.md):

- only verified entries (Directory.shown); a line known to be closed now is left out,
  so at night the 24-hour lines remain; unknown hours are shown and marked as such;
- channels run by the Myanmar government are never chosen here (safety.md invariant 6:
  never the default for Myanmar users); the options card names them as one choice;
- the country: where the user is; when we do not know, Thailand's lines plus the home
  country's for the user's language (a Khmer reader also sees Cambodia's 117). Labour
  problems (tier 3) are about work in Thailand, so they always get Thailand's lines;
- a tier's lines are the entries listing that tier; tier 2 adds the police line last
  ("if you are in danger now"); tier 4 (the hotline list) shows every line;
- lines for children (topic `children`) only for a user under 18, and first for them;
  in the general hotline list every user sees them, labelled "under 18";
- one organisation with a line per language (Issara) shows the line in the user's
  language, or all of them when none speaks it (English readers).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import yaml

from bot.core.age import AgeReader
from bot.core.directory import Directory, DirectoryError, Entry
from bot.core.types import Line, Locale, Profile
from bot.i18n import N_

log = logging.getLogger(__name__)
HOTLIST = 4  # "tier" of the plain hotline list: every line of the place
HOME_COUNTRY: dict[str, str] = {"my": "MM", "km": "KH", "lo": "LA"}
# labels users read; an entry staff add without a label here shows its English name.
LABELS = {
    "police": N_("🚓 Police (Thailand)"),
    "medical": N_("🚑 Medical emergency (Thailand)"),
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


def is_myanmar_state(entry: Entry) -> bool:
    """Run by Myanmar's (military) government: never a default line."""
    return entry.country == "MM" and entry.kind == "government"


def countries(tier: int, profile: Profile, locale: Locale) -> tuple[str, ...]:
    """Countries whose lines fit; empty when we have no line for where the user is."""
    if tier == 3:
        return ("TH",)
    if profile.where is None:
        home = HOME_COUNTRY.get(locale)
        return ("TH", home) if home else ("TH",)
    if profile.where == "TH":
        return ("TH",)
    if profile.where in ("KH", "LA", "MM"):
        return (profile.where, "TH") if tier == HOTLIST else (profile.where,)
    return ("TH",) if tier == HOTLIST else ()


def _in_language(entries: list[Entry], locale: Locale) -> list[Entry]:
    """Per organisation: its lines in the user's language, or all when none speaks it."""
    speaks = {e.organisation for e in entries if locale in e.languages}
    return [e for e in entries if e.organisation not in speaks or locale in e.languages]


def _open(entries: Iterable[Entry], now: datetime) -> list[Entry]:
    """Leave out lines known to be closed at `now`; unknown hours stay (marked)."""
    return [e for e in entries if e.always_open or not e.hours_known or e.is_open(now)]


def choose(
    directory: Directory, tier: int, locale: Locale, profile: Profile, now: datetime
) -> tuple[Entry, ...]:
    """The entries to show, in order. Empty means: no checked line for that place."""
    places = countries(tier, profile, locale)
    usable = [e for e in directory.shown if not is_myanmar_state(e) and e.country in places]
    usable.sort(key=lambda e: places.index(e.country))  # the user's country first
    child = bool(profile.child)
    if tier == HOTLIST:
        chosen = list(usable)
    else:
        chosen = [e for e in usable if tier in e.tiers]
        if not child:
            chosen = [e for e in chosen if "children" not in e.topics]
    if child:
        chosen.sort(key=lambda e: "children" not in e.topics)
    if tier == 2:  # the police last: for "if you are in danger now"
        chosen = [e for e in chosen if "police" not in e.topics]
        chosen += [e for e in usable if "police" in e.topics]
    return tuple(_open(_in_language(chosen, locale), now))


def help_in_language(directory: Directory, locale: Locale, now: datetime) -> tuple[Entry, ...]:
    """Lines in Thailand that speak the user's language: advice when nothing is local."""
    ngos = [
        e
        for e in directory.shown
        if e.country == "TH" and e.kind == "ngo" and "children" not in e.topics
    ]
    return tuple(_open(_in_language(ngos, locale), now))


def as_lines(entries: Iterable[Entry]) -> tuple[Line, ...]:
    """Entries as lines to render: label msgid, ASCII numbers, hours note msgid."""
    return tuple(
        Line(LABELS.get(e.key, e.name), " / ".join(e.numbers), hours_note(e)) for e in entries
    )


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

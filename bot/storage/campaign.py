"""Campaign tables: attribution sources, the aggregate counters, reports already posted.

Nothing here holds a person. A counter row is (day, language, source, step, item,
variant) -> n; counters are upserted (n = n + k), never appended as events, so /forget
has nothing to remove from them. The only per-person trace of attribution is
`user.source` on the pseudonymous user row (erased with it by /forget): the first source
a person arrived through, so that one person's arrival counts once. An arrival only marks
a row the user store wrote; it never writes one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.campaign.tally import ARRIVAL, Arrival, Event
from bot.storage.models import Base, User
from bot.storage.session import run_bounded

# a person's source when they came without a code, or with one nobody issued
DIRECT, OTHER, UNKNOWN = "direct", "other", "unknown"
Key = tuple[date, str, str, str, str, str]  # day, locale, source, step, item, variant


class SourceRow(Base):  # type: ignore[misc,valid-type]
    """One place people come from: a poster, a radio spot, a partner's leaflet."""

    __tablename__ = "campaign_source"

    code = Column(String(64), primary_key=True)  # the deep link's payload
    name = Column(String(200), nullable=False)
    channel = Column(String(40), nullable=False)
    locale = Column(String(8), nullable=False)
    partner = Column(String(200), nullable=False, default="")
    origin = Column(String(8), nullable=False)  # "file" (locales/sources.yml) or "staff"
    retired = Column(Boolean, nullable=False, default=False)
    created_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


class TallyRow(Base):  # type: ignore[misc,valid-type]
    """One aggregate counter: how many times a step happened in one cell."""

    __tablename__ = "campaign_tally"

    day: Column[date] = Column(Date, primary_key=True)
    locale = Column(String(8), primary_key=True)
    source = Column(String(64), primary_key=True)
    step = Column(String(24), primary_key=True)
    item = Column(String(64), primary_key=True)
    variant = Column(String(24), primary_key=True)
    n = Column(Integer, nullable=False)


class ReportRow(Base):  # type: ignore[misc,valid-type]
    """A scheduled report already posted: claimed once, by one process."""

    __tablename__ = "campaign_report"

    period = Column(String(32), primary_key=True)  # e.g. "week:2026-11-23"
    sent_at: Column[datetime] = Column(DateTime(timezone=True), nullable=False)


def save_source(session: Session, row: Mapping[str, object], now: datetime) -> bool:
    """Insert or update a source by code; False if the code is taken by the other origin."""
    found = session.get(SourceRow, row["code"])
    if found is None:
        session.add(SourceRow(**row, created_at=now, retired=False))
        return True
    if found.origin != row["origin"]:
        return False
    for name, value in row.items():
        setattr(found, name, value)
    found.retired = False
    return True


def retire_missing(session: Session, origin: str, keep: Iterable[str]) -> int:
    """Retire the sources of one origin that are no longer listed (their figures stay)."""
    result = session.execute(
        update(SourceRow)
        .where(SourceRow.origin == origin, SourceRow.code.not_in(list(keep)))
        .values(retired=True)
    )
    return int(result.rowcount or 0)


def retire(session: Session, code: str) -> bool:
    """Retire one staff-made source; its link then counts as "other"."""
    result = session.execute(
        update(SourceRow)
        .where(SourceRow.code == code, SourceRow.origin == "staff")
        .values(retired=True)
    )
    return bool(result.rowcount)


def sources(session: Session, with_retired: bool = False) -> list[SourceRow]:
    """Every source, oldest first."""
    query = select(SourceRow).order_by(SourceRow.created_at, SourceRow.code)
    if not with_retired:
        query = query.where(SourceRow.retired.is_(False))
    return list(session.execute(query).scalars())


def arrive(session: Session, pseudonym: str, source: str) -> bool | None:
    """Mark the source of the person's first arrival on their row. True: this was their
    first arrival (count it); False: their row already has a source (a repeat scan);
    None: they have no row yet, so the arrival waits. Rows are written only by the user
    store (bot/storage/users.py), after the reply: an arrival never creates a person, so
    it cannot bring back one /forget erased."""
    result = session.execute(
        update(User)
        .where(User.pseudonym == pseudonym, User.source.is_(None))
        .values(source=source)
    )
    if result.rowcount:
        return True
    found = session.execute(select(User.pseudonym).where(User.pseudonym == pseudonym)).first()
    return False if found is not None else None


def people(session: Session, pseudonyms: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Locale and source of the given people (absent ones are left out)."""
    wanted = list(set(pseudonyms))
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(User.pseudonym, User.locale, User.source).where(
                User.pseudonym.in_(wanted[start : start + 500])
            )
        )
        for pseudonym, locale, source in rows:
            found[pseudonym] = (locale, source or DIRECT)
    return found


def add_counts(session: Session, counts: Mapping[Key, int]) -> None:
    """Upsert counters: n = n + k for every cell (one statement, many rows)."""
    if not counts:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(TallyRow)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "locale", "source", "step", "item", "variant"],
        set_={"n": TallyRow.n + statement.excluded.n},
    )
    rows = [
        {
            "day": day,
            "locale": locale,
            "source": source,
            "step": step,
            "item": item,
            "variant": variant,
            "n": k,
        }
        for (day, locale, source, step, item, variant), k in counts.items()
    ]
    for start in range(0, len(rows), 1000):
        session.execute(statement, rows[start : start + 1000])


def counts(session: Session, first: date, last: date) -> list[tuple[Key, int]]:
    """Every counter of the days first..last (inclusive)."""
    rows = session.execute(
        select(
            TallyRow.day,
            TallyRow.locale,
            TallyRow.source,
            TallyRow.step,
            TallyRow.item,
            TallyRow.variant,
            TallyRow.n,
        ).where(TallyRow.day >= first, TallyRow.day <= last)
    )
    return [((r[0], r[1], r[2], r[3], r[4], r[5]), int(r[6])) for r in rows]


def claim_report(session: Session, period: str, now: datetime) -> bool:
    """Claim the posting of a scheduled report; False if another run already did, or if
    this is the first check ever: a new installation starts with the next period rather
    than posting an empty report of the past one."""
    first_ever = session.execute(select(ReportRow.period).limit(1)).first() is None
    try:
        with session.begin_nested():
            session.add(ReportRow(period=period, sent_at=now))
        return not first_ever
    except IntegrityError:
        return False


def unclaim_report(session: Session, period: str) -> None:
    """A report that could not be posted is tried again at the next check."""
    found = session.get(ReportRow, period)
    if found is not None:
        session.delete(found)


def write_tally(
    session: Session, arrivals: list[Arrival], events: Counter[Event]
) -> list[Arrival]:
    """Mark first arrivals, then add every event to its aggregate cell (caller commits);
    the arrivals of people who have no row yet, to try again at the next write."""
    known = set(
        session.execute(select(SourceRow.code).where(SourceRow.retired.is_(False))).scalars()
    )
    first: list[tuple[Arrival, str]] = []
    waiting: list[Arrival] = []
    for arrival in arrivals:
        source = arrival.code if arrival.code in known else (OTHER if arrival.code else DIRECT)
        marked = arrive(session, arrival.sender, source)
        if marked:
            first.append((arrival, source))
        elif marked is None:
            waiting.append(arrival)
    found = people(session, [e.sender for e in events] + [a.sender for a, _ in first])
    cells: Counter[Key] = Counter()
    for arrival, source in first:
        locale = arrival.locale or found.get(arrival.sender, ("en", ""))[0]
        cells[(arrival.day, locale, source, ARRIVAL, "", "")] += 1
    for event, k in events.items():
        locale, source = found.get(event.sender, ("", UNKNOWN))
        key = (
            event.day,
            event.locale or locale or "en",
            source,
            event.step,
            event.item,
            event.variant,
        )
        cells[key] += k
    add_counts(session, cells)
    return waiting


class SqlTallyStore:
    """TallyStore on SQLAlchemy: one bounded transaction per write."""

    def __init__(self, sessions: sessionmaker[Session], timeout: float = 10.0) -> None:
        self._sessions = sessions
        self._timeout = timeout

    async def write(self, arrivals: list[Arrival], events: Counter[Event]) -> list[Arrival]:
        """Mark arrivals and add events; the arrivals still waiting for their person's row.
        Raises StorageUnavailable when the DB is down."""
        return await run_bounded(
            self._sessions,
            lambda s: write_tally(s, arrivals, events),
            True,
            self._timeout,
        )

"""Users are stored by pseudonym with their language; a dead database never raises."""

from datetime import datetime, timezone

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.core.clock import now
from bot.storage.schema import metadata
from bot.storage.session import migrate, new_engine, new_sessionmaker
from bot.storage.users import SqlUserStore


async def test_language_is_remembered_across_stores(engine: Engine) -> None:
    await SqlUserStore(new_sessionmaker(engine), clock=now).remember("p1", "my")
    assert await SqlUserStore(new_sessionmaker(engine), clock=now).get_locale("p1") == "my"
    assert await SqlUserStore(new_sessionmaker(engine), clock=now).get_locale("nobody") is None


async def test_switching_language_updates_the_row(engine: Engine) -> None:
    store = SqlUserStore(new_sessionmaker(engine), clock=now)
    await store.remember("p1", "th")
    await store.remember("p1", "lo")
    assert await store.get_locale("p1") == "lo"


async def test_first_and_last_seen_are_kept(engine: Engine) -> None:
    from bot.storage.users import remember

    sessions = new_sessionmaker(engine)
    first = datetime(2026, 1, 1, tzinfo=timezone.utc)
    later = datetime(2026, 2, 1, tzinfo=timezone.utc)
    with sessions() as s, s.begin():
        remember(s, "p1", "km", first)
    with sessions() as s, s.begin():
        remember(s, "p1", "km", later)
    from bot.storage.models import User

    with sessions() as s:
        user = s.get(User, "p1")
        assert user.first_seen.replace(tzinfo=timezone.utc) == first
        assert user.last_seen.replace(tzinfo=timezone.utc) == later


def test_migrations_match_the_models(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(metadata.tables)
    columns = {c["name"] for c in inspect(engine).get_columns("user")}
    assert columns == {c.name for c in metadata.tables["user"].columns}


def test_migrating_twice_is_harmless(engine: Engine) -> None:
    migrate(engine)


async def test_unreachable_database_is_survived() -> None:
    dead = new_engine("postgresql+psycopg2://nobody:x@127.0.0.1:1/none")
    store = SqlUserStore(new_sessionmaker(dead), timeout=5, clock=now)
    assert await store.get_locale("p1") is None
    await store.remember("p1", "th")  # logs, does not raise


async def test_place_and_age_are_remembered_and_can_change(engine: Engine) -> None:
    from bot.core.types import Profile

    store = SqlUserStore(new_sessionmaker(engine), clock=now)
    await store.remember("p1", "km")
    assert await store.get_profile("p1") == Profile()
    await store.remember_profile("p1", Profile(where="KH", child=True))
    fresh = SqlUserStore(new_sessionmaker(engine), clock=now)  # another process reads it
    assert await fresh.get_profile("p1") == Profile("KH", True)
    await store.remember_profile("p1", Profile(where="TH", child=True))
    assert await store.get_profile("p1") == Profile(where="TH", child=True)
    assert await store.get_profile("nobody") is None


async def test_unreachable_database_keeps_no_profile_and_does_not_raise() -> None:
    from bot.core.types import Profile

    dead = new_engine("postgresql+psycopg2://nobody:x@127.0.0.1:1/none")
    store = SqlUserStore(new_sessionmaker(dead), timeout=5, clock=now)
    assert await store.get_profile("p1") is None
    await store.remember_profile("p1", Profile(where="LA"))

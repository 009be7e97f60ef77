"""The one clock: the real time, or BOT_TEST_NOW's moment running on from when it is read."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.core import clock

NIGHT = "2026-12-01T23:30:00+07:00"


def test_the_real_clock_is_aware_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.TEST_NOW, raising=False)
    now = clock.now()
    assert now.tzinfo is not None and abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert clock.bangkok_now().utcoffset() == timedelta(hours=7)


def test_a_test_moment_starts_there_and_runs_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.TEST_NOW, NIGHT)
    first = clock.now()
    assert timedelta(0) <= first - datetime.fromisoformat(NIGHT) < timedelta(seconds=5)
    assert clock.now() >= first  # it runs on, so timers in a night test still fire
    assert clock.bangkok_now().hour == 23


@pytest.mark.parametrize("raw", ["tonight", "2026-12-01T23:30:00"])  # no offset: refused
def test_a_bad_test_moment_leaves_the_real_clock(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(clock.TEST_NOW, raw)
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)

"""Local dates and times of a branch's zone, on a clock the test moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from oms.clock import ManualClock
from oms.timezones import instant, is_timezone, local_now, local_today


def test_known_and_unknown_names() -> None:
    assert is_timezone("Asia/Manila")
    assert is_timezone("UTC")
    assert not is_timezone("Asia/Atlantis")
    assert not is_timezone("../../etc/passwd")
    assert not is_timezone("")


def test_manila_today_turns_before_utc_today() -> None:
    # 16:30 UTC on the 29th is 00:30 on the 30th in Manila (UTC+8, no daylight saving).
    clock = ManualClock(datetime(2026, 11, 29, 16, 30, tzinfo=UTC))
    assert local_today("Asia/Manila", clock) == date(2026, 11, 30)
    assert local_today("UTC", clock) == date(2026, 11, 29)
    assert local_now("Asia/Manila", clock).utcoffset() == timedelta(hours=8)


def test_wall_clock_instant_of_a_branch() -> None:
    nine_in_manila = instant("Asia/Manila", date(2026, 12, 1), time(9, 0))
    assert nine_in_manila.astimezone(UTC) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(datetime(2026, 11, 30, tzinfo=UTC))
    before = clock.monotonic()
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 11, 30, 0, 5, tzinfo=UTC)
    assert clock.monotonic() - before == 300
    with pytest.raises(ValueError, match="never goes back"):
        clock.advance(-1)

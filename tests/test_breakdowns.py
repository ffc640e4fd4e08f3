"""Time buckets (app.breakdowns): the zone's hours and days, where clocks change too,
against the reference's minute-by-minute reading of the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app.breakdowns import QUARTER_HOUR, Buckets, Dimension, time_zone
from tests import reference

# Zones with odd offsets and clock changes at odd times: a skipped or repeated midnight
# (Santiago, Havana, Beirut), a 30-minute change (Lord Howe), offsets of 45 minutes.
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "Asia/Kathmandu",
    "Pacific/Chatham",
)
YEAR = 2026


def clock_changes(zone: ZoneInfo) -> list[datetime]:
    """The instants of the year at which the zone's offset changes."""
    return reference.clock_changes(zone, YEAR)


def test_every_zone_but_utc_and_kathmandu_changes_its_clocks_twice() -> None:
    counts = {name: len(clock_changes(ZoneInfo(name))) for name in ZONES}
    steady = {"UTC", "Asia/Kathmandu"}
    assert counts == {name: 0 if name in steady else 2 for name in ZONES}


@pytest.mark.parametrize("name", ZONES)
@pytest.mark.parametrize("dimension", [Dimension.LAST_ATTEMPT_HOUR, Dimension.LAST_ATTEMPT_DAY])
def test_buckets_around_clock_changes_are_the_wall_clocks(name: str, dimension: Dimension) -> None:
    zone = ZoneInfo(name)
    around = clock_changes(zone) or [datetime(YEAR, 6, 15, tzinfo=UTC)]
    for change in around:
        buckets = Buckets(dimension, zone)
        # Every quarter-hour (as the databases group them), for a day and more either side.
        for step in range(-26 * 4, 26 * 4):
            moment = change + step * QUARTER_HOUR
            start = buckets.start(moment)
            want = reference.time_bucket(moment, dimension.value, zone)
            assert (start, buckets.end(start)) == want, moment


def test_time_zones_are_iana_names() -> None:
    assert time_zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")
    for name in ("Mars/Olympus", "", "europe/berlin", "../etc/passwd", "Europe", "X" * 200):
        with pytest.raises(ValueError, match="unknown IANA time zone"):
            time_zone(name)


@pytest.mark.parametrize("name", ["Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize("dimension", [Dimension.LAST_ATTEMPT_HOUR, Dimension.LAST_ATTEMPT_DAY])
def test_the_ends_of_time_are_buckets_too(name: str, dimension: Dimension) -> None:
    """Last attempts in the first and last hours a datetime holds: no overflow, each
    quarter-hour in one bucket that ends after it."""
    zone = ZoneInfo(name)
    buckets = Buckets(dimension, zone)
    first = datetime(1, 1, 1, tzinfo=UTC)
    last = datetime(9999, 12, 31, 23, 45, tzinfo=UTC)
    for quarter in [first + n * QUARTER_HOUR for n in range(8)] + [
        last - n * QUARTER_HOUR for n in range(8)
    ]:
        start = buckets.start(quarter)
        assert start <= quarter < buckets.end(start)

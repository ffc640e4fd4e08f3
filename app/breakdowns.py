"""Breakdowns: a campaign's audience stats per group of one to three dimensions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from app.errors import BadInput
from app.stats import AudienceStats

MAX_DIMENSIONS = 3
MAX_GROUPS = 1_000  # of one campaign's breakdown; more is BAD_USER_INPUT
MAX_TIME_ZONE_LENGTH = 64
# The databases group last attempts by this span of UTC; every current IANA zone's offsets
# and changes of offset fall on its boundaries, so each span lies in one hour and one day of
# any zone, and folding spans into the zone's buckets is exact.
QUARTER_HOUR = timedelta(minutes=15)
_JUST_BEFORE = timedelta(microseconds=1)


class Dimension(Enum):
    """What a breakdown groups by; each value names its key (the audience column it reads,
    or the time bucket of last_attempt_at)."""

    STATUS = "status"
    CALL_STATUS = "call_status"
    FIRST_STATUS = "first_status"
    LAST_STATUS = "last_status"
    ATTEMPT = "attempt"
    LAST_DISPOSITION = "last_disposition"
    LAST_ATTEMPT_HOUR = "last_attempt_hour"
    LAST_ATTEMPT_DAY = "last_attempt_day"

    @property
    def in_rollup(self) -> bool:
        """Whether the rollup's key holds it; the others are read from the records."""
        return self.value in ("status", "call_status", "first_status", "last_status", "attempt")

    @property
    def is_time(self) -> bool:
        return self in (Dimension.LAST_ATTEMPT_HOUR, Dimension.LAST_ATTEMPT_DAY)


def dimensions(by: Iterable[Dimension]) -> tuple[Dimension, ...]:
    """The dimensions asked for, in order: one to MAX_DIMENSIONS, none twice, at most one
    time bucket (an hour lies in one day: by both is by hour)."""
    found = tuple(by)
    if not 1 <= len(found) <= MAX_DIMENSIONS:
        raise BadInput("by", f"give 1 to {MAX_DIMENSIONS} dimensions, got {len(found)}")
    if len(set(found)) != len(found):
        raise BadInput("by", "a dimension may be given once")
    if sum(d.is_time for d in found) > 1:
        raise BadInput("by", "give at most one of LAST_ATTEMPT_HOUR and LAST_ATTEMPT_DAY")
    return found


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone of that name (such as "Europe/Berlin" or "UTC"); ValueError if
    there is none."""
    if len(name) > MAX_TIME_ZONE_LENGTH or name not in _zone_names():
        raise ValueError(f"unknown IANA time zone {name[:MAX_TIME_ZONE_LENGTH]!r}")
    return ZoneInfo(name)


UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class Group:
    """One group of a breakdown: a value (None for none) of each dimension, in the order of
    the dimensions asked for, and the stats of its records. A time bucket's value is its
    start; `until` is its end (exclusive), where the breakdown has a time dimension."""

    key: tuple[Any, ...]
    stats: AudienceStats
    until: datetime | None = None


def in_zone(groups: Iterable[Group], by: tuple[Dimension, ...], zone: ZoneInfo) -> list[Group]:
    """The groups with quarter-hours of UTC (as the databases group them) folded into the
    hours or days of the zone, in the documented order; bucket starts and ends are shown in
    the zone."""
    time = next((n for n, d in enumerate(by) if d.is_time), None)
    if time is None:
        return ordered(groups)
    buckets = Buckets(by[time], zone)
    # In UTC until shown: equal wall times of a repeated hour are different instants.
    folded: dict[tuple[Any, ...], AudienceStats] = {}
    for group in groups:
        quarter = group.key[time]
        bucket = None if quarter is None else buckets.start(quarter)
        key = (*group.key[:time], bucket, *group.key[time + 1 :])
        found = folded.get(key)
        folded[key] = group.stats if found is None else found + group.stats
    shown = []
    for group in ordered(Group(key, stats) for key, stats in folded.items()):
        start = group.key[time]
        if start is not None:
            key = (*group.key[:time], shown_in(zone, start), *group.key[time + 1 :])
            group = Group(key, group.stats, shown_in(zone, buckets.end(start)))
        shown.append(group)
    return shown


def shown_in(zone: ZoneInfo, moment: datetime) -> datetime:
    """The instant with the zone's offset; in UTC where that is past year 1 or 9999."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


class Buckets:
    """The hours or the days of a time zone, as the wall clock shows them: a new day begins
    where its date changes, a new hour where its hour changes or its minutes turn to 00 (so
    an hour that clocks set back repeat is two buckets). Instants are in UTC.

    Every current zone's clock changes at a quarter-hour of UTC, so only those are looked
    at; each is looked at once (a day's quarter-hours share their walk back to its start).
    """

    def __init__(self, dimension: Dimension, zone: ZoneInfo) -> None:
        self._day = dimension is Dimension.LAST_ATTEMPT_DAY
        self._zone = zone
        self._starts: dict[datetime, datetime] = {}

    def start(self, quarter: datetime) -> datetime:
        """The start of the bucket that holds the quarter-hour starting then."""
        walked = []
        while quarter not in self._starts and not self._begins(quarter):
            walked.append(quarter)
            quarter -= QUARTER_HOUR
        start = self._starts.get(quarter, quarter)
        for seen in (*walked, quarter):
            self._starts[seen] = start
        return start

    def end(self, start: datetime) -> datetime:
        """The start of the next bucket."""
        try:
            quarter = start + QUARTER_HOUR
            while not self._begins(quarter):
                quarter += QUARTER_HOUR
        except OverflowError:  # the last quarter-hour of year 9999
            return datetime.max.replace(tzinfo=UTC_ZONE)
        return quarter

    def _begins(self, moment: datetime) -> bool:
        try:
            now, before = (
                moment.astimezone(self._zone),
                (moment - _JUST_BEFORE).astimezone(self._zone),
            )
        except OverflowError:  # the zone's wall clock is past year 1 or 9999 there
            return True
        if self._day:
            return now.date() != before.date()
        return now.hour != before.hour or (now.minute == 0 and before.minute != 0)


def ordered(groups: Iterable[Group]) -> list[Group]:
    """Groups in the documented order: by each dimension in turn, values ascending (statuses
    by code, texts by code point, attempts as numbers, time buckets by start), NULL last."""
    return sorted(groups, key=lambda g: tuple(_ascending(value) for value in g.key))


def _ascending(value: Any) -> tuple[bool, Any]:
    return (value is None, 0 if value is None else value)


def too_many(campaign_id: int, groups: int) -> BadInput:
    return BadInput(
        "by",
        f"campaign {campaign_id} has {groups:,} groups by these dimensions, more than the "
        f"{MAX_GROUPS:,} a breakdown returns: narrow the filter or group by fewer dimensions",
    )

"""A plain-Python model of the stats and the filter (contract sections 2 and 3).

Written from the contract alone, on purpose without app.stats, app.filters or
app.repository, so that the property tests compare the app with an independent reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

SUCCESSFUL_CALL_STATUSES = frozenset({"AGENT_ENDED", "USER_ENDED", "COMPLETED", "ANSWER"})
KNOWN_CALL_STATUSES = (
    "AGENT_ENDED",
    "USER_ENDED",
    "COMPLETED",
    "ANSWER",
    "NO_ANSWER",
    "BUSY",
    "FAILED",
    "REJECTED",
    "CANCELED",
    "NOT_REACHABLE",
    "IN_PROGRESS",
    "RINGING",
)
AUDIENCE_STATUS_CODES = {"FRESH": 0, "COMPLETED": 1, "HALTED": 2, "INQUEUE": 3}
# Characters of the given mobile number text that the filter ignores.
MOBILE_SEPARATORS = " -.()"
# The AudienceFilter field holding each text-status list, and the audience column it tests.
TEXT_STATUS_FILTERS = {
    "callStatus": "call_status",
    "firstStatus": "first_status",
    "lastStatus": "last_status",
}
# The AudienceNullableField values and their columns; texts among them whose empty value
# counts as none.
NULLABLE_COLUMNS = {
    "CALL_STATUS": "call_status",
    "FIRST_STATUS": "first_status",
    "LAST_STATUS": "last_status",
    "LAST_DISPOSITION": "last_disposition",
    "LAST_ATTEMPT_AT": "last_attempt_at",
}
NULLABLE_TEXTS = ("call_status", "first_status", "last_status", "last_disposition")
# The time bucket dimensions, as breakdown columns.
TIME_BUCKETS = ("last_attempt_hour", "last_attempt_day")


@dataclass(frozen=True)
class Stats:
    total_audience: int
    coverage: Decimal
    total_attempt: int
    total_duration: int
    successful_calls: int


def coverage(successful_calls: int, total_attempt: int) -> Decimal:
    """successful_calls / total_attempt * 100, rounded half up to 2 decimals; 0 without attempts."""
    if total_attempt == 0:
        return Decimal(0)
    hundredths = Fraction(successful_calls * 100 * 100, total_attempt)
    # Both numbers are >= 0, so half up is floor(x + 1/2).
    return Decimal(math.floor(hundredths + Fraction(1, 2))).scaleb(-2)


def normalize_mobile(text: str) -> str:
    return "".join(char for char in text if char not in MOBILE_SEPARATORS)


def _values(value: Any) -> list[Any] | None:
    """The values of a list filter, or None for "no constraint" (absent, null or empty)."""
    if value is None:
        return None
    # GraphQL coerces a single value given for a list input to a one-element list.
    values = list(value) if isinstance(value, list | tuple) else [value]
    return values or None


def instant(value: datetime | str) -> datetime:
    """A DateTime value of the API: ISO 8601 text or a datetime; no offset is UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _no_value(row: Mapping[str, Any], column: str) -> bool:
    return row[column] is None or (column in NULLABLE_TEXTS and row[column] == "")


def matches(row: Mapping[str, Any], audience_filter: Mapping[str, Any] | None) -> bool:
    """Whether an audience row (table column names) matches a GraphQL AudienceFilter dict."""
    if not audience_filter:
        return True
    mobile = audience_filter.get("mobileNo")
    if mobile and normalize_mobile(mobile) not in row["mobile_no"]:
        return False
    statuses = _values(audience_filter.get("status"))
    if statuses is not None and row["status"] not in {AUDIENCE_STATUS_CODES[s] for s in statuses}:
        return False
    attempts = _values(audience_filter.get("attempt"))
    if attempts is not None and row["attempt"] not in set(attempts):
        return False
    # Each nullable column: any of its tests passes (a listed value, the range, no value);
    # with none of them given, it is not constrained.
    or_null = {NULLABLE_COLUMNS[name] for name in _values(audience_filter.get("isNull")) or ()}
    tests: dict[str, list[bool]] = {column: [] for column in NULLABLE_COLUMNS.values()}
    for field, column in TEXT_STATUS_FILTERS.items():
        # Blank values carry no constraint.
        wanted = [v.strip().upper() for v in _values(audience_filter.get(field)) or ()]
        if wanted := [v for v in wanted if v]:
            tests[column].append(row[column] in wanted)
    dispositions = [v for v in _values(audience_filter.get("lastDisposition")) or () if v != ""]
    if dispositions:
        tests["last_disposition"].append(row["last_disposition"] in dispositions)
    within = audience_filter.get("lastAttemptAt") or {}
    start, end = within.get("from"), within.get("to")
    if start is not None or end is not None:
        moment = row["last_attempt_at"]
        tests["last_attempt_at"].append(
            moment is not None
            and (start is None or instant(moment) >= instant(start))
            and (end is None or instant(moment) < instant(end))
        )
    for column in or_null:
        tests[column].append(_no_value(row, column))
    return all(any(passed) for passed in tests.values() if passed)


def stats(rows: Iterable[Mapping[str, Any]], audience_filter: Mapping[str, Any] | None) -> Stats:
    """The five stats over the rows that match the filter (rows of one campaign)."""
    matching = [row for row in rows if matches(row, audience_filter)]
    total_attempt = sum(row["attempt"] for row in matching)
    successful_calls = sum(1 for row in matching if row["call_status"] in SUCCESSFUL_CALL_STATUSES)
    return Stats(
        total_audience=len(matching),
        coverage=coverage(successful_calls, total_attempt),
        total_attempt=total_attempt,
        total_duration=sum(row["duration"] for row in matching),
        successful_calls=successful_calls,
    )


def rest_body(expected: Stats) -> dict[str, Any]:
    """The stats as the REST endpoint's 200 body (contract section 5): coverage a JSON number."""
    return {
        "total_audience": expected.total_audience,
        "coverage": float(expected.coverage),
        "total_attempt": expected.total_attempt,
        "total_duration": expected.total_duration,
        "successful_calls": expected.successful_calls,
    }


def breakdown(
    rows: Iterable[Mapping[str, Any]],
    audience_filter: Mapping[str, Any] | None,
    columns: Sequence[str],
    zone: str = "UTC",
) -> dict[tuple[Any, ...], Stats]:
    """The stats of each group of the matching rows by the columns' values (None for NULL or
    an empty text); a time bucket column's value is the (start, end) of its bucket in the
    zone."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        if matches(row, audience_filter):
            key = tuple(_group_value(row, column, ZoneInfo(zone)) for column in columns)
            groups.setdefault(key, []).append(row)
    return {key: stats(members, None) for key, members in groups.items()}


def _group_value(row: Mapping[str, Any], column: str, zone: ZoneInfo) -> Any:
    if column in TIME_BUCKETS:
        moment = row["last_attempt_at"]
        return None if moment is None else time_bucket(instant(moment), column, zone)
    return None if _no_value(row, column) else row[column]


def time_bucket(moment: datetime, column: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The (start, end) of the zone's hour or day that holds the moment, found minute by
    minute: a new day begins where the wall clock's date changes; a new hour where its hour
    changes or its minutes read 00 (clocks set back repeat an hour: two buckets)."""
    start = moment.astimezone(UTC).replace(second=0, microsecond=0)
    while not _begins(start, column, zone):
        start -= _MINUTE
    end = start + _MINUTE
    while not _begins(end, column, zone):
        end += _MINUTE
    return start, end


_MINUTE = timedelta(minutes=1)


@cache
def clock_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The instants of the year at which the zone's offset changes (to the minute)."""
    moment, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    changes, hour = [], timedelta(hours=1)
    while moment < end:
        if moment.astimezone(zone).utcoffset() != (moment + hour).astimezone(zone).utcoffset():
            change = moment + _MINUTE
            while change.astimezone(zone).utcoffset() == moment.astimezone(zone).utcoffset():
                change += _MINUTE
            changes.append(change)
        moment += hour
    return changes


@cache
def _begins(at: datetime, column: str, zone: ZoneInfo) -> bool:
    now, before = at.astimezone(zone), (at - _MINUTE).astimezone(zone)
    if column == "last_attempt_day":
        return now.date() != before.date()
    return now.hour != before.hour or (now.minute == 0 and before.minute != 0)


def graphql_stats(expected: Stats) -> dict[str, Any]:
    """AudienceStats as GraphQL answers them: BigInt fields are strings."""
    return {
        "totalAudience": expected.total_audience,
        "coverage": expected.coverage,
        "totalAttempt": str(expected.total_attempt),
        "totalDuration": str(expected.total_duration),
        "successfulCalls": expected.successful_calls,
    }


def exact_coverage(stats: dict[str, Any]) -> dict[str, Any]:
    """The answer with its coverage as the Decimal the JSON number spells."""
    value = stats["coverage"]
    assert isinstance(value, int | float), stats
    assert not isinstance(value, bool), stats
    return {**stats, "coverage": Decimal(str(value))}


def rest_stats(expected: Stats) -> dict[str, Any]:
    """AudienceStats as the REST twins answer them (coverage compared as a Decimal)."""
    return {
        "total_audience": expected.total_audience,
        "coverage": expected.coverage,
        "total_attempt": expected.total_attempt,
        "total_duration": expected.total_duration,
        "successful_calls": expected.successful_calls,
    }

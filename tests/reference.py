"""A plain-Python model of the stats and the filter (contract sections 2 and 3).

Written from the contract alone, on purpose without app.stats, app.filters or
app.repository, so that the property tests compare the app with an independent reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

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
    for field, column in TEXT_STATUS_FILTERS.items():
        wanted = _values(audience_filter.get(field))
        if wanted is not None and row[column] not in {value.upper() for value in wanted}:
            return False
    attempts = _values(audience_filter.get("attempt"))
    return attempts is None or row["attempt"] in set(attempts)


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
) -> dict[tuple[Any, ...], Stats]:
    """The stats of each group of the matching rows by the columns' values (None for NULL)."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        if matches(row, audience_filter):
            groups.setdefault(tuple(row[column] for column in columns), []).append(row)
    return {key: stats(members, None) for key, members in groups.items()}


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

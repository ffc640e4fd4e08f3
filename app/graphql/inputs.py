"""GraphQL input types and enums, and their translation into domain values."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import strawberry
from strawberry.utils.str_converters import to_camel_case

from app import breakdowns
from app.breakdowns import MAX_DIMENSIONS, Dimension
from app.errors import BadInput
from app.filters import (
    ATTEMPT_VALUES,
    FILTER_FIELDS,
    MAX_LIST_VALUES,
    MAX_MOBILE_NO_LENGTH,
    NO_FILTER,
    AudienceFilter,
    AudienceStatus,
    NullableField,
)
from app.pagination import Direction, OrderField, Ordering

# The domain enums are exposed as they are (by member name), so no mapping code is needed.
strawberry.enum(
    AudienceStatus,
    name="AudienceStatus",
    description=(
        "Where a contact stands in the campaign: FRESH (0, not called yet), COMPLETED (1), "
        "HALTED (2, stopped before completion) or INQUEUE (3, waiting for a call)."
    ),
)

strawberry.enum(
    Dimension,
    name="AudienceDimension",
    description=(
        "What a breakdown groups the audience by: STATUS, CALL_STATUS, FIRST_STATUS, "
        "LAST_STATUS, ATTEMPT, LAST_DISPOSITION, or the hour (LAST_ATTEMPT_HOUR) or day "
        "(LAST_ATTEMPT_DAY) of the last attempt in the breakdown's time zone; up to "
        f"{MAX_DIMENSIONS} at once, at most one of them a time bucket. A status or "
        "disposition that is empty text counts as none (null), and so do records never "
        "attempted for the time buckets."
    ),
)

strawberry.enum(
    NullableField,
    name="AudienceNullableField",
    description=(
        "An audience field that may hold no value: CALL_STATUS, FIRST_STATUS, LAST_STATUS, "
        "LAST_DISPOSITION (for these, empty text counts as no value too) and "
        "LAST_ATTEMPT_AT (null: never attempted)."
    ),
)

strawberry.enum(
    OrderField,
    name="AudienceOrderField",
    description=(
        "What audience pages are sorted by: ID, ATTEMPT, DURATION or LAST_ATTEMPT_AT "
        "(records never attempted come last in both directions). Ties are broken by id."
    ),
)

strawberry.enum(
    Direction, name="OrderDirection", description="ASC for ascending, DESC for descending."
)


@strawberry.input(
    description=(
        "A half-open range of instants: from `from` (inclusive) to `to` (exclusive). An absent "
        "end is open; a time without an offset is UTC. `to` before `from` is BAD_USER_INPUT."
    )
)
class DateTimeRange:
    from_: datetime | None = strawberry.field(
        name="from", default=None, description="The first instant in the range."
    )
    to: datetime | None = strawberry.field(
        default=None, description="The first instant after the range."
    )


@strawberry.input(
    name="AudienceFilter",
    description=(
        "Narrows a campaign's audience. Different fields combine with AND; the values of one "
        "list combine with OR. An absent field, null, an empty list or an empty string mean "
        f"no constraint. Lists hold at most {MAX_LIST_VALUES} values; a single value is "
        "accepted as a list."
    ),
)
class AudienceFilterInput:
    """The GraphQL spelling of app.filters.AudienceFilter: the same fields, by the same names."""

    mobile_no: str | None = strawberry.field(
        default=None,
        description=(
            f"Matches numbers containing this text (at most {MAX_MOBILE_NO_LENGTH} characters). "
            "Spaces, '-', '.', '(' and ')' are ignored; '%', '_' and '\\' are ordinary "
            "characters."
        ),
    )
    status: list[AudienceStatus] | None = strawberry.field(
        default=None, description="Matches records with one of these audience statuses."
    )
    call_status: list[str] | None = strawberry.field(
        default=None,
        description=(
            "Matches records whose latest call status is one of these (case-insensitive, "
            "e.g. NO_ANSWER, COMPLETED)."
        ),
    )
    first_status: list[str] | None = strawberry.field(
        default=None,
        description="Matches records whose first attempt ended with one of these statuses.",
    )
    last_status: list[str] | None = strawberry.field(
        default=None,
        description="Matches records whose last finished attempt ended with one of these statuses.",
    )
    attempt: list[int] | None = strawberry.field(
        default=None,
        description=(
            "Matches records with one of these attempt counts "
            f"(each {ATTEMPT_VALUES.start} … {ATTEMPT_VALUES.stop - 1})."
        ),
    )
    last_disposition: list[str] | None = strawberry.field(
        default=None,
        description="Matches records whose disposition is one of these, exactly as stored.",
    )
    last_attempt_at: DateTimeRange | None = strawberry.field(
        default=None, description="Matches records whose last attempt started in this range."
    )
    is_null: list[NullableField] | None = strawberry.field(
        default=None,
        description=(
            "Fields for which no value matches too: for each field named here, a record "
            "matches when it has no value there or (given that field's filter) one of its "
            "values. `isNull: [CALL_STATUS]` alone matches the records without a call status; "
            "with `callStatus: [BUSY]` beside it, those without one or BUSY. This is how a "
            "breakdown's null group is listed."
        ),
    )


@strawberry.input(description="How audience pages are sorted.")
class AudienceOrder:
    field: OrderField = strawberry.field(
        default=OrderField.ID, description="The sort key; ties are broken by id."
    )
    direction: Direction = strawberry.field(
        default=Direction.ASC, description="Ascending or descending, for the key and the id."
    )


FilterArgument = Annotated[
    AudienceFilterInput | None,
    strawberry.argument(description="Which audience records count; all when absent."),
]


TimeZoneArgument = Annotated[
    str,
    strawberry.argument(
        description=(
            "The IANA time zone of LAST_ATTEMPT_HOUR and LAST_ATTEMPT_DAY (such as "
            '"Europe/Berlin"): days start at its midnight, daylight saving time included, '
            "and bucket starts carry its offset. An unknown zone is BAD_USER_INPUT."
        )
    ),
]


ByArgument = Annotated[
    list[Dimension],
    strawberry.argument(
        description=(
            f"The dimensions to group by, 1 to {MAX_DIMENSIONS}, none twice; groups are "
            "ordered by the first, then the next, each ascending (statuses by code, texts by "
            "code point, attempts as numbers), NULL last."
        )
    ),
]


def to_filter(given: AudienceFilterInput | None) -> AudienceFilter:
    """The domain filter; BadInput names the GraphQL argument that is wrong."""
    if given is None:
        return NO_FILTER
    try:
        return AudienceFilter.parse(
            **{name: _value(getattr(given, name)) for name in FILTER_FIELDS}
        )
    except BadInput as error:
        raise BadInput(f"filter.{to_camel_case(error.field)}", error.detail) from None


def _value(given: Any) -> Any:
    # A range is (from, to) in the domain, as REST gives it.
    return (given.from_, given.to) if isinstance(given, DateTimeRange) else given


def to_zone(name: str) -> ZoneInfo:
    try:
        return breakdowns.time_zone(name)
    except ValueError as error:
        raise BadInput("timeZone", str(error)) from None


def to_ordering(given: AudienceOrder | None) -> Ordering:
    return Ordering() if given is None else Ordering(given.field, given.direction)

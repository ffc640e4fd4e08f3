"""GraphQL input types and enums, and their translation into domain values."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.errors import BadInput
from app.filters import NO_FILTER, AudienceFilter, AudienceStatus
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
    name="AudienceFilter",
    description=(
        "Narrows a campaign's audience. Different fields combine with AND; the values of one "
        "list combine with OR. An absent field, null, an empty list or an empty string mean "
        "no constraint. Lists hold at most 100 values; a single value is accepted as a list."
    ),
)
class AudienceFilterInput:
    mobile_no: str | None = strawberry.field(
        default=None,
        description=(
            "Matches numbers containing this text (at most 32 characters). Spaces, '-', '.', "
            "'(' and ')' are ignored; '%', '_' and '\\' are ordinary characters."
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
        description="Matches records with one of these attempt counts (each 0 … 1000).",
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

_FILTER_FIELDS = {
    "mobile_no": "filter.mobileNo",
    "status": "filter.status",
    "call_status": "filter.callStatus",
    "first_status": "filter.firstStatus",
    "last_status": "filter.lastStatus",
    "attempt": "filter.attempt",
}


def to_filter(given: AudienceFilterInput | None) -> AudienceFilter:
    """The domain filter; BadInput names the GraphQL argument that is wrong."""
    if given is None:
        return NO_FILTER
    try:
        return AudienceFilter.parse(
            mobile_no=given.mobile_no,
            status=given.status,
            call_status=given.call_status,
            first_status=given.first_status,
            last_status=given.last_status,
            attempt=given.attempt,
        )
    except BadInput as error:
        raise BadInput(_FILTER_FIELDS[error.field], error.detail) from None


def to_ordering(given: AudienceOrder | None) -> Ordering:
    return Ordering() if given is None else Ordering(given.field, given.direction)

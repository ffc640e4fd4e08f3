"""The cost directives of the IBM GraphQL Cost Directive specification, shown in the SDL.

They are the one place where a field's price is written; app.graphql.cost reads them back
from the built schema.
"""

from __future__ import annotations

import strawberry
from strawberry.schema_directive import Location
from strawberry.types.unset import UNSET


@strawberry.schema_directive(
    name="cost",
    locations=[Location.FIELD_DEFINITION],
    description=(
        "The weight of each value this field returns, in cost points. Without it an object "
        "costs 1 and a scalar or enum 0; a list costs its weight for each of its items."
    ),
)
class Cost:
    weight: str = strawberry.field(
        description="The weight, a decimal number written as a string (as the spec has it)."
    )


@strawberry.schema_directive(
    name="listSize",
    locations=[Location.FIELD_DEFINITION],
    description=(
        "How many items the lists of this field's value hold: the value of a slicing argument "
        "(its default when it is not given), else assumedSize."
    ),
)
class ListSize:
    # UNSET: an argument the directive's use leaves out, so the SDL shows only those given.
    assumed_size: int | None = strawberry.field(
        default=UNSET, description="The size to assume when no slicing argument gives one."
    )
    slicing_arguments: list[str] | None = strawberry.field(
        default=UNSET, description="Arguments that set the size (e.g. `first`)."
    )
    sized_fields: list[str] | None = strawberry.field(
        default=UNSET,
        description="Fields of the returned object that hold the list (e.g. `edges`); "
        "absent when the field itself is the list.",
    )
    require_one_slicing_argument: bool = strawberry.field(
        default=True, description="Whether exactly one slicing argument must be given."
    )


# The prices of this API's fields: a campaign's stats are one aggregate over its groups (or
# its records, with a mobileNo filter), heavier than a keyed lookup; a page's lists are as
# long as `first`; a breakdown is priced as 100 groups before it runs, as those it returned
# after.
STATS_COST = Cost(weight="2")
PAGE_SIZE = ListSize(
    slicing_arguments=["first"], sized_fields=["edges"], require_one_slicing_argument=False
)
BREAKDOWN_SIZE = ListSize(assumed_size=100, require_one_slicing_argument=False)

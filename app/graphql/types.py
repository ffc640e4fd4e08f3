"""GraphQL object types, built from the repository's dataclasses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.types.base import get_object_definition

from app import breakdowns, repository, stats
from app.breakdowns import Dimension
from app.filters import AudienceFilter, AudienceStatus
from app.graphql.context import Context
from app.graphql.directives import BREAKDOWN_SIZE, PAGE_SIZE, STATS_COST
from app.graphql.inputs import (
    AudienceOrder,
    ByArgument,
    FilterArgument,
    TimeZoneArgument,
    to_filter,
    to_ordering,
    to_zone,
)
from app.graphql.scalars import BigInt
from app.loaders import PageKey
from app.pagination import PAGE_SIZES, Cursors, Listed, page_size

Info = strawberry.Info[Context, None]
R = TypeVar("R", bound=Listed)
E = TypeVar("E")

PAGE_SIZE_DESCRIPTION = f"Page size, {PAGE_SIZES.start} … {PAGE_SIZES.stop - 1}."


@cache
def _plain_fields(graphql_type: type) -> tuple[str, ...]:
    definition = get_object_definition(graphql_type, strict=True)
    return tuple(f.python_name for f in definition.fields if f.base_resolver is None)


def _values_of(graphql_type: type, value: object) -> dict[str, Any]:
    """The type's plain fields, read from a repository value of the same field names."""
    return {name: getattr(value, name) for name in _plain_fields(graphql_type)}


def _either(names: tuple[str, ...]) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}"


@strawberry.type(description="Aggregated statistics of the audience records that match a filter.")
class AudienceStats:
    total_audience: int = strawberry.field(description="Number of matching records.")
    coverage: float = strawberry.field(
        description=(
            "successfulCalls / totalAttempt * 100, rounded half up to 2 decimals; 0 when "
            "there are no attempts."
        )
    )
    total_attempt: BigInt = strawberry.field(description="Sum of call attempts.")
    total_duration: BigInt = strawberry.field(description="Sum of talk time, in seconds.")
    successful_calls: int = strawberry.field(
        description=(
            "Records whose latest call status is successful: "
            f"{_either(stats.SUCCESSFUL_CALL_STATUSES)}."
        )
    )

    @classmethod
    def of(cls, value: stats.AudienceStats) -> AudienceStats:
        return cls(
            total_audience=value.total_audience,
            coverage=float(value.coverage),
            total_attempt=BigInt(value.total_attempt),
            total_duration=BigInt(value.total_duration),
            successful_calls=value.successful_calls,
        )


@strawberry.type(
    description=(
        "One group of a breakdown: the matching records that share a value of each dimension "
        "grouped by, and their statistics."
    )
)
class AudienceGroup:
    grouped_by: list[Dimension] = strawberry.field(
        description=(
            "The dimensions grouped by, in the order asked. Their key fields hold this "
            "group's values, where null is the group of records without a value (a NULL "
            "status); the key fields of the other dimensions are always null."
        )
    )
    status: AudienceStatus | None = strawberry.field(
        description="The records' audience status, when grouped by STATUS."
    )
    call_status: str | None = strawberry.field(
        description="The records' latest call status, when grouped by CALL_STATUS."
    )
    first_status: str | None = strawberry.field(
        description="The records' first attempt's status, when grouped by FIRST_STATUS."
    )
    last_status: str | None = strawberry.field(
        description="The records' last finished attempt's status, when grouped by LAST_STATUS."
    )
    attempt: int | None = strawberry.field(
        description="The records' number of call attempts, when grouped by ATTEMPT."
    )
    last_disposition: str | None = strawberry.field(
        description="The agent's outcome label of the records, when grouped by LAST_DISPOSITION."
    )
    last_attempt_hour: datetime | None = strawberry.field(
        description=(
            "The start of the hour (in the breakdown's time zone, with its offset) in which "
            "the records' last attempt started, when grouped by LAST_ATTEMPT_HOUR."
        )
    )
    last_attempt_day: datetime | None = strawberry.field(
        description=(
            "The start of the day (the zone's midnight, or the first instant of the day where "
            "clocks skip it) in which the records' last attempt started, when grouped by "
            "LAST_ATTEMPT_DAY."
        )
    )
    last_attempt_before: datetime | None = strawberry.field(
        description=(
            "The end (exclusive) of the group's hour or day: the start of the next one. "
            "`lastAttemptAt: {from: <the start>, to: lastAttemptBefore}` lists the group's "
            "records. Null unless grouped by a time bucket, and for the records never "
            "attempted."
        )
    )
    stats: AudienceStats = strawberry.field(description="Statistics of the group's records.")

    @classmethod
    def of(cls, by: tuple[Dimension, ...], group: breakdowns.Group) -> AudienceGroup:
        keys: dict[str, Any] = dict.fromkeys(d.value for d in Dimension)
        keys.update(zip((d.value for d in by), group.key, strict=True))
        return cls(
            grouped_by=list(by),
            stats=AudienceStats.of(group.stats),
            last_attempt_before=group.until,
            **keys,
        )


def breakdown_of(by: tuple[Dimension, ...], groups: list[breakdowns.Group]) -> list[AudienceGroup]:
    return [AudienceGroup.of(by, group) for group in groups]


@strawberry.type(description="Where a page stands in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether records follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Whether this page was asked for after a cursor (records come before it)."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first edge; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last edge: pass it as `after` for the next page."
    )


@strawberry.type(description="One contact of a campaign, with the summary of its calls.")
class Audience:
    id: int = strawberry.field(description="Record id, unique across all campaigns.")
    mobile_no: str = strawberry.field(description="The contact's number, usually E.164.")
    status: AudienceStatus = strawberry.field(description="Audience status.")
    call_status: str | None = strawberry.field(
        description="Status of the latest call; may be a live status while a call runs."
    )
    first_status: str | None = strawberry.field(
        description="Final status of the first call attempt."
    )
    last_status: str | None = strawberry.field(
        description="Final status of the last finished attempt."
    )
    attempt: int = strawberry.field(description="Call attempts made to this contact.")
    duration: int = strawberry.field(description="Total talk time over all attempts, seconds.")
    last_attempt_at: datetime | None = strawberry.field(
        description="When the last attempt started (UTC); null if never attempted."
    )
    last_disposition: str | None = strawberry.field(
        description='Outcome label set by the agent, such as "Interested".'
    )
    input_data: JSON = strawberry.field(
        description="The custom fields uploaded with the contact, as a JSON object."
    )

    @classmethod
    def of(cls, record: repository.AudienceRecord) -> Audience:
        return cls(**_values_of(cls, record))


@strawberry.type(description="An audience record and its cursor.")
class AudienceEdge:
    cursor: str = strawberry.field(
        description="Opaque position of this record in the page's ordering."
    )
    node: Audience = strawberry.field(description="The audience record.")


@strawberry.type(description="A keyset-paginated page of a campaign's matching audience.")
class AudienceConnection:
    edges: list[AudienceEdge] = strawberry.field(description="The records of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    campaign_id: strawberry.Private[int]
    audience_filter: strawberry.Private[AudienceFilter]

    @strawberry.field(
        description="Number of matching records in all pages (= audienceStats.totalAudience).",
        directives=[STATS_COST],
    )
    async def total_count(self, info: Info) -> int:
        found = await info.context.loaders.stats.load((self.campaign_id, self.audience_filter))
        return found.total_audience


@strawberry.type(description="A calling campaign of the token's workspace.")
class Campaign:
    id: int = strawberry.field(description="Campaign id.")
    name: str = strawberry.field(description="Campaign name.")
    max_attempts: int = strawberry.field(
        description="Retry limit: how many attempts each contact may get."
    )
    created_at: datetime = strawberry.field(description="When the campaign was created (UTC).")

    @classmethod
    def of(cls, campaign: repository.Campaign) -> Campaign:
        return cls(**_values_of(cls, campaign))

    @strawberry.field(
        description="Statistics of this campaign's audience records that match the filter.",
        directives=[STATS_COST],
    )
    async def audience_stats(
        self,
        info: Info,
        filter: FilterArgument = None,
    ) -> AudienceStats:
        found = await info.context.loaders.stats.load((self.id, to_filter(filter)))
        return AudienceStats.of(found)

    @strawberry.field(
        description=(
            "This campaign's matching audience records in groups by one to three dimensions, "
            "with the statistics of each group (for charts): one SQL statement for all the "
            "campaigns of a query that share filter and dimensions."
        ),
        directives=[BREAKDOWN_SIZE],
    )
    async def audience_breakdown(
        self,
        info: Info,
        by: ByArgument,
        filter: FilterArgument = None,
        time_zone: TimeZoneArgument = "UTC",
    ) -> list[AudienceGroup]:
        dimensions = breakdowns.dimensions(by)
        key = (self.id, to_filter(filter), dimensions, to_zone(time_zone))
        return breakdown_of(dimensions, await info.context.loaders.breakdown.load(key))

    @strawberry.field(
        description=(
            "A page of this campaign's audience records that match the filter. Walking "
            "`after: pageInfo.endCursor` visits every matching record exactly once."
        ),
        directives=[PAGE_SIZE],
    )
    async def audience(
        self,
        info: Info,
        filter: FilterArgument = None,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE_DESCRIPTION)] = 10,
        after: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "An endCursor of a previous page with the same orderBy; the page starts "
                    "after it."
                ),
            ),
        ] = None,
        order_by: Annotated[
            AudienceOrder | None,
            strawberry.argument(description="Sort order; by id ascending when absent."),
        ] = None,
    ) -> AudienceConnection:
        audience_filter, ordering = to_filter(filter), to_ordering(order_by)
        size, cursors = page_size(first), ordering.cursors
        position = None if after is None else cursors.decode(after)
        # Through a loader: sibling pages resolve together, so their totalCounts batch too.
        page = await info.context.loaders.audience_page.load(
            PageKey(self.id, audience_filter, ordering, size, position)
        )
        edges, info_ = connection_parts(
            page, cursors, after, lambda cursor, r: AudienceEdge(cursor=cursor, node=Audience.of(r))
        )
        return AudienceConnection(
            edges=edges, page_info=info_, campaign_id=self.id, audience_filter=audience_filter
        )


@strawberry.type(description="A campaign and its cursor.")
class CampaignEdge:
    cursor: str = strawberry.field(description="Opaque position of this campaign in the list.")
    node: Campaign = strawberry.field(description="The campaign.")


@strawberry.type(description="A page of the workspace's campaigns, by id.")
class CampaignConnection:
    edges: list[CampaignEdge] = strawberry.field(
        description="The campaigns of this page, in order."
    )
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")

    @strawberry.field(description="Number of campaigns in the workspace.")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.campaign_count()


def connection_parts(
    page: repository.Page[R], cursors: Cursors, after: str | None, edge: Callable[[str, R], E]
) -> tuple[list[E], PageInfo]:
    """A page's edges, made by edge(cursor, item), and its PageInfo."""
    cursor_of = [cursors.encode(item) for item in page.items]
    edges = [edge(cursor, item) for cursor, item in zip(cursor_of, page.items, strict=True)]
    return edges, PageInfo(
        has_next_page=page.has_next,
        has_previous_page=after is not None,
        start_cursor=cursor_of[0] if cursor_of else None,
        end_cursor=cursor_of[-1] if cursor_of else None,
    )

"""The root Subscription: live stats and breakdowns of a campaign, pushed when they change
(app.live), over the graphql-transport-ws protocol."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import strawberry
from graphql import DocumentNode, ExecutionResult, GraphQLError
from graphql.execution.values import VariableValues
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from app import breakdowns
from app.breakdowns import UTC_ZONE, Dimension, Group
from app.errors import NotFound, Unauthenticated
from app.filters import AudienceFilter
from app.graphql.context import SocketContext
from app.graphql.cost import coerced_cost
from app.graphql.directives import BREAKDOWN_SIZE, STATS_COST
from app.graphql.inputs import ByArgument, FilterArgument, TimeZoneArgument, to_filter, to_zone
from app.graphql.types import AudienceGroup, AudienceStats, breakdown_of
from app.live import Watched
from app.stats import NO_AUDIENCE
from app.throttle import Throttled

SocketInfo = strawberry.Info[SocketContext, None]
T = TypeVar("T")

CampaignArgument = Annotated[int, strawberry.argument(description="The campaign's id.")]


async def _watch(
    info: SocketInfo, campaign_id: int, watched: Watched
) -> AsyncIterator[list[Group]]:
    """The watched values, each paid for from the caller's budget as the same query would
    be (waiting while the budget is spent); NotFound first for a campaign that is not the
    workspace's."""
    context = info.context
    assert context.workspace_id is not None
    assert context.budget is not None
    found = await context.repository.campaigns(context.workspace_id, [campaign_id])
    if campaign_id not in found:
        raise NotFound(f"campaign {campaign_id} not found")
    # The price of what a push sends, as its query twin is priced before it runs.
    raw = info._raw_info
    document = DocumentNode(definitions=(raw.operation, *raw.fragments.values()))
    # Execution hands subscriptions their coerced values as a plain dict.
    variables: Any = raw.variable_values
    if not isinstance(variables, VariableValues):
        variables = VariableValues({}, dict(variables))
    price = coerced_cost(raw.schema, document, raw.operation, variables) or 0
    budget = context.budget

    async def paid() -> AsyncIterator[list[Group]]:
        async for value in context.live.watch(watched):
            if not await context.still_authorised():
                raise Unauthenticated("The API token is unknown or revoked.")
            while True:  # a push waits while the budget is spent, as a retrying client would
                try:
                    await budget.charge(price)
                    break
                except Throttled as refused:
                    await asyncio.sleep(refused.retry_after)
            yield value

    return paid()


def _stats(groups: list[Group]) -> AudienceStats:
    return AudienceStats.of(groups[0].stats if groups else NO_AUDIENCE)


def _watched(
    info: SocketInfo,
    campaign_id: int,
    audience_filter: AudienceFilter,
    by: tuple[Dimension, ...],
    zone: ZoneInfo = UTC_ZONE,
) -> Watched:
    workspace_id = info.context.workspace_id
    assert workspace_id is not None  # the connection was acknowledged
    return Watched(workspace_id, campaign_id, audience_filter, by, zone)


async def _map(
    values: AsyncIterator[list[Group]], shown: Callable[[list[Group]], T]
) -> AsyncGenerator[T, None]:
    async for value in values:
        yield shown(value)


@strawberry.type(description="Live values, pushed over the graphql-transport-ws protocol.")
class Subscription:
    @strawberry.subscription(
        description=(
            "A campaign's audience stats under a filter: the current value at once, then each "
            "new value when the campaign's records change (at most one a second; never the "
            "same value twice in a row). A campaign that does not exist or belongs to another "
            "workspace is a NOT_FOUND error."
        ),
        directives=[STATS_COST],
    )
    async def audience_stats(
        self, info: SocketInfo, campaign_id: CampaignArgument, filter: FilterArgument = None
    ) -> AsyncGenerator[AudienceStats, None]:
        watched = _watched(info, campaign_id, to_filter(filter), ())
        values = await _watch(info, campaign_id, watched)
        return _map(
            values, lambda groups: AudienceStats.of(groups[0].stats if groups else NO_AUDIENCE)
        )

    @strawberry.subscription(
        description=(
            "A campaign's audienceBreakdown, with the arguments of campaignAudienceBreakdown: "
            "the current groups at once, then the groups each time they change."
        ),
        directives=[BREAKDOWN_SIZE],
    )
    async def audience_breakdown(
        self,
        info: SocketInfo,
        campaign_id: CampaignArgument,
        by: ByArgument,
        filter: FilterArgument = None,
        time_zone: TimeZoneArgument = "UTC",
    ) -> AsyncGenerator[list[AudienceGroup], None]:
        dimensions = breakdowns.dimensions(by)
        watched = _watched(info, campaign_id, to_filter(filter), dimensions, to_zone(time_zone))
        values = await _watch(info, campaign_id, watched)
        return _map(values, lambda groups: breakdown_of(dimensions, groups))


class SocketOperations(SchemaExtension):
    """Over a WebSocket only subscriptions run, and only there: queries go over HTTP, where
    each request's loaders batch and cache them."""

    def on_execute(self) -> Iterator[None]:
        run = self.execution_context
        socket = isinstance(run.context, SocketContext)
        subscription = run.operation_type is OperationType.SUBSCRIPTION
        if socket != subscription:
            message = (
                "Subscriptions are served over a WebSocket (graphql-transport-ws)."
                if subscription
                else "Over a WebSocket only subscriptions are served: send queries over HTTP."
            )
            run.result = ExecutionResult(data=None, errors=[GraphQLError(message)])
        yield

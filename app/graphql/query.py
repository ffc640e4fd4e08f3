"""The root Query: thin resolvers over the request's loaders."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app import breakdowns
from app.graphql.directives import BREAKDOWN_SIZE, PAGE_SIZE, STATS_COST
from app.graphql.inputs import ByArgument, FilterArgument, TimeZoneArgument, to_filter, to_zone
from app.graphql.types import (
    PAGE_SIZE_DESCRIPTION,
    AudienceGroup,
    AudienceStats,
    Campaign,
    CampaignConnection,
    CampaignEdge,
    Info,
    breakdown_of,
    connection_parts,
)
from app.pagination import CAMPAIGN_CURSORS, page_size


@strawberry.type(description="Campaign audience statistics of the token's workspace.")
class Query:
    @strawberry.field(
        description=(
            "Statistics of a campaign's audience under a filter: the twin of "
            "GET /api/v1/global/campaign-audience-stats. A campaign that does not exist or "
            "belongs to another workspace is a NOT_FOUND error."
        ),
        directives=[STATS_COST],
    )
    async def campaign_audience_stats(
        self,
        info: Info,
        campaign_id: Annotated[int, strawberry.argument(description="The campaign's id.")],
        filter: FilterArgument = None,
    ) -> AudienceStats:
        found = await info.context.loaders.campaign_stats(campaign_id, to_filter(filter))
        return AudienceStats.of(found)

    @strawberry.field(
        description=(
            "A campaign's matching audience in groups by one to three dimensions, with the "
            "statistics of each group: the twin of GET "
            "/api/v1/global/campaign-audience-breakdown. A campaign that does not exist or "
            "belongs to another workspace is a NOT_FOUND error."
        ),
        directives=[BREAKDOWN_SIZE],
    )
    async def campaign_audience_breakdown(
        self,
        info: Info,
        campaign_id: Annotated[int, strawberry.argument(description="The campaign's id.")],
        by: ByArgument,
        filter: FilterArgument = None,
        time_zone: TimeZoneArgument = "UTC",
    ) -> list[AudienceGroup]:
        dimensions = breakdowns.dimensions(by)
        groups = await info.context.loaders.campaign_breakdown(
            campaign_id, to_filter(filter), dimensions, to_zone(time_zone)
        )
        return breakdown_of(dimensions, groups)

    @strawberry.field(
        description="A campaign by id; null when it does not exist or belongs to another workspace."
    )
    async def campaign(
        self,
        info: Info,
        id: Annotated[int, strawberry.argument(description="The campaign's id.")],
    ) -> Campaign | None:
        found = await info.context.loaders.campaign.load(id)
        return None if found is None else Campaign.of(found)

    @strawberry.field(
        description="The workspace's campaigns, by id, a page at a time.", directives=[PAGE_SIZE]
    )
    async def campaigns(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE_DESCRIPTION)] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="An endCursor of a previous page; the page starts after it."
            ),
        ] = None,
    ) -> CampaignConnection:
        size = page_size(first)
        after_id = None if after is None else CAMPAIGN_CURSORS.decode(after).id
        page = await info.context.loaders.campaign_page(size, after_id)
        edges, info_ = connection_parts(
            page,
            CAMPAIGN_CURSORS,
            after,
            lambda cursor, c: CampaignEdge(cursor=cursor, node=Campaign.of(c)),
        )
        return CampaignConnection(edges=edges, page_info=info_)

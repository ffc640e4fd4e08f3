"""The root Query: thin resolvers over loaders and the repository."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from app.errors import NotFound
from app.graphql.inputs import FilterArgument, to_filter
from app.graphql.types import (
    AudienceStats,
    Campaign,
    CampaignConnection,
    CampaignEdge,
    Info,
    page_info,
)
from app.pagination import Position, decode_cursor, encode_cursor, page_size

CAMPAIGN_CURSOR = "campaign"


@strawberry.type(description="Campaign audience statistics of the token's workspace.")
class Query:
    @strawberry.field(
        description=(
            "Statistics of a campaign's audience under a filter: the twin of "
            "GET /api/v1/global/campaign-audience-stats. A campaign that does not exist or "
            "belongs to another workspace is a NOT_FOUND error."
        )
    )
    async def campaign_audience_stats(
        self,
        info: Info,
        campaign_id: Annotated[int, strawberry.argument(description="The campaign's id.")],
        filter: FilterArgument = None,
    ) -> AudienceStats:
        key, loaders = (campaign_id, to_filter(filter)), info.context.loaders
        # Both at once: stats are scoped to the workspace in SQL, so nothing leaks.
        campaign, found = await asyncio.gather(
            loaders.campaign.load(campaign_id), loaders.stats.load(key)
        )
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found")
        return AudienceStats.of(found)

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

    @strawberry.field(description="The workspace's campaigns, by id, a page at a time.")
    async def campaigns(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size, 1 … 100.")] = 20,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="An endCursor of a previous page; the page starts after it."
            ),
        ] = None,
    ) -> CampaignConnection:
        size = page_size(first)
        after_id = None if after is None else decode_cursor(after, CAMPAIGN_CURSOR, id_bits=31).id
        page = await info.context.repository.campaign_page(
            info.context.workspace_id, size, after_id
        )
        edges = [
            CampaignEdge(
                cursor=encode_cursor(CAMPAIGN_CURSOR, Position(c.id, c.id)), node=Campaign.of(c)
            )
            for c in page.items
        ]
        return CampaignConnection(
            edges=edges, page_info=page_info(edges, page.has_next, after is not None)
        )

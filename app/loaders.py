"""Per-request DataLoaders over the repository: they batch and cache one request's reads."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader

from app.errors import NotFound
from app.filters import AudienceFilter
from app.pagination import Ordering, Position
from app.repository import AudienceRecord, Campaign, Page, Repository
from app.stats import NO_AUDIENCE, AudienceStats

StatsKey = tuple[int, AudienceFilter]


@dataclass(frozen=True, slots=True)
class PageKey:
    campaign_id: int
    audience_filter: AudienceFilter
    ordering: Ordering
    first: int
    after: Position | None


class Loaders:
    """Loaders for one request of one workspace; never shared between requests."""

    def __init__(self, repository: Repository, workspace_id: int) -> None:
        self._repository = repository
        self._workspace_id = workspace_id
        self.stats = DataLoader[StatsKey, AudienceStats](load_fn=self._load_stats)
        self.campaign = DataLoader[int, Campaign | None](load_fn=self._load_campaigns)
        self.audience_page = DataLoader[PageKey, Page[AudienceRecord]](load_fn=self._load_pages)

    async def campaign_stats(
        self, campaign_id: int, audience_filter: AudienceFilter
    ) -> AudienceStats:
        """Stats of one campaign of the workspace; NotFound when it has no such campaign.

        Both are loaded at once: stats are scoped to the workspace in SQL, so nothing leaks.
        """
        campaign, found = await asyncio.gather(
            self.campaign.load(campaign_id), self.stats.load((campaign_id, audience_filter))
        )
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found")
        return found

    async def _load_stats(self, keys: Sequence[StatsKey]) -> list[AudienceStats]:
        # One statement per distinct filter, each on its own connection, run together.
        campaigns_by_filter: dict[AudienceFilter, list[int]] = defaultdict(list)
        for campaign_id, audience_filter in keys:
            campaigns_by_filter[audience_filter].append(campaign_id)
        results = await asyncio.gather(
            *(
                self._repository.stats(self._workspace_id, campaign_ids, audience_filter)
                for audience_filter, campaign_ids in campaigns_by_filter.items()
            )
        )
        found = {
            (campaign_id, audience_filter): stats
            for audience_filter, by_campaign in zip(campaigns_by_filter, results, strict=True)
            for campaign_id, stats in by_campaign.items()
        }
        return [found.get(key, NO_AUDIENCE) for key in keys]

    async def _load_campaigns(self, ids: Sequence[int]) -> list[Campaign | None]:
        found = await self._repository.campaigns(self._workspace_id, ids)
        return [found.get(campaign_id) for campaign_id in ids]

    async def _load_pages(self, keys: Sequence[PageKey]) -> list[Page[AudienceRecord]]:
        # Pages differ in campaign, position and order, so each is its own keyset query.
        return list(
            await asyncio.gather(
                *(
                    self._repository.audience_page(
                        self._workspace_id,
                        key.campaign_id,
                        key.audience_filter,
                        key.ordering,
                        key.first,
                        key.after,
                    )
                    for key in keys
                )
            )
        )

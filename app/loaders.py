"""Per-request DataLoaders over the repository: they batch and cache one request's reads."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from strawberry.dataloader import DataLoader

from app.breakdowns import MAX_GROUPS, UTC_ZONE, Dimension, Group, in_zone, too_many
from app.errors import AppError, NotFound
from app.filters import AudienceFilter
from app.pagination import Ordering, Position
from app.repository import AudienceRecord, Campaign, Page, Repository
from app.stats import NO_AUDIENCE, AudienceStats

StatsKey = tuple[int, AudienceFilter]
# A campaign, a filter, the dimensions, and the time zone of the time buckets.
BreakdownKey = tuple[int, AudienceFilter, tuple[Dimension, ...], ZoneInfo]


@dataclass(frozen=True, slots=True)
class PageKey:
    campaign_id: int
    audience_filter: AudienceFilter
    ordering: Ordering
    first: int
    after: Position | None


class Loaders:
    """Loaders for one request of one workspace; never shared between requests. Every read
    of a GraphQL query goes through them, so they know which of the workspace's campaigns its
    answer depends on (app.graphql.response_cache)."""

    def __init__(self, repository: Repository, workspace_id: int) -> None:
        self._repository = repository
        self._workspace_id = workspace_id
        self._campaigns_read: set[int] = set()
        self._listed = False  # read the workspace's list of campaigns
        self.stats = DataLoader[StatsKey, AudienceStats](load_fn=self._load_stats)
        self.campaign = DataLoader[int, Campaign | None](load_fn=self._load_campaigns)
        self.audience_page = DataLoader[PageKey, Page[AudienceRecord]](load_fn=self._load_pages)
        self.breakdown = DataLoader[BreakdownKey, list[Group]](load_fn=self._load_breakdowns)

    @property
    def read(self) -> frozenset[int] | None:
        """The campaigns read so far; None after a read of the list of campaigns, which
        any campaign may change."""
        return None if self._listed else frozenset(self._campaigns_read)

    async def campaign_page(self, first: int, after: int | None) -> Page[Campaign]:
        self._listed = True
        return await self._repository.campaign_page(self._workspace_id, first, after)

    async def campaign_count(self) -> int:
        self._listed = True
        return await self._repository.campaign_count(self._workspace_id)

    async def campaign_stats(
        self, campaign_id: int, audience_filter: AudienceFilter
    ) -> AudienceStats:
        """Stats of one campaign of the workspace; NotFound when it has no such campaign (the
        stats statement itself tells: it is scoped to the workspace in SQL)."""
        return await self.stats.load((campaign_id, audience_filter))

    async def campaign_breakdown(
        self,
        campaign_id: int,
        audience_filter: AudienceFilter,
        by: tuple[Dimension, ...],
        zone: ZoneInfo,
    ) -> list[Group]:
        """A breakdown of one campaign of the workspace; NotFound as `campaign_stats`."""
        return await self.breakdown.load((campaign_id, audience_filter, by, zone))

    async def _load_stats(self, keys: Sequence[StatsKey]) -> list[AudienceStats | AppError]:
        # Stats are the breakdown by no dimension: its one group, if any record matches.
        found = await self._load_breakdowns(
            [(c, audience_filter, (), UTC_ZONE) for c, audience_filter in keys]
        )
        return [
            groups if isinstance(groups, AppError) else groups[0].stats if groups else NO_AUDIENCE
            for groups in found
        ]

    async def _load_breakdowns(self, keys: Sequence[BreakdownKey]) -> list[list[Group] | AppError]:
        # As stats: one statement per distinct (filter, dimensions), run together; the
        # statement groups by quarter-hours of UTC, whatever the time zone.
        campaigns_by_query: dict[tuple[AudienceFilter, tuple[Dimension, ...]], list[int]] = (
            defaultdict(list)
        )
        for campaign_id, audience_filter, by, _ in keys:
            campaigns_by_query[(audience_filter, by)].append(campaign_id)
        results = await asyncio.gather(
            *(
                self._repository.breakdown(self._workspace_id, campaign_ids, audience_filter, by)
                for (audience_filter, by), campaign_ids in campaigns_by_query.items()
            )
        )
        found = {
            (campaign_id, audience_filter, by): groups
            for (audience_filter, by), by_campaign in zip(campaigns_by_query, results, strict=True)
            for campaign_id, groups in by_campaign.items()
        }
        # Only the workspace's own campaigns: a change to another's must not drop this
        # request's kept answer, or its timing would tell that the campaign exists.
        self._campaigns_read.update(c for by_campaign in results for c in by_campaign)
        answers: list[list[Group] | AppError] = []
        for key in keys:  # an unknown campaign, or a breakdown over the bound, fails alone
            if key[:3] not in found:
                answers.append(NotFound(f"campaign {key[0]} not found"))
                continue
            groups = in_zone(found[key[:3]], key[2], key[3])
            answers.append(groups if len(groups) <= MAX_GROUPS else too_many(key[0], len(groups)))
        return answers

    async def _load_campaigns(self, ids: Sequence[int]) -> list[Campaign | None]:
        found = await self._repository.campaigns(self._workspace_id, ids)
        self._campaigns_read.update(found)  # the workspace's own only, as in breakdowns
        return [found.get(campaign_id) for campaign_id in ids]

    async def _load_pages(self, keys: Sequence[PageKey]) -> list[Page[AudienceRecord]]:
        # Pages differ in campaign, position and order, so each is its own keyset query. (A
        # page is of a campaign this request loaded, so its read is recorded there.)
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

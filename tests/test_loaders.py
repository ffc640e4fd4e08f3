"""app/loaders.py: per-request DataLoaders batch reads into few repository calls.

A fake repository stands in for app.repository.Repository: it has the same read methods,
answers from a dict and records every call, so each test can count them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from app.breakdowns import Dimension, Group
from app.errors import NotFound
from app.filters import NO_FILTER, AudienceFilter
from app.loaders import Loaders, PageKey
from app.pagination import OrderField, Ordering, Position
from app.repository import Campaign, Page, Repository
from app.stats import NO_AUDIENCE, AudienceStats

WORKSPACE_ID = 7
BUSY = AudienceFilter.parse(call_status=["busy"])
COMPLETED = AudienceFilter.parse(status=["1"])
SALT = {NO_FILTER: 0, BUSY: 1, COMPLETED: 2}


def _campaign(campaign_id: int) -> Campaign:
    return Campaign(
        id=campaign_id,
        workspace_id=WORKSPACE_ID,
        name=f"Campaign {campaign_id}",
        max_attempts=3,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
    )


def _stats(campaign_id: int, audience_filter: AudienceFilter) -> AudienceStats:
    """Numbers that differ by campaign and filter, so a mix-up shows."""
    return AudienceStats(
        campaign_id, campaign_id * 10 + SALT[audience_filter], 2**40 + campaign_id, 1
    )


@dataclass
class FakeRepository:
    """The workspace's campaigns and their stats; campaigns without stats have no records."""

    campaigns_with_stats: dict[int, set[AudienceFilter]]
    campaigns_without_stats: set[int] = field(default_factory=set)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def called(self, method: str) -> list[tuple[Any, ...]]:
        return [args for name, args in self.calls if name == method]

    async def breakdown(
        self,
        workspace_id: int,
        campaign_ids: Sequence[int],
        audience_filter: AudienceFilter,
        by: Sequence[Dimension],
    ) -> dict[int, list[Group]]:
        """Stats (the breakdown by no dimension) are all this fake knows; each statement is
        recorded as a "stats" call. Each of the workspace's campaigns asked for is a key, with
        no group when no record matches."""
        assert tuple(by) == ()
        self.calls.append(("stats", (workspace_id, list(campaign_ids), audience_filter)))
        await asyncio.sleep(0)
        known = set(self.campaigns_with_stats) | self.campaigns_without_stats
        # Answered in the reverse order, so a loader relying on order would be wrong.
        return {
            campaign_id: [Group((), _stats(campaign_id, audience_filter))]
            if audience_filter in self.campaigns_with_stats.get(campaign_id, ())
            else []
            for campaign_id in reversed(campaign_ids)
            if campaign_id in known
        }

    async def campaigns(self, workspace_id: int, ids: Sequence[int]) -> dict[int, Campaign]:
        self.calls.append(("campaigns", (workspace_id, list(ids))))
        await asyncio.sleep(0)
        known = set(self.campaigns_with_stats) | self.campaigns_without_stats
        return {
            campaign_id: _campaign(campaign_id)
            for campaign_id in reversed(ids)
            if campaign_id in known
        }

    async def audience_page(
        self,
        workspace_id: int,
        campaign_id: int,
        audience_filter: AudienceFilter,
        ordering: Ordering,
        first: int,
        after: Position | None,
    ) -> Page[Any]:
        args = (workspace_id, campaign_id, audience_filter, ordering, first, after)
        self.calls.append(("audience_page", args))
        await asyncio.sleep(0)
        return Page(items=[args], has_next=False)


def _loaders(repository: FakeRepository) -> Loaders:
    # Loaders take any object with the Repository's methods.
    return Loaders(cast(Repository, repository), WORKSPACE_ID)


async def test_stats_of_many_campaigns_sharing_a_filter_are_one_call() -> None:
    repository = FakeRepository({campaign_id: {BUSY} for campaign_id in range(1, 11)})
    loaders = _loaders(repository)
    keys = [(campaign_id, BUSY) for campaign_id in (5, 3, 9, 1, 10, 2, 8, 4, 7, 6)]

    found = await asyncio.gather(*(loaders.stats.load(key) for key in keys))

    assert found == [_stats(campaign_id, BUSY) for campaign_id, _ in keys]
    assert repository.called("stats") == [(WORKSPACE_ID, [key[0] for key in keys], BUSY)]


async def test_stats_cost_one_call_per_distinct_filter() -> None:
    filters = [NO_FILTER, BUSY, COMPLETED]
    repository = FakeRepository({campaign_id: set(filters) for campaign_id in range(1, 6)})
    loaders = _loaders(repository)
    # Interleaved, and each filter spelled anew: equal filters are one key.
    keys = [
        (campaign_id, AudienceFilter.parse(**spelling))
        for campaign_id in range(1, 6)
        for spelling in ({}, {"call_status": [" BUSY "]}, {"status": [1]})
    ]

    found = await asyncio.gather(*(loaders.stats.load(key) for key in keys))

    assert found == [_stats(*key) for key in keys]
    calls = repository.called("stats")
    assert len(calls) == len(filters)
    assert {audience_filter for _, _, audience_filter in calls} == set(filters)
    for workspace_id, campaign_ids, _ in calls:
        assert workspace_id == WORKSPACE_ID
        assert campaign_ids == [1, 2, 3, 4, 5]


async def test_stats_load_many_keeps_key_order() -> None:
    repository = FakeRepository({1: {BUSY, NO_FILTER}, 2: {BUSY}, 3: {NO_FILTER}})
    loaders = _loaders(repository)
    keys = [(3, NO_FILTER), (2, BUSY), (1, NO_FILTER), (1, BUSY), (3, BUSY)]

    found = await loaders.stats.load_many(keys)

    assert found == [
        _stats(3, NO_FILTER),
        _stats(2, BUSY),
        _stats(1, NO_FILTER),
        _stats(1, BUSY),
        NO_AUDIENCE,  # campaign 3 has no busy record
    ]
    assert len(repository.called("stats")) == 2


async def test_stats_of_missing_campaigns_are_not_found_alone() -> None:
    repository = FakeRepository({1: {BUSY}}, campaigns_without_stats={2})
    loaders = _loaders(repository)

    found = await asyncio.gather(
        loaders.stats.load((404, BUSY)),
        loaders.stats.load((1, BUSY)),
        loaders.stats.load((2, BUSY)),
        return_exceptions=True,
    )

    assert isinstance(found[0], NotFound)
    assert found[1:] == [_stats(1, BUSY), NO_AUDIENCE]
    assert repository.called("stats") == [(WORKSPACE_ID, [404, 1, 2], BUSY)]


async def test_stats_are_cached_for_the_request() -> None:
    repository = FakeRepository({1: {BUSY}})
    loaders = _loaders(repository)

    first = await loaders.stats.load((1, BUSY))
    again = await asyncio.gather(
        loaders.stats.load((1, BUSY)),
        loaders.stats.load((1, AudienceFilter.parse(call_status=["BUSY"]))),
    )

    assert again == [first, first]
    assert len(repository.called("stats")) == 1


async def test_loaders_are_not_shared_between_requests() -> None:
    repository = FakeRepository({1: {BUSY}})
    await _loaders(repository).stats.load((1, BUSY))
    await _loaders(repository).stats.load((1, BUSY))
    assert len(repository.called("stats")) == 2


async def test_campaigns_are_loaded_in_one_call() -> None:
    repository = FakeRepository({1: set(), 2: set()}, campaigns_without_stats={5})
    loaders = _loaders(repository)
    ids = [5, 404, 1, 2, 1]

    found = await asyncio.gather(*(loaders.campaign.load(campaign_id) for campaign_id in ids))

    assert found == [_campaign(5), None, _campaign(1), _campaign(2), _campaign(1)]
    # One call, each id once, for the loaders' workspace.
    assert repository.called("campaigns") == [(WORKSPACE_ID, [5, 404, 1, 2])]


async def test_campaign_stats_of_a_campaign() -> None:
    repository = FakeRepository({1: {BUSY}})
    loaders = _loaders(repository)

    assert await loaders.campaign_stats(1, BUSY) == _stats(1, BUSY)
    # One call: the stats tell whether the campaign is the workspace's.
    assert repository.called("campaigns") == []
    assert repository.called("stats") == [(WORKSPACE_ID, [1], BUSY)]


async def test_campaign_stats_of_a_campaign_without_matching_records_are_empty() -> None:
    repository = FakeRepository({}, campaigns_without_stats={3})
    assert await _loaders(repository).campaign_stats(3, BUSY) == NO_AUDIENCE


async def test_campaign_stats_of_a_missing_campaign_is_not_found() -> None:
    repository = FakeRepository({1: {BUSY}})
    with pytest.raises(NotFound) as raised:
        await _loaders(repository).campaign_stats(404, BUSY)
    assert raised.value.message == "campaign 404 not found"


async def test_campaign_stats_of_several_campaigns_batch_together() -> None:
    repository = FakeRepository({1: {BUSY}, 2: {BUSY}, 3: {BUSY}})
    loaders = _loaders(repository)

    found = await asyncio.gather(*(loaders.campaign_stats(i, BUSY) for i in (3, 1, 2)))

    assert found == [_stats(3, BUSY), _stats(1, BUSY), _stats(2, BUSY)]
    assert repository.called("campaigns") == []
    assert repository.called("stats") == [(WORKSPACE_ID, [3, 1, 2], BUSY)]


async def test_audience_pages_are_loaded_per_key_in_key_order() -> None:
    repository = FakeRepository({})
    loaders = _loaders(repository)
    by_attempt = Ordering(OrderField.ATTEMPT)
    keys = [
        PageKey(1, BUSY, Ordering(), 10, None),
        PageKey(2, NO_FILTER, by_attempt, 5, Position(3, 9)),
        PageKey(1, BUSY, Ordering(), 10, Position(4, 4)),
    ]

    pages = await asyncio.gather(*(loaders.audience_page.load(key) for key in keys))

    expected = [
        (WORKSPACE_ID, key.campaign_id, key.audience_filter, key.ordering, key.first, key.after)
        for key in keys
    ]
    assert [page.items for page in pages] == [[args] for args in expected]
    assert repository.called("audience_page") == expected

"""One query, few statements: stats and counts go through per-request DataLoaders."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api import graphql
from tests.conftest import StatementLog
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

# The stats aggregate is the only statement that groups (by campaign).
STATS_STATEMENT = "GROUP BY"

ALL_CAMPAIGN_STATS = """
query All($filter: AudienceFilter) {
  campaigns(first: 50) {
    edges { node { id audienceStats(filter: $filter) { totalAudience totalDuration } } }
  }
}
"""

STATS_AND_PAGE = """
query One($id: Int!, $filter: AudienceFilter) {
  campaign(id: $id) {
    audienceStats(filter: $filter) { totalAudience successfulCalls }
    audience(filter: $filter, first: 5) { totalCount edges { node { id } } }
  }
}
"""


async def _campaigns(engine: AsyncEngine, count: int) -> str:
    token = await add_workspace(engine, 1)
    rows = []
    for campaign_id in range(1, count + 1):
        await add_campaign(engine, campaign_id, 1)
        rows += [
            audience_row(campaign_id * 100 + i, campaign_id, status=i % 4, duration=i)
            for i in range(campaign_id % 5)
        ]
    await add_audience(engine, rows)
    return token


async def test_stats_of_twenty_campaigns_sharing_a_filter_run_one_statement(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    token = await _campaigns(engine, 20)
    statements.statements.clear()
    body = await graphql(client, ALL_CAMPAIGN_STATS, {"filter": {"status": ["FRESH"]}}, token=token)
    nodes = [edge["node"] for edge in body["data"]["campaigns"]["edges"]]
    assert len(nodes) == 20
    # Campaign n has n % 5 records, of which those with i % 4 == 0 are FRESH: only i = 0.
    assert [n["audienceStats"]["totalAudience"] for n in nodes] == [
        1 if n["id"] % 5 else 0 for n in nodes
    ]
    assert len(statements.matching(STATS_STATEMENT)) == 1


async def test_two_filters_run_one_statement_each(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    token = await _campaigns(engine, 4)
    query = """
    { campaigns { edges { node {
        fresh: audienceStats(filter: {status: FRESH}) { totalAudience }
        all: audienceStats { totalAudience }
        again: audienceStats(filter: {status: [FRESH, FRESH], mobileNo: ""}) { totalAudience }
    } } } }
    """
    statements.statements.clear()
    body = await graphql(client, query, token=token)
    assert "errors" not in body
    assert len(statements.matching(STATS_STATEMENT)) == 2


async def test_total_count_and_stats_share_one_aggregate(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    token = await _campaigns(engine, 4)
    statements.statements.clear()
    body = await graphql(client, STATS_AND_PAGE, {"id": 4, "filter": {"attempt": [0]}}, token=token)
    campaign = body["data"]["campaign"]
    assert campaign["audienceStats"]["totalAudience"] == campaign["audience"]["totalCount"] == 4
    assert len(statements.matching(STATS_STATEMENT)) == 1


async def test_total_counts_of_many_campaigns_share_one_aggregate(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    token = await _campaigns(engine, 6)
    query = """
    { campaigns { edges { node { id
        audienceStats { totalAudience }
        audience(first: 2) { ...Count edges { node { id } } }
        again: audience(first: 2) { edges { node { id } } }
    } } } }
    fragment Count on AudienceConnection { totalCount }
    """
    statements.statements.clear()
    body = await graphql(client, query, token=token)
    nodes = [edge["node"] for edge in body["data"]["campaigns"]["edges"]]
    assert [n["audience"]["totalCount"] for n in nodes] == [n["id"] % 5 for n in nodes]
    assert [n["audienceStats"]["totalAudience"] for n in nodes] == [n["id"] % 5 for n in nodes]
    assert len(statements.matching(STATS_STATEMENT)) == 1
    # The aliased page is the same request: the page loader answers it from its cache.
    assert len(statements.matching("ORDER BY campaign_audience.id")) == 6

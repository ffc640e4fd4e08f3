"""(c) Stats of 50 campaigns: one GraphQL query against 50 requests, in-process through ASGI,
counting the SQL statements each sends. The 50 are small campaigns of one workspace; its big
campaign (campaign 2, first by id) is skipped by starting the page after its cursor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bench.client import STATS, STATS_FIELDS, GraphQL, in_process, stats_of
from bench.data import Dataset
from bench.database import Backend, capturing
from bench.measure import REPEATS, WARMUP, interleaved, median_ms

CAMPAIGNS = 50

ALL = f"""query AllStats($after: String) {{
  campaigns(first: {CAMPAIGNS}, after: $after) {{
    edges {{ node {{ id audienceStats {{ {STATS_FIELDS} }} }} }}
  }}
}}"""
SKIP = """query Skip($first: Int!) { campaigns(first: $first) { pageInfo { endCursor } } }"""


async def one_query(graphql: GraphQL, after: str | None) -> dict[int, tuple[int, int, int, int]]:
    data = await graphql(ALL, after=after)
    edges = data["campaigns"]["edges"]
    return {edge["node"]["id"]: stats_of(edge["node"]["audienceStats"]) for edge in edges}


async def separate(graphql: GraphQL, ids: list[int]) -> dict[int, tuple[int, int, int, int]]:
    found = {}
    for campaign_id in ids:
        data = await graphql(STATS, campaignId=campaign_id)
        found[campaign_id] = stats_of(data["campaignAudienceStats"])
    return found


def _aggregates(statements: list[tuple[str, Any]]) -> int:
    return sum("FROM campaign_audience" in sql for sql, _ in statements)


async def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    workspace = dataset.batch_workspace(CAMPAIGNS)
    big = len(dataset.spec.big_campaigns)
    own = [c for c in dataset.campaigns if c.workspace_id == workspace]
    skipped = [c for c in own if c.id <= big]  # the big ones come first by id
    campaigns = [c for c in own if c.id > big][:CAMPAIGNS]
    ids = [c.id for c in campaigns]
    assert len(ids) == CAMPAIGNS, f"workspace {workspace} has only {len(ids)} small campaigns"
    async with in_process(backend.url, dataset.tokens[workspace]) as graphql:
        after = None
        if skipped:
            page = await graphql(SKIP, first=len(skipped))
            after = page["campaigns"]["pageInfo"]["endCursor"]
        with capturing(Engine) as batched:
            together = await one_query(graphql, after)
        with capturing(Engine) as apart:
            one_by_one = await separate(graphql, ids)
        assert sorted(together) == ids, "campaigns(first: 50, after) is not the workspace's 50"
        assert together == one_by_one
        assert [total for total, *_ in together.values()] == [c.audience for c in campaigns]
        samples = await interleaved(
            {
                "one": lambda: one_query(graphql, after),
                "separate": lambda: separate(graphql, ids),
            }
        )
    return {
        "workspace": workspace,
        "campaigns": CAMPAIGNS,
        "skipped": [c.id for c in skipped],
        "audience": sum(c.audience for c in campaigns),
        "repeats": REPEATS,
        "warmup": WARMUP,
        "one": {
            "statements": len(batched.statements),
            "aggregates": _aggregates(batched.statements),
            "ms": median_ms(samples["one"]),
            "sql": [sql for sql, _ in batched.statements],
        },
        "separate": {
            "statements": len(apart.statements),
            "aggregates": _aggregates(apart.statements),
            "ms": median_ms(samples["separate"]),
        },
        "holds": _aggregates(batched.statements) == 1,
    }

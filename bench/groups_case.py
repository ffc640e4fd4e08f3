"""(g) What stats cost as a campaign grows: `campaignAudienceStats` over HTTP of campaigns of
10,000, 100,000 and 1,000,000 contacts (make bench-large adds 10,000,000), for each filter of
(a) that the rollup serves (not mobileNo), interleaved; beside each, the plain row-scan SQL
statement and the repository's own statement on the driver.

Without a mobileNo filter the stats are read from the rollup's groups, so they should cost
what a campaign's number of groups costs, not its number of records."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from app.db import create_engine
from app.repository import Repository
from bench import plain_sql
from bench.client import STATS, GraphQL, over_http, stats_of
from bench.data import Dataset
from bench.database import Backend, Statement
from bench.measure import REPEATS, STEADY_WARMUP, WARMUP, Runner, interleaved, median_ms
from bench.stats_case import CASES, numbers, plain, statement_of

TARGET = 1.5  # GraphQL median of the largest campaign / of the smallest, per filter
FILTERS = [case for case in CASES if "mobileNo" not in case.filter]
WAYS = ("graphql", "raw", "plain")


def _groups(campaign_id: int) -> Statement:
    # Compacted after the load: the deltas are empty, the rollup holds every group.
    sql = f"SELECT count(*) FROM campaign_audience_rollup WHERE campaign_id = {int(campaign_id)}"  # noqa: S608
    return Statement("groups", sql, ())


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    campaigns = dataset.series  # smallest first
    engine = create_engine(backend.url)
    repository = Repository(engine)
    raw = await backend.raw()
    warmup = STEADY_WARMUP if backend.name == "postgresql" else WARMUP
    rows: list[dict[str, Any]] = []
    try:
        async with AsyncExitStack() as stack:
            clients: dict[int, GraphQL] = {}
            for workspace_id, token in dataset.tokens.items():
                clients[workspace_id] = await stack.enter_async_context(
                    over_http(server_url, token)
                )
            runners: dict[str, Runner] = {}
            for case in FILTERS:
                for campaign in campaigns:
                    graphql = clients[campaign.workspace_id]
                    statement, stats = await statement_of(engine, repository, campaign, case)
                    by_hand = plain(campaign, case)
                    # All ways agree before any is timed.
                    expected = numbers(stats)
                    assert plain_sql.numbers(await raw.fetch(by_hand)) == expected, case
                    assert tuple((await raw.fetch(statement))[0][1:]) == expected, case
                    data = await graphql(STATS, campaignId=campaign.id, filter=case.filter)
                    assert stats_of(data["campaignAudienceStats"]) == expected, data
                    ((groups,),) = await raw.fetch(_groups(campaign.id))
                    rows.append(
                        {
                            "case": case.name,
                            "filter": case.filter,
                            "campaign": campaign.id,
                            "audience": campaign.audience,
                            "groups": int(groups),
                            "matching": expected[0],
                        }
                    )

                    def graphql_runner(
                        graphql: GraphQL = graphql, campaign_id: int = campaign.id, case: Any = case
                    ) -> Any:
                        return graphql(STATS, campaignId=campaign_id, filter=case.filter)

                    def raw_runner(statement: Statement) -> Runner:
                        return lambda: raw.fetch(statement)

                    name = f"{case.name}|{campaign.id}"
                    runners[f"{name}|graphql"] = graphql_runner
                    runners[f"{name}|raw"] = raw_runner(statement)
                    runners[f"{name}|plain"] = raw_runner(by_hand)
            samples = await interleaved(runners, warmup=warmup)
    finally:
        await raw.close()
        await engine.dispose()
    for row in rows:
        name = f"{row['case']}|{row['campaign']}"
        row["ms"] = {way: median_ms(samples[f"{name}|{way}"]) for way in WAYS}
    verdicts = []
    for case in FILTERS:
        mine = [row for row in rows if row["case"] == case.name]
        smallest, largest = mine[0], mine[-1]
        ratio = largest["ms"]["graphql"] / smallest["ms"]["graphql"]
        verdicts.append(
            {
                "case": case.name,
                "smallest": smallest["audience"],
                "largest": largest["audience"],
                "ratio": ratio,
                "holds": ratio <= TARGET,
            }
        )
    return {
        "campaigns": [{"id": c.id, "audience": c.audience} for c in campaigns],
        "repeats": REPEATS,
        "warmup": warmup,
        "target": TARGET,
        "rows": rows,
        "verdicts": verdicts,
    }

"""(k) A breakdown of the big campaign by CALL_STATUS and ATTEMPT over HTTP, beside its stats
(both from the rollup) and beside the plain GROUP BY over the rows that computes it."""

from __future__ import annotations

from typing import Any

from bench.client import STATS, GraphQL, over_http
from bench.data import Dataset
from bench.database import Backend, Statement
from bench.measure import REPEATS, STEADY_WARMUP, WARMUP, interleaved, median_ms

TARGET = 1.5  # breakdown / stats of the same campaign, at the median
BY = ("CALL_STATUS", "ATTEMPT")
BREAKDOWN = """query Breakdown($campaignId: Int!, $by: [AudienceDimension!]!) {
  campaignAudienceBreakdown(campaignId: $campaignId, by: $by) {
    callStatus attempt stats { totalAudience totalAttempt totalDuration successfulCalls coverage }
  }
}"""


def plain(campaign_id: int) -> Statement:
    """The GROUP BY a person would write over the rows."""
    sql = (
        "SELECT call_status, attempt, count(*), sum(duration) FROM campaign_audience "  # noqa: S608
        f"WHERE campaign_id = {int(campaign_id)} GROUP BY call_status, attempt"
    )
    return Statement("plain GROUP BY", sql, ())


async def _breakdown(graphql: GraphQL, campaign_id: int) -> list[dict[str, Any]]:
    data = await graphql(BREAKDOWN, campaignId=campaign_id, by=list(BY))
    groups: list[dict[str, Any]] = data["campaignAudienceBreakdown"]
    return groups


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    big = dataset.big
    raw = await backend.raw()
    warmup = STEADY_WARMUP if backend.name == "postgresql" else WARMUP
    try:
        async with over_http(server_url, dataset.token(big)) as graphql:
            groups = await _breakdown(graphql, big.id)
            expected = {
                (call_status, attempt): (int(count), int(duration))
                for call_status, attempt, count, duration in await raw.fetch(plain(big.id))
            }
            got = {
                (g["callStatus"], g["attempt"]): (
                    g["stats"]["totalAudience"],
                    int(g["stats"]["totalDuration"]),
                )
                for g in groups
            }
            assert got == expected, "the breakdown differs from the plain GROUP BY"
            samples = await interleaved(
                {
                    "breakdown": lambda: _breakdown(graphql, big.id),
                    "stats": lambda: graphql(STATS, campaignId=big.id, filter=None),
                    "plain": lambda: raw.fetch(plain(big.id)),
                },
                warmup=warmup,
            )
    finally:
        await raw.close()
    ms = {way: median_ms(found) for way, found in samples.items()}
    return {
        "campaign": {"id": big.id, "audience": big.audience},
        "by": list(BY),
        "groups": len(groups),
        "repeats": REPEATS,
        "warmup": warmup,
        "target": TARGET,
        "ms": ms,
        "ratio": ms["breakdown"] / ms["stats"],
        "holds": ms["breakdown"] / ms["stats"] <= TARGET,
    }

"""(a) Stats of the big campaign, four ways, interleaved: the plain row-scan SQL statement a
person would write (bench/plain_sql.py, the measure), the repository's own statement run raw
on the driver, Repository.stats, and the GraphQL request over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine
from app.filters import AudienceFilter, AudienceStatus
from app.repository import Repository
from app.stats import AudienceStats
from bench import plain_sql
from bench.client import STATS, over_http, stats_of
from bench.data import Campaign, Dataset
from bench.database import Backend, Statement, capturing
from bench.measure import REPEATS, STEADY_WARMUP, WARMUP, Runner, interleaved, median_ms

TARGET = 1.3  # GraphQL over HTTP / the plain SQL statement, at the median


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    filter: dict[str, Any]  # as GraphQL's AudienceFilter


CASES = (
    Case("unfiltered", {}),
    Case(
        "status + callStatus",
        {"status": ["COMPLETED", "INQUEUE"], "callStatus": ["AGENT_ENDED", "NO_ANSWER", "BUSY"]},
    ),
    Case("mobileNo substring", {"mobileNo": "555-01"}),
)


def domain_filter(graphql_filter: dict[str, Any]) -> AudienceFilter:
    return AudienceFilter.parse(
        mobile_no=graphql_filter.get("mobileNo"),
        status=[AudienceStatus[name] for name in graphql_filter.get("status", [])],
        call_status=graphql_filter.get("callStatus"),
    )


async def statement_of(
    engine: AsyncEngine, repository: Repository, campaign: Campaign, case: Case
) -> tuple[Statement, AudienceStats]:
    """The statement Repository.stats sends for the case, and its answer."""
    with capturing(engine) as capture:
        found = await repository.stats(
            campaign.workspace_id, [campaign.id], domain_filter(case.filter)
        )
    return capture.one(f"stats, {case.name}", "GROUP BY"), found[campaign.id]


def plain(campaign: Campaign, case: Case) -> Statement:
    return plain_sql.statement(campaign.id, domain_filter(case.filter), f"plain SQL, {case.name}")


async def statements(backend: Backend, dataset: Dataset) -> list[Statement]:
    """The repository's statement of each case, then the plain statement of each."""
    engine = create_engine(backend.url)
    big = dataset.big
    try:
        repository = Repository(engine)
        found = [(await statement_of(engine, repository, big, case))[0] for case in CASES]
    finally:
        await engine.dispose()
    return found + [plain(big, case) for case in CASES]


def numbers(stats: AudienceStats) -> tuple[int, int, int, int]:
    return stats.total_audience, stats.total_attempt, stats.total_duration, stats.successful_calls


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    big = dataset.big
    engine = create_engine(backend.url)
    repository = Repository(engine)
    raw = await backend.raw()
    rows: list[dict[str, Any]] = []
    ways = ["plain", "raw", "repository", "graphql"]
    warmup = STEADY_WARMUP if backend.name == "postgresql" else WARMUP
    try:
        async with over_http(server_url, dataset.token(big)) as graphql:

            def runners_of(
                case: Case, statement: Statement, by_hand: Statement
            ) -> dict[str, Runner]:
                audience_filter = domain_filter(case.filter)
                return {
                    f"{case.name}|plain": lambda: raw.fetch(by_hand),
                    f"{case.name}|raw": lambda: raw.fetch(statement),
                    f"{case.name}|repository": lambda: repository.stats(
                        big.workspace_id, [big.id], audience_filter
                    ),
                    f"{case.name}|graphql": lambda: graphql(
                        STATS, campaignId=big.id, filter=case.filter
                    ),
                }

            runners: dict[str, Runner] = {}
            for case in CASES:
                statement, stats = await statement_of(engine, repository, big, case)
                by_hand = plain(big, case)
                # The ways must agree before their times mean anything.
                expected = numbers(stats)
                assert plain_sql.numbers(await raw.fetch(by_hand)) == expected, (case, expected)
                by_driver = await raw.fetch(statement)
                assert tuple(by_driver[0][1:]) == expected, (by_driver, expected)
                data = await graphql(STATS, campaignId=big.id, filter=case.filter)
                assert stats_of(data["campaignAudienceStats"]) == expected, data
                rows.append(
                    {
                        "case": case.name,
                        "filter": case.filter,
                        "matching": expected[0],
                        "plain_sql": by_hand.sql,
                    }
                )
                runners |= runners_of(case, statement, by_hand)
            samples = await interleaved(runners, warmup=warmup)
    finally:
        await raw.close()
        await engine.dispose()
    for row in rows:
        row["ms"] = {way: median_ms(samples[f"{row['case']}|{way}"]) for way in ways}
        row["ratios"] = {way: ms / row["ms"]["plain"] for way, ms in row["ms"].items()}
        row["graphql_to_raw"] = row["ms"]["graphql"] / row["ms"]["raw"]
        row["holds"] = row["ratios"]["graphql"] <= TARGET
    return {
        "campaign": {"id": big.id, "audience": big.audience},
        "ways": ways,
        "repeats": REPEATS,
        "warmup": warmup,
        "target": TARGET,
        "rows": rows,
    }

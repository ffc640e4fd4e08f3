"""(a) Stats of the big campaign, three ways, interleaved: the repository's statement run raw
on the driver (the limit), Repository.stats, and the GraphQL request over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine
from app.filters import AudienceFilter, AudienceStatus
from app.repository import Repository
from app.stats import AudienceStats
from bench.client import STATS, over_http, stats_of
from bench.data import Campaign, Dataset
from bench.database import Backend, Statement, capturing
from bench.measure import REPEATS, STEADY_WARMUP, WARMUP, Runner, interleaved, median_ms

TARGET = 1.3  # GraphQL over HTTP / raw SQL, at the median


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


async def _statement(
    engine: AsyncEngine, repository: Repository, big: Campaign, case: Case
) -> tuple[Statement, AudienceStats]:
    """The statement Repository.stats sends for the case, and its answer."""
    with capturing(engine) as capture:
        found = await repository.stats(big.workspace_id, [big.id], domain_filter(case.filter))
    return capture.one(f"stats, {case.name}", "GROUP BY"), found[big.id]


async def statements(backend: Backend, dataset: Dataset) -> list[Statement]:
    engine = create_engine(backend.url)
    try:
        repository = Repository(engine)
        return [(await _statement(engine, repository, dataset.big, case))[0] for case in CASES]
    finally:
        await engine.dispose()


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    big = dataset.big
    engine = create_engine(backend.url)
    repository = Repository(engine)
    raw = await backend.raw()
    rows: list[dict[str, Any]] = []
    ways = ["raw", "repository", "graphql"]
    warmup = STEADY_WARMUP if backend.name == "postgresql" else WARMUP
    try:
        async with over_http(server_url, dataset.token(big)) as graphql:

            def runners_of(case: Case, statement: Statement) -> dict[str, Runner]:
                audience_filter = domain_filter(case.filter)

                def stats(repository: Repository) -> Runner:
                    return lambda: repository.stats(big.workspace_id, [big.id], audience_filter)

                runners = {
                    f"{case.name}|raw": lambda: raw.fetch(statement),
                    f"{case.name}|repository": stats(repository),
                    f"{case.name}|graphql": lambda: graphql(
                        STATS, campaignId=big.id, filter=case.filter
                    ),
                }
                return runners

            runners: dict[str, Runner] = {}
            for case in CASES:
                statement, stats = await _statement(engine, repository, big, case)
                # The ways must agree before their times mean anything.
                expected = (
                    stats.total_audience,
                    stats.total_attempt,
                    stats.total_duration,
                    stats.successful_calls,
                )
                by_driver = await raw.fetch(statement)
                assert tuple(by_driver[0][1:]) == expected, (by_driver, expected)
                data = await graphql(STATS, campaignId=big.id, filter=case.filter)
                assert stats_of(data["campaignAudienceStats"]) == expected, data
                rows.append({"case": case.name, "filter": case.filter, "matching": expected[0]})
                runners |= runners_of(case, statement)
            samples = await interleaved(runners, warmup=warmup)
    finally:
        await raw.close()
        await engine.dispose()
    for row in rows:
        row["ms"] = {way: median_ms(samples[f"{row['case']}|{way}"]) for way in ways}
        row["ratios"] = {way: ms / row["ms"]["raw"] for way, ms in row["ms"].items()}
        row["holds"] = row["ratios"]["graphql"] <= TARGET
    return {
        "campaign": {"id": big.id, "audience": big.audience},
        "ways": ways,
        "repeats": REPEATS,
        "warmup": warmup,
        "target": TARGET,
        "rows": rows,
    }

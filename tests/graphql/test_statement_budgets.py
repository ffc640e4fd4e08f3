"""Statement budgets: every statement the database receives for each README example query.

Counted at the driver (tests/driver_statements.py), not through SQLAlchemy's events, and
exact: one more round trip (an un-batched loader, a lookup per campaign) fails. Each budget
is the steady-state cost of a request: the same request is sent once before counting, so the
pool holds its connections and nothing done once per process is counted, nor the token's
lookup, which the process remembers for a few seconds (app.auth.Tokens; tests/test_auth.py
holds that bound). On PostgreSQL the repository reads in autocommit, so no `BEGIN;` …
`ROLLBACK;` surrounds its statements (SQLAlchemy's asyncpg dialect wraps every other use of a
connection in them, as the counter's own test shows).

The app under test does not compact PostgreSQL's rollup deltas in the background while it
is counted (see `quiet_client`): the counter would see those statements too, and they belong
to no request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.db import create_engine
from app.settings import Settings
from tests import reference
from tests.api import graphql
from tests.conftest import StatementLog
from tests.driver_statements import DriverStatements
from tests.factories import CREATED_AT, add_audience, add_campaign, add_workspace, audience_row

# The README's example queries, as written there.
CAMPAIGN_OVERVIEW = """
query CampaignOverview {
  campaign(id: 2) {
    name
    maxAttempts
    audienceStats(filter: { status: [COMPLETED, INQUEUE] }) {
      totalAudience
      totalAttempt
      totalDuration
      successfulCalls
      coverage
    }
    audience(filter: { status: [COMPLETED, INQUEUE] }, first: 5, orderBy: { field: DURATION, direction: DESC }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id mobileNo status callStatus attempt duration lastAttemptAt inputData } }
    }
  }
}
"""  # noqa: E501

STATS = """
query Stats($filter: AudienceFilter) {
  campaignAudienceStats(campaignId: 1, filter: $filter) {
    totalAudience totalAttempt totalDuration successfulCalls coverage
  }
}
"""
STATS_VARIABLES = {"filter": {"callStatus": ["no_answer", "BUSY"], "mobileNo": "(202) 555"}}

ALL_CAMPAIGNS = """
query AllCampaigns {
  campaigns(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name createdAt audienceStats { totalAudience successfulCalls coverage } } }
  }
}
"""

NEXT_PAGE = """
query NextPage($after: String) {
  campaign(id: 2) {
    audience(first: 50, after: $after, orderBy: { field: LAST_ATTEMPT_AT, direction: DESC }) {
      pageInfo { hasNextPage endCursor }
      edges { node { id mobileNo lastAttemptAt } }
    }
  }
}
"""

CALL_STATUS_CHART = """
query CallStatusChart {
  campaign(id: 2) {
    audienceBreakdown(by: [CALL_STATUS, ATTEMPT], filter: { status: [COMPLETED, INQUEUE] }) {
      groupedBy
      callStatus
      attempt
      stats { totalAudience successfulCalls coverage }
    }
  }
}
"""

# Not in the README: several campaigns in one request, as a dashboard's cards ask for them.
# The README's queries each name one campaign, so only this one shows whether the campaign
# lookups of one request are batched.
CAMPAIGN_CARDS = """
query CampaignCards {
  first: campaign(id: 1) { name audienceStats { totalAudience coverage } }
  second: campaign(id: 2) { name audienceStats { totalAudience coverage } }
  third: campaign(id: 3) { name audienceStats { totalAudience coverage } }
  foreign: campaign(id: 4) { name audienceStats { totalAudience coverage } }
}
"""

OWN_CAMPAIGNS = (1, 2, 3)
FOREIGN_CAMPAIGN = 4  # of workspace 2
CALL_STATUSES = ("NO_ANSWER", "BUSY", "COMPLETED", None, "ANSWER")


def _rows() -> list[dict[str, Any]]:
    """Campaign 1: 40 records, some not at a +1202555 number. Campaign 2: 80 records, a
    seventh never attempted, last attempts with ties. Campaign 3: 5. Campaign 4: 10."""
    rows = []
    for i in range(1, 41):
        mobile = f"+1202555{i:04d}" if i % 3 else f"+4420{i:04d}"
        rows.append(
            audience_row(
                i,
                1,
                mobile_no=mobile,
                status=i % 4,
                call_status=CALL_STATUSES[i % 5],
                attempt=i % 3,
                duration=10 * i,
            )
        )
    for i in range(1, 81):
        never = i % 7 == 0
        rows.append(
            audience_row(
                100 + i,
                2,
                status=i % 4,
                call_status=None if never else CALL_STATUSES[i % 5],
                attempt=0 if never else 1 + i % 3,
                duration=0 if never else (i * 37) % 500,
                last_attempt_at=None if never else CREATED_AT + timedelta(minutes=i % 23),
                input_data={"n": i},
            )
        )
    rows += [audience_row(200 + i, 3, status=1, attempt=1, duration=i) for i in range(1, 6)]
    rows += [audience_row(300 + i, 4, status=1, attempt=2, duration=i) for i in range(1, 11)]
    return rows


ROWS = _rows()


def rows_of(campaign_id: int) -> list[dict[str, Any]]:
    return [row for row in ROWS if row["campaign_id"] == campaign_id]


async def _data(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_workspace(engine, 2)
    for campaign_id in OWN_CAMPAIGNS:
        await add_campaign(engine, campaign_id, 1)
    await add_campaign(engine, FOREIGN_CAMPAIGN, 2)
    await add_audience(engine, ROWS)
    return token


# Longer than any test: the app's background compaction (every second by default on
# PostgreSQL) never runs during one.
NO_COMPACTION_SECONDS = 3600.0


@pytest.fixture
async def quiet_client(engine: AsyncEngine, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The `client` fixture's app, without background work while a test counts; it keeps no
    answers either (as `client`), so that the repeated request runs."""
    settings = Settings(
        database_url=database_url,
        compact_seconds=NO_COMPACTION_SECONDS,
        response_cache_size=0,
    )
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def counted(
    client: httpx.AsyncClient,
    log: DriverStatements,
    query: str,
    variables: dict[str, Any] | None,
    token: str,
) -> dict[str, Any]:
    """The request's answer, sent once to warm the pool, then again while counting."""
    warm = await graphql(client, query, variables, token=token)
    with log.recording():
        body = await graphql(client, query, variables, token=token)
    assert "errors" not in body, body
    assert body == warm
    return body


def budget(log: DriverStatements, *, selects: int, sqlite: int, postgresql: int) -> None:
    """The request sent exactly these statements: `selects` reads (all but transaction
    control), and in all `sqlite` or `postgresql` statements."""
    assert len(log.selects()) == selects, log.describe()
    assert len(log.statements) == {"sqlite": sqlite, "postgresql": postgresql}[log.backend], (
        log.describe()
    )


def graphql_stats(rows: list[dict[str, Any]], audience_filter: dict[str, Any] | None) -> Any:
    stats = reference.stats(rows, audience_filter)
    return {
        "totalAudience": stats.total_audience,
        "totalAttempt": str(stats.total_attempt),
        "totalDuration": str(stats.total_duration),
        "successfulCalls": stats.successful_calls,
        "coverage": float(stats.coverage),
    }


def last_attempt_desc(rows: list[dict[str, Any]]) -> list[int]:
    """Ids by last attempt, latest first, never attempted last; ties by id, descending."""
    valued = [row for row in rows if row["last_attempt_at"] is not None]
    never = [row for row in rows if row["last_attempt_at"] is None]
    valued.sort(key=lambda row: (row["last_attempt_at"], row["id"]), reverse=True)
    never.sort(key=lambda row: row["id"], reverse=True)
    return [row["id"] for row in valued + never]


async def test_campaign_overview_budget(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, driver_statements: DriverStatements
) -> None:
    token = await _data(engine)
    body = await counted(quiet_client, driver_statements, CAMPAIGN_OVERVIEW, None, token)

    campaign = body["data"]["campaign"]
    wanted = {"status": ["COMPLETED", "INQUEUE"]}
    matching = [row for row in rows_of(2) if reference.matches(row, wanted)]
    assert campaign["audienceStats"] == graphql_stats(rows_of(2), wanted)
    assert campaign["audience"]["totalCount"] == len(matching) > 5
    by_duration = sorted(matching, key=lambda row: (row["duration"], row["id"]), reverse=True)
    ids = [edge["node"]["id"] for edge in campaign["audience"]["edges"]]
    assert ids == [row["id"] for row in by_duration[:5]]
    # Campaign 2, one stats aggregate (audienceStats and totalCount share it),
    # the audience page.
    budget(driver_statements, selects=3, sqlite=3, postgresql=3)


async def test_stats_budget(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, driver_statements: DriverStatements
) -> None:
    token = await _data(engine)
    body = await counted(quiet_client, driver_statements, STATS, STATS_VARIABLES, token)

    expected = graphql_stats(rows_of(1), STATS_VARIABLES["filter"])
    assert body["data"]["campaignAudienceStats"] == expected
    assert 0 < expected["totalAudience"] < len(rows_of(1))
    # One stats aggregate, which also tells whether campaign 1 is the workspace's.
    budget(driver_statements, selects=1, sqlite=1, postgresql=1)


async def test_all_campaigns_budget(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, driver_statements: DriverStatements
) -> None:
    token = await _data(engine)
    body = await counted(quiet_client, driver_statements, ALL_CAMPAIGNS, None, token)

    campaigns = body["data"]["campaigns"]
    assert campaigns["totalCount"] == len(OWN_CAMPAIGNS)
    nodes = [edge["node"] for edge in campaigns["edges"]]
    assert [node["id"] for node in nodes] == list(OWN_CAMPAIGNS)
    assert [node["audienceStats"]["totalAudience"] for node in nodes] == [40, 80, 5]
    # The campaign page, the campaign count, one stats aggregate for all three
    # campaigns.
    budget(driver_statements, selects=3, sqlite=3, postgresql=3)


async def test_next_page_budget(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, driver_statements: DriverStatements
) -> None:
    token = await _data(engine)
    first = await graphql(quiet_client, NEXT_PAGE, {"after": None}, token=token)
    first_page = first["data"]["campaign"]["audience"]
    assert first_page["pageInfo"]["hasNextPage"] is True
    after = first_page["pageInfo"]["endCursor"]

    body = await counted(quiet_client, driver_statements, NEXT_PAGE, {"after": after}, token)

    page = body["data"]["campaign"]["audience"]
    order = last_attempt_desc(rows_of(2))
    assert [edge["node"]["id"] for edge in first_page["edges"]] == order[:50]
    # The rest of the campaign: the last ties, the earlier attempts, the never attempted.
    assert [edge["node"]["id"] for edge in page["edges"]] == order[50:]
    assert page["pageInfo"]["hasNextPage"] is False
    # Campaign 2, the page after the cursor (one statement, its parts joined by
    # UNION ALL).
    budget(driver_statements, selects=2, sqlite=2, postgresql=2)


async def test_call_status_chart_budget(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, driver_statements: DriverStatements
) -> None:
    token = await _data(engine)
    body = await counted(quiet_client, driver_statements, CALL_STATUS_CHART, None, token)

    wanted = {"status": ["COMPLETED", "INQUEUE"]}
    expected = reference.breakdown(rows_of(2), wanted, ["call_status", "attempt"])
    got = {
        (g["callStatus"], g["attempt"]): g["stats"]
        for g in body["data"]["campaign"]["audienceBreakdown"]
    }
    assert set(got) == set(expected)
    for key, stats in expected.items():
        full = reference.graphql_stats(stats)
        assert reference.exact_coverage(got[key]) == {
            name: full[name] for name in ("totalAudience", "successfulCalls", "coverage")
        }
    # Campaign 2, one breakdown aggregate.
    budget(driver_statements, selects=2, sqlite=2, postgresql=2)


async def test_campaign_cards_budget(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, driver_statements: DriverStatements
) -> None:
    token = await _data(engine)
    body = await counted(quiet_client, driver_statements, CAMPAIGN_CARDS, None, token)

    data = body["data"]
    assert data["foreign"] is None
    totals = [data[alias]["audienceStats"]["totalAudience"] for alias in ("first", "second")]
    assert [*totals, data["third"]["audienceStats"]["totalAudience"]] == [40, 80, 5]
    # One campaign lookup for all four ids, one stats aggregate for the three
    # found.
    budget(driver_statements, selects=2, sqlite=2, postgresql=2)


# The counter itself.


async def test_the_counter_sees_statements_sent_past_sqlalchemy(
    database_url: str, driver_statements: DriverStatements, statements: StatementLog
) -> None:
    engine = create_engine(database_url)
    try:
        with driver_statements.recording():
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                # Straight to the driver: SQLAlchemy's cursor events never see this one.
                result = await raw.driver_connection.execute("SELECT 41 + 1")
                if database_url.startswith("sqlite"):
                    await result.close()  # an aiosqlite cursor
    finally:
        await engine.dispose()
    assert statements.statements == []
    assert driver_statements.selects() == ["SELECT 41 + 1"], driver_statements.describe()


async def test_the_counter_leaves_out_connection_setup_and_counts_each_execution(
    database_url: str, driver_statements: DriverStatements
) -> None:
    """A brand-new engine's first connection runs setup statements (PRAGMAs, the dialect's
    version and codec queries) before its first checkout: none is counted. A statement run
    twice on one connection counts twice, though PostgreSQL parses it once."""
    engine = create_engine(database_url)
    try:
        with driver_statements.recording():
            async with engine.connect() as conn:
                for _ in range(2):
                    await conn.execute(sa.text("SELECT count(*) FROM campaign"))
    finally:
        await engine.dispose()
    log = driver_statements
    assert [" ".join(s.split()) for s in log.selects()] == ["SELECT count(*) FROM campaign"] * 2
    # PostgreSQL: BEGIN; before the first, ROLLBACK; when the connection goes back.
    assert len(log.statements) == {"sqlite": 2, "postgresql": 4}[log.backend], log.describe()
    assert len(log.prepared) == {"sqlite": 0, "postgresql": 1}[log.backend], log.prepared

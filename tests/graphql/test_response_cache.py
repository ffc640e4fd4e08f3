"""The response cache (app.graphql.response_cache): a repeated query is answered without a
statement, and a write by any writer is seen once the change signal has named its campaign:
within one compaction and one live tick on PostgreSQL, one live tick on SQLite."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.graphql.response_cache import MOST_BYTES, Answer, ResponseCache, key
from app.settings import LiveLimits, RateLimits, Settings
from app.tables import campaign_audience
from tests import reference
from tests.api import graphql
from tests.conftest import BACKENDS, StatementLog
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

INTERVAL = 0.1  # the compaction's and the live tick's, in these tests
# From a commit to the next request that must see it: a compaction and two ticks (0.3 s),
# and as much again for a machine that runs the databases beside the tests.
WINDOW = 0.6

STATS = """
query Stats($id: Int!, $filter: AudienceFilter) {
  campaignAudienceStats(campaignId: $id, filter: $filter) {
    totalAudience coverage totalAttempt totalDuration successfulCalls
  }
}
"""
NAMES = "query Names { campaigns(first: 10) { totalCount edges { node { id name } } } }"


@pytest.fixture
async def client(engine: AsyncEngine, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url,
        compact_seconds=INTERVAL,
        live=LiveLimits(interval=INTERVAL),
        # A budget that visibly drains: each answer, kept or not, is paid for.
        rate_limits=RateLimits(capacity=10_000, restore_rate=1),
    )
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _seed(engine: AsyncEngine) -> dict[int, str]:
    tokens = {1: await add_workspace(engine, 1), 2: await add_workspace(engine, 2)}
    await add_campaign(engine, 1, 1)
    await add_campaign(engine, 2, 1)
    await add_campaign(engine, 3, 2)
    rows = [
        audience_row(n, 1 + n % 3, attempt=n % 4, call_status="ANSWER" if n % 2 else "BUSY")
        for n in range(1, 40)
    ]
    await add_audience(engine, rows)
    return tokens


async def _expected(engine: AsyncEngine, campaign_id: int, audience_filter: Any) -> Any:
    async with engine.connect() as conn:
        result = await conn.execute(
            sa.select(campaign_audience).where(campaign_audience.c.campaign_id == campaign_id)
        )
        rows = [dict(row._mapping) for row in result]
    return reference.graphql_stats(reference.stats(rows, audience_filter))


async def _stats(client: httpx.AsyncClient, token: str, campaign_id: int, filter: Any) -> Any:
    body = await graphql(client, STATS, {"id": campaign_id, "filter": filter}, token=token)
    assert "errors" not in body, body
    return reference.exact_coverage(body["data"]["campaignAudienceStats"])


def _reads(log: StatementLog, start: int) -> list[str]:
    """The reads recorded since `start`, without PostgreSQL's background compaction's."""
    return [
        sql
        for sql in log.statements[start:]
        if sql.startswith("SELECT") and "advisory" not in sql and "pg_notify" not in sql
    ]


async def _write(engine: AsyncEngine, sql: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(sql))


async def test_a_repeated_query_runs_no_statement_and_pays_each_time(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    tokens = await _seed(engine)
    await asyncio.sleep(WINDOW)  # the process has read the signal since the seed
    variables = {"id": 1, "filter": {"attempt": [1, 2]}}
    first = await graphql(client, STATS, variables, token=tokens[1], cost=True)
    start = len(statements.statements)
    second = await graphql(client, STATS, variables, token=tokens[1], cost=True)
    assert _reads(statements, start) == []
    assert second["data"] == first["data"]
    # The cost report is each request's own: the second paid from the budget as well.
    costs = [body["extensions"]["cost"] for body in (first, second)]
    assert costs[0]["requestedQueryCost"] == costs[1]["requestedQueryCost"] > 0
    assert costs[0]["actualQueryCost"] == costs[1]["actualQueryCost"]
    available = [c["throttleStatus"]["currentlyAvailable"] for c in costs]
    assert available[1] < available[0]


async def test_writes_are_seen_after_the_window(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    tokens = await _seed(engine)
    filters: list[Any] = [None, {"attempt": [1, 3]}, {"callStatus": ["ANSWER"]}]
    writes = [
        "UPDATE campaign_audience SET attempt = attempt + 1 WHERE id % 5 = 1",
        "UPDATE campaign_audience SET call_status = 'ANSWER' WHERE id % 3 = 1",
        "DELETE FROM campaign_audience WHERE id % 7 = 1",
        "UPDATE campaign_audience SET duration = duration + 30, campaign_id = 1 WHERE id = 5",
    ]
    for write in ["", *writes]:
        if write:
            await _write(engine, write)
            await asyncio.sleep(WINDOW)
        for campaign_id in (1, 2):
            for audience_filter in filters:
                for _ in range(2):  # the second answer is the cache's
                    answer = await _stats(client, tokens[1], campaign_id, audience_filter)
                    assert answer == await _expected(engine, campaign_id, audience_filter), write


async def test_a_write_leaves_other_campaigns_answers_kept(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog, database_url: str
) -> None:
    tokens = await _seed(engine)
    await asyncio.sleep(WINDOW)  # the seed's own change signal is heard first
    await _stats(client, tokens[1], 1, None)
    await _write(engine, "UPDATE campaign_audience SET attempt = 9 WHERE campaign_id = 2")
    await asyncio.sleep(WINDOW)
    expected = await _expected(engine, 1, None)
    start = len(statements.statements)
    assert await _stats(client, tokens[1], 1, None) == expected
    recomputed = _reads(statements, start)
    if database_url.startswith("postgresql"):  # the signal names campaign 2 alone
        assert recomputed == []
    else:  # SQLite's data version says that something changed, not what
        assert recomputed


@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
async def test_another_workspace_s_writes_leave_an_answer_kept(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    """Workspace 2 asks for campaign 1, workspace 1's: its answer (null) must not be dropped
    by writes to campaign 1, or how fast it comes back would tell that campaign 1 exists."""
    tokens = await _seed(engine)
    await asyncio.sleep(WINDOW)  # the seed's own change signal is heard first
    query = "query Probe { campaign(id: 1) { id } }"
    assert (await graphql(client, query, token=tokens[2]))["data"] == {"campaign": None}
    await _write(engine, "UPDATE campaign_audience SET attempt = 7 WHERE campaign_id = 1")
    await asyncio.sleep(WINDOW)
    start = len(statements.statements)
    assert (await graphql(client, query, token=tokens[2]))["data"] == {"campaign": None}
    assert _reads(statements, start) == []


async def test_campaign_writes_are_seen_after_the_window(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    tokens = await _seed(engine)

    async def names() -> list[Any]:
        body = await graphql(client, NAMES, token=tokens[1])
        return [edge["node"]["name"] for edge in body["data"]["campaigns"]["edges"]]

    assert await names() == ["Campaign 1", "Campaign 2"]
    await _write(engine, "UPDATE campaign SET name = 'Renamed' WHERE id = 2")
    await add_campaign(engine, 4, 1)
    await asyncio.sleep(WINDOW)
    assert await names() == ["Campaign 1", "Renamed", "Campaign 4"]


async def test_answers_are_kept_per_workspace_and_errors_are_not_kept(
    engine: AsyncEngine, client: httpx.AsyncClient, statements: StatementLog
) -> None:
    tokens = await _seed(engine)
    await _stats(client, tokens[1], 1, None)
    for _ in range(2):
        start = len(statements.statements)
        body = await graphql(client, STATS, {"id": 1}, token=tokens[2])
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert _reads(statements, start)  # asked of the database each time


def _answer(campaigns: frozenset[int] | None, heard: int) -> Answer:
    return Answer({"x": 1}, 1, 1, campaigns, heard)


def _read(cache: ResponseCache) -> ResponseCache:
    cache.changed(set())  # the signal read: nothing changed
    return cache


def test_the_cache_drops_answers_a_change_touches() -> None:
    cache = _read(ResponseCache(most=2, fresh_for=60))
    one, listed = key(1, "q", None, {"id": 1}), key(1, "q", None, None)
    cache.put(one, _answer(frozenset({1}), cache.heard), 10)
    cache.put(listed, _answer(None, cache.heard), 10)
    cache.changed(set())  # nothing changed
    assert cache.get(one) is not None
    assert cache.get(listed) is not None
    cache.changed({2})
    assert cache.get(one) is not None
    assert cache.get(listed) is None  # a list of campaigns may hold campaign 2
    cache.changed({1})
    assert cache.get(one) is None
    # Computed before a change that was heard while it ran: never kept.
    heard = cache.heard
    cache.changed({1})
    cache.put(one, _answer(frozenset({1}), heard), 10)
    assert cache.get(one) is None
    cache.put(one, _answer(frozenset({1}), cache.heard), 10)
    cache.changed(None)  # any campaign may have changed
    assert cache.get(one) is None


def test_the_cache_keeps_the_answers_used_last_and_small() -> None:
    cache = _read(ResponseCache(most=2, fresh_for=60))
    keys = [key(1, "q", None, {"id": n}) for n in range(4)]
    cache.put(keys[0], _answer(frozenset(), 0), 10)
    cache.put(keys[1], _answer(frozenset(), 0), 10)
    assert cache.get(keys[0]) is not None
    cache.put(keys[2], _answer(frozenset(), 0), 10)
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) is not None
    assert cache.get(keys[2]) is not None
    cache.put(keys[3], _answer(frozenset(), 0), MOST_BYTES + 1)
    assert cache.get(keys[3]) is None
    assert key(1, "q", None, {"a": 1, "b": 2}) == key(1, "q", None, {"b": 2, "a": 1})
    assert key(1, "q", None, {"id": 1}) != key(2, "q", None, {"id": 1})


def test_the_cache_serves_nothing_while_the_signal_is_not_read() -> None:
    cache = ResponseCache(most=2, fresh_for=0.05)
    one = key(1, "q", None, None)
    cache.put(one, _answer(frozenset({1}), cache.heard), 10)
    assert cache.get(one) is None  # the signal was never read: it may have news
    cache.changed(set())
    assert cache.get(one) is not None
    time.sleep(0.06)  # a tick that is late, or a reader that stopped
    assert cache.get(one) is None
    cache.changed(set())
    assert cache.get(one) is not None

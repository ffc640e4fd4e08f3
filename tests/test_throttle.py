"""Query cost and rate budgets: the cost of an operation against a model of the README's
rules, `extensions.cost` in Shopify's shape, MAX_COST_EXCEEDED, and per-token leaky buckets
(429 THROTTLED with Retry-After) in the process and in Redis, shared by GraphQL and REST."""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.db import create_engine
from app.settings import RateLimits, Settings
from tests.api import REST_PATH, graphql
from tests.factories import add_audience, add_campaign, add_workspace, audience_row
from tests.proxy import Mode, Proxy

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
REDIS_URL = "redis://127.0.0.1:6379/0"
LIST_PATH = "/api/v1/global/audience-list"
# Campaign id -> its number of records; all in workspace 1.
CAMPAIGNS = {1: 0, 2: 3, 3: 12}


@asynccontextmanager
async def app_client(database_url: str, **values: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=database_url, compact_seconds=3600, **values))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _seed(engine: AsyncEngine) -> dict[int, str]:
    tokens = {workspace: await add_workspace(engine, workspace) for workspace in (1, 2)}
    rows = []
    for campaign_id, records in CAMPAIGNS.items():
        await add_campaign(engine, campaign_id, 1)
        rows += [audience_row(campaign_id * 100 + n, campaign_id) for n in range(records)]
    await add_audience(engine, rows)
    return tokens


# --- The cost of an operation, against a model of the README's rules ------------------------


def audience_part(first: int, total_count: bool, page_info: bool) -> tuple[str, float]:
    """A page of a campaign's audience, and what the README says it costs: 1 for the
    connection, 2 for totalCount, 1 for pageInfo, and each of the `first` edges 1 with its
    node 1."""
    fields = "totalCount " * total_count + "pageInfo { hasNextPage } " * page_info
    text = f"audience(first: {first}) {{ {fields}edges {{ cursor node {{ id duration }} }} }}"
    return text, 1 + 2 * total_count + page_info + first * 2


@st.composite
def operations(draw: st.DrawFn) -> tuple[str, int]:
    """A campaigns query of random shape, and its requested cost by the model."""
    campaigns = draw(st.integers(1, 100))
    stats = draw(st.booleans())
    audience = draw(st.none() | st.integers(1, 100))
    parts = ["id name"]
    per_node = 1.0 + 1.0  # the edge and its node
    if stats:
        parts.append("audienceStats(filter: {status: [FRESH]}) { totalAudience coverage }")
        per_node += 2
    if audience is not None:
        text, cost = audience_part(audience, draw(st.booleans()), draw(st.booleans()))
        parts.append(text)
        per_node += cost
    as_fragment = draw(st.booleans())  # fragments cost what their fields cost
    node = "...Card" if as_fragment else " ".join(parts)
    query = f"{{ campaigns(first: {campaigns}) {{ totalCount edges {{ node {{ {node} }} }} }} }}"
    if as_fragment:
        query += f" fragment Card on Campaign {{ {' '.join(parts)} }}"
    return query, int(1 + campaigns * per_node)


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> tuple[str, str]:
    """A SQLite database with CAMPAIGNS, shared by the examples of the model test."""
    path = tmp_path_factory.mktemp("cost") / "cost.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def seed() -> str:
        engine = create_engine(url)
        try:
            return (await _seed(engine))[1]
        finally:
            await engine.dispose()

    return url, asyncio.run(seed())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operation=operations())
def test_requested_and_actual_cost_follow_the_model(
    seeded_app: tuple[str, str], operation: tuple[str, int]
) -> None:
    url, token = seeded_app
    query, requested = operation

    async def ask() -> dict[str, Any]:
        async with app_client(url) as client:
            return await graphql(client, query, token=token, cost=True)

    body = asyncio.run(ask())
    assert "errors" not in body, body
    report = body["extensions"]["cost"]
    assert report["requestedQueryCost"] == requested
    # The actual cost counts what came back: the campaigns and records that exist.
    actual = 1
    for edge in body["data"]["campaigns"]["edges"]:
        node = edge["node"]
        actual += 2 + 2 * ("audienceStats" in node)
        if "audience" in node:
            page = node["audience"]
            actual += 1 + 2 * ("totalCount" in page) + ("pageInfo" in page)
            actual += 2 * len(page["edges"])
    assert report["actualQueryCost"] == actual
    throttle = report["throttleStatus"]
    limits = RateLimits()
    assert throttle == {
        "maximumAvailable": float(limits.capacity),
        "currentlyAvailable": throttle["currentlyAvailable"],
        "restoreRate": float(limits.restore_rate),
    }
    # A fresh bucket, less what the operation used (what flowed back since is capped).
    assert limits.capacity - actual <= throttle["currentlyAvailable"] <= limits.capacity


@SQLITE_ONLY
async def test_single_fields_and_introspection_cost_what_the_readme_says(
    engine: AsyncEngine, database_url: str
) -> None:
    token = (await _seed(engine))[1]
    cases = {
        "{ campaignAudienceStats(campaignId: 2) { totalAudience } }": (2, 2),
        "{ campaign(id: 2) { name } }": (1, 1),
        "{ campaign(id: 999) { name audienceStats { totalAudience } } }": (3, 1),
        "{ __typename }": (0, 0),
        # Fields under one response key are merged, as execution merges them: priced once.
        "{ campaigns(first: 2) { ...F ...F } } "
        "fragment F on CampaignConnection { edges { node { audienceStats { totalAudience } } } }": (
            9,
            9,
        ),
        "{ s: campaignAudienceStats(campaignId: 2) { totalAudience } "
        "s: campaignAudienceStats(campaignId: 2) { totalAudience } }": (2, 2),
        # A breakdown is priced as 100 groups, and costs those it returned: 1 here.
        "{ campaignAudienceBreakdown(campaignId: 2, by: [STATUS]) { stats { coverage } } }": (
            100 * 2,
            2,
        ),
        # Priced before it runs; what @skip drops did not run.
        "{ campaign(id: 2) { name audienceStats @skip(if: true) { totalAudience } } }": (3, 1),
        "{ __schema { types { name fields { name } } } }": (1, 1),
        "query ($n: Int) { campaign(id: 3) { audience(first: $n) { edges { node { id } } } } }": (
            1 + 1 + 7 * 2,
            1 + 1 + 7 * 2,
        ),
    }
    async with app_client(database_url) as client:
        for query, (requested, actual) in cases.items():
            body = await graphql(client, query, {"n": 7}, token=token, cost=True)
            report = body["extensions"]["cost"]
            found = (report["requestedQueryCost"], report["actualQueryCost"])
            assert found == (requested, actual), query


@SQLITE_ONLY
async def test_a_breakdown_past_its_price_is_charged_what_it_returned(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Priced as 100 groups, a breakdown of more is charged (and reports) all it returned."""
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await add_audience(engine, [audience_row(n, 1, attempt=n) for n in range(1, 151)])
    query = "{ campaignAudienceBreakdown(campaignId: 1, by: [ATTEMPT]) { stats { coverage } } }"
    limits = RateLimits(max_cost=1000, capacity=1000, restore_rate=1)
    async with app_client(database_url, rate_limits=limits) as client:
        body = await graphql(client, query, token=token, cost=True)
        report = body["extensions"]["cost"]
        assert (report["requestedQueryCost"], report["actualQueryCost"]) == (200, 300)
        # The bucket lost the 300 points (a second or so may have flowed back).
        assert 700 <= report["throttleStatus"]["currentlyAvailable"] <= 702


# --- MAX_COST_EXCEEDED -----------------------------------------------------------------------

EXPENSIVE = (
    "{ campaigns(first: 100) { edges { node { audience(first: 100) { edges { node { id } } } } } "
    "} }"
)
EXPENSIVE_COST = 1 + 100 * (2 + 1 + 100 * 2)


@SQLITE_ONLY
async def test_an_operation_above_the_maximum_cost_is_refused_before_it_runs(
    engine: AsyncEngine, database_url: str
) -> None:
    token = (await _seed(engine))[1]
    limits = RateLimits(max_cost=EXPENSIVE_COST - 1)
    async with app_client(database_url, rate_limits=limits) as client:
        body = await graphql(client, EXPENSIVE, token=token, cost=True)
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"] == {
            "code": "MAX_COST_EXCEEDED",
            "cost": EXPENSIVE_COST,
            "maximumCost": EXPENSIVE_COST - 1,
        }
        assert str(EXPENSIVE_COST) in error["message"]
        assert str(EXPENSIVE_COST - 1) in error["message"]
        assert body["extensions"]["cost"]["actualQueryCost"] is None
        # Under the GraphQL response media type it is a request error: 400, no data.
        strict = await client.post(
            "/graphql",
            json={"query": EXPENSIVE},
            headers={"token": token, "Accept": "application/graphql-response+json"},
        )
        assert strict.status_code == 400
        assert "data" not in strict.json()
        # Nothing was taken from the budget: a cheap operation still sees a full bucket.
        cheap = await graphql(client, "{ campaign(id: 1) { id } }", token=token, cost=True)
        assert cheap["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] >= (
            limits.capacity - 1
        )


@SQLITE_ONLY
async def test_the_default_maximum_admits_the_largest_page_of_pages(
    engine: AsyncEngine, database_url: str
) -> None:
    token = (await _seed(engine))[1]
    async with app_client(database_url) as client:
        body = await graphql(client, EXPENSIVE, token=token, cost=True)
    assert "errors" not in body
    assert body["extensions"]["cost"]["requestedQueryCost"] == EXPENSIVE_COST


# --- Leaky buckets: in the process ------------------------------------------------------------

STATS = "{ campaignAudienceStats(campaignId: 2) { totalAudience } }"  # costs 2


async def _drain(client: httpx.AsyncClient, token: str, limit: int = 100) -> httpx.Response:
    """Asks until refused; the refusal."""
    for _ in range(limit):
        response = await client.post("/graphql", json={"query": STATS}, headers={"token": token})
        if response.status_code != 200:
            return response
        assert "errors" not in response.json(), response.text
    raise AssertionError(f"never throttled in {limit} requests")


def _check_throttled(response: httpx.Response, restore_rate: int) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= max(1, -(-2 // restore_rate))
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"] == {"code": "THROTTLED", "retryAfter": retry_after}
    assert body["data"] is None


@SQLITE_ONLY
async def test_a_token_over_its_budget_is_throttled_and_others_are_not(
    engine: AsyncEngine, database_url: str
) -> None:
    tokens = await _seed(engine)
    limits = RateLimits(capacity=10, restore_rate=1)
    async with app_client(database_url, rate_limits=limits) as client:
        refused = await _drain(client, tokens[1])
        _check_throttled(refused, limits.restore_rate)
        # The REST twins share the bucket, and say so in their own error shape.
        rest = await client.get(REST_PATH, params={"campaign_id": 2}, headers={"token": tokens[1]})
        assert rest.status_code == 429
        assert rest.json()["error"]["code"] == "THROTTLED"
        assert int(rest.headers["Retry-After"]) >= 1
        listed = await client.get(
            LIST_PATH, params={"campaign_id": 2, "limit": 1}, headers={"token": tokens[1]}
        )
        assert listed.status_code == 429
        # Another token has a bucket of its own.
        other = await client.post(
            "/graphql", json={"query": "{ campaign(id: 1) { id } }"}, headers={"token": tokens[2]}
        )
        assert other.status_code == 200


@SQLITE_ONLY
async def test_the_bucket_refills_at_the_restore_rate(
    engine: AsyncEngine, database_url: str
) -> None:
    token = (await _seed(engine))[1]
    limits = RateLimits(capacity=4, restore_rate=20)
    async with app_client(database_url, rate_limits=limits) as client:
        await _drain(client, token)
        await asyncio.sleep(0.3)  # 6 points flow back; the bucket holds at most 4
        body = await graphql(client, STATS, token=token, cost=True)
        assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] <= 4


@SQLITE_ONLY
async def test_rest_costs_what_its_graphql_twin_costs(
    engine: AsyncEngine, database_url: str
) -> None:
    token = (await _seed(engine))[1]
    # Room for one stats request (2) at a time, refilled at 1 point a second.
    limits = RateLimits(capacity=3, restore_rate=1)
    async with app_client(database_url, rate_limits=limits) as client:
        first = await client.get(REST_PATH, params={"campaign_id": 2}, headers={"token": token})
        assert first.status_code == 200
        second = await client.get(REST_PATH, params={"campaign_id": 2}, headers={"token": token})
        assert second.status_code == 429
        # A list of 10 costs 24, more than the bucket ever holds: refused, never throttled.
        listed = await client.get(LIST_PATH, params={"campaign_id": 2}, headers={"token": token})
        assert listed.status_code == 400
        assert listed.json()["error"]["code"] == "MAX_COST_EXCEEDED"
        assert "24" in listed.json()["error"]["message"]


# --- Leaky buckets: in Redis --------------------------------------------------------------------


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys, and only those, are deleted after."""
    prefix = f"audience-stats-test-{uuid.uuid4().hex}"
    yield prefix
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@SQLITE_ONLY
async def test_processes_share_a_bucket_in_redis(
    engine: AsyncEngine, database_url: str, redis_prefix: str
) -> None:
    token = (await _seed(engine))[1]
    limits = RateLimits(capacity=10, restore_rate=1)
    shared = {"rate_limits": limits, "redis_url": REDIS_URL, "redis_prefix": redis_prefix}
    async with (
        app_client(database_url, **shared) as one,
        app_client(database_url, **shared) as two,
    ):
        _check_throttled(await _drain(one, token), limits.restore_rate)
        # Another process (or replica) sees the same empty bucket.
        refused = await two.post("/graphql", json={"query": STATS}, headers={"token": token})
        _check_throttled(refused, limits.restore_rate)
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{redis_prefix}:*")]
    finally:
        await client.aclose()
    assert len(keys) == 1
    assert token.encode() not in keys[0]  # keyed by the token's digest


@SQLITE_ONLY
@pytest.mark.parametrize("mode", [Mode.REFUSE, Mode.BLACKHOLE], ids=["refused", "blackholed"])
async def test_a_redis_outage_falls_back_to_the_process_with_one_log_line(
    engine: AsyncEngine,
    database_url: str,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
    mode: Mode,
) -> None:
    token = (await _seed(engine))[1]
    proxy = Proxy("127.0.0.1", 6379)
    await proxy.start()
    limits = RateLimits(capacity=10, restore_rate=1)
    url = f"redis://127.0.0.1:{proxy.port}/0"
    try:
        async with app_client(
            database_url, rate_limits=limits, redis_url=url, redis_prefix=redis_prefix
        ) as client:
            ok = await client.post("/graphql", json={"query": STATS}, headers={"token": token})
            assert ok.status_code == 200  # through Redis
            proxy.set(mode)
            with caplog.at_level(logging.WARNING, logger="app.throttle"):
                # Never a failed request: the process keeps the budget, and still throttles.
                _check_throttled(await _drain(client, token), limits.restore_rate)
            outages = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
            assert len(outages) == 1
    finally:
        await proxy.close()

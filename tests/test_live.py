"""Live stats (subscriptions over graphql-transport-ws, app/live.py): a real WebSocket client
against the app served by uvicorn, on both databases; values against the reference model of
the rows as they are after plain-SQL writes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.exceptions import ConnectionClosed, InvalidStatus

from app.breakdowns import UTC_ZONE
from app.changes import LISTENER
from app.errors import Unavailable
from app.filters import AudienceFilter
from app.live import Live, Watched
from app.repository import Repository
from app.settings import LiveLimits, RateLimits, Settings
from app.tables import api_token, campaign_audience
from tests import reference
from tests.conftest import BACKENDS, StatementLog
from tests.factories import add_audience, add_campaign, add_workspace, audience_row
from tests.live import acknowledged, connected, served

INTERVAL = 0.1
STATS = """
subscription Stats($id: Int!, $filter: AudienceFilter) {
  audienceStats(campaignId: $id, filter: $filter) {
    totalAudience coverage totalAttempt totalDuration successfulCalls
  }
}
"""
BREAKDOWN = """
subscription Calls($id: Int!) {
  audienceBreakdown(campaignId: $id, by: [CALL_STATUS]) { callStatus stats { totalAudience } }
}
"""
FILTER = {"status": ["INQUEUE", "COMPLETED"]}


def settings(database_url: str, **live: Any) -> Settings:
    return Settings(
        database_url=database_url,
        compact_seconds=INTERVAL,
        token_cache_seconds=INTERVAL,
        live=LiveLimits(interval=INTERVAL, **live),
    )


async def _seed(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_workspace(engine, 2)
    await add_campaign(engine, 1, 1)
    await add_campaign(engine, 2, 1)
    await add_campaign(engine, 3, 2)  # another workspace's
    rows = [
        audience_row(
            n, 1 + n % 3, status=n % 4, attempt=n % 3, call_status="ANSWER" if n % 2 else None
        )
        for n in range(1, 31)
    ]
    await add_audience(engine, rows)
    return token


async def _expected(engine: AsyncEngine, campaign_id: int, audience_filter: Any) -> dict[str, Any]:
    """The reference stats of the campaign's rows as committed now."""
    async with engine.connect() as conn:
        result = await conn.execute(
            sa.select(campaign_audience).where(campaign_audience.c.campaign_id == campaign_id)
        )
        rows = [dict(row._mapping) for row in result]
    return reference.graphql_stats(reference.stats(rows, audience_filter))


def _exact(stats: dict[str, Any]) -> dict[str, Any]:
    return reference.exact_coverage(stats)


async def _write(engine: AsyncEngine, sql: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(sql))


@pytest.fixture
async def url(engine: AsyncEngine, database_url: str) -> AsyncIterator[str]:
    async with served(settings(database_url)) as url:
        yield url


async def test_stats_are_pushed_after_plain_sql_writes(engine: AsyncEngine, url: str) -> None:
    token = await _seed(engine)
    async with acknowledged(url, token) as socket:
        await socket.subscribe("1", STATS, {"id": 1, "filter": FILTER})
        first = await socket.next_data("1")
        assert _exact(first["audienceStats"]) == await _expected(engine, 1, FILTER)
        seen = [first]
        for sql in (
            "UPDATE campaign_audience SET duration = duration + 60, status = 1 WHERE id = 3",
            "DELETE FROM campaign_audience WHERE id = 9",
            "INSERT INTO campaign_audience (id, campaign_id, mobile_no, status, attempt, duration, "
            "call_status, input_data) VALUES (100, 1, '+1', 3, 2, 5, 'COMPLETED', '{}')",
            "UPDATE campaign_audience SET call_status = 'BUSY' WHERE campaign_id = 1",
        ):
            await _write(engine, sql)
            data = await socket.next_data("1")
            assert _exact(data["audienceStats"]) == await _expected(engine, 1, FILTER), sql
            assert data != seen[-1]  # never the same value twice in a row
            seen.append(data)
        # Writes that leave these numbers as they are push nothing: another campaign's, a
        # record outside the filter, a column the stats do not read.
        await _write(engine, "UPDATE campaign_audience SET duration = 9 WHERE campaign_id = 2")
        await _write(engine, "UPDATE campaign_audience SET duration = 1 WHERE id = 6")
        await _write(engine, "UPDATE campaign_audience SET mobile_no = '+44' WHERE id = 1")
        await socket.silent(8 * INTERVAL)
        # Complete ends the stream; the socket stays usable.
        await socket.send({"id": "1", "type": "complete"})
        await socket.subscribe("2", BREAKDOWN, {"id": 1})
        groups = (await socket.next_data("2"))["audienceBreakdown"]
        assert [g["callStatus"] for g in groups] == ["BUSY"]


async def test_the_token_comes_in_the_init_payload_or_the_headers(
    engine: AsyncEngine, url: str
) -> None:
    token = await _seed(engine)
    ways: list[tuple[dict[str, str], dict[str, str]]] = [
        ({"token": token}, {}),
        ({"Authorization": f"Bearer {token}"}, {}),
        ({}, {"token": token}),
        ({}, {"Authorization": token}),
    ]
    for payload, headers in ways:
        async with connected(url, payload, headers) as socket:
            assert await socket.receive() == {"type": "connection_ack"}, (payload, headers)
            await socket.subscribe("1", STATS, {"id": 2})
            assert (await socket.next_data("1"))["audienceStats"]["totalAudience"] == 10
    async with engine.begin() as conn:
        await conn.execute(sa.update(api_token).values(revoked_at=sa.func.now()))
    await asyncio.sleep(INTERVAL)  # the bound within which a process learns of it
    for payload in ({"token": token}, {"token": "nobody's"}, {}, {"token": 7}):
        async with connected(url, payload) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                await socket.receive()
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Forbidden")


async def test_bad_arguments_and_unknown_campaigns_are_coded_error_messages(
    engine: AsyncEngine, url: str
) -> None:
    token = await _seed(engine)
    async with acknowledged(url, token) as socket:
        cases = [
            (STATS, {"id": 3}, "NOT_FOUND"),  # another workspace's campaign
            (STATS, {"id": 999}, "NOT_FOUND"),
            (STATS, {"id": 1, "filter": {"attempt": [5000]}}, "BAD_USER_INPUT"),
            (
                "subscription { audienceBreakdown(campaignId: 1, by: []) { attempt } }",
                {},
                "BAD_USER_INPUT",
            ),
            ("subscription { audienceStats(campaignId: 1) { nope } }", {}, "BAD_USER_INPUT"),
        ]
        messages = []
        for n, (query, variables, code) in enumerate(cases):
            await socket.subscribe(str(n), query, variables)
            message = await socket.receive()
            assert message["type"] == "error", message
            assert [e["extensions"]["code"] for e in message["payload"]] == [code], message
            messages.append(message["payload"][0]["message"])
        # Another workspace's campaign reads as a missing one.
        assert messages[0].replace("3", "999") == messages[1]
        # Queries go over HTTP.
        await socket.subscribe("q", "{ campaign(id: 1) { id } }")
        message = await socket.receive()
        assert message["payload"]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_legacy_protocol_and_foreign_origins_are_refused(
    engine: AsyncEngine, database_url: str
) -> None:
    token = await _seed(engine)
    allowed = Settings(database_url=database_url, cors_origins=("https://dash.example",))
    async with served(allowed) as url:
        with pytest.raises(ConnectionClosed) as closed:
            async with connected(url, {"token": token}, subprotocol="graphql-ws") as socket:
                await socket.receive()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4406
        with pytest.raises(InvalidStatus) as refused:
            async with connected(url, {"token": token}, {"Origin": "https://evil.example"}):
                pass
        assert refused.value.response.status_code == 403
        async with connected(url, {"token": token}, {"Origin": "https://dash.example"}) as socket:
            assert await socket.receive() == {"type": "connection_ack"}


async def test_connections_subscriptions_and_messages_are_bounded(
    engine: AsyncEngine, database_url: str
) -> None:
    token = await _seed(engine)
    limited = settings(database_url, subscriptions_per_connection=2, connections_per_token=2)
    async with served(limited) as url:
        async with acknowledged(url, token) as first, acknowledged(url, token):
            async with connected(url, {"token": token}) as third:  # past the token's two
                with pytest.raises(ConnectionClosed) as closed:
                    await third.receive()
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4403
            for n in range(2):
                await first.subscribe(str(n), STATS, {"id": 1})
                await first.next_data(str(n))
            await first.subscribe("2", STATS, {"id": 1})
            message = await first.receive()
            assert message["type"] == "error"
            assert message["payload"][0]["message"] == "Subscription limit reached"
        # A closed connection frees its place.
        async with acknowledged(url, token), acknowledged(url, token):
            pass
        # A message over the body cap closes the connection (1009), unread.
        async with acknowledged(url, token) as socket:
            await socket.subscribe("big", "subscription { x }" + " " * limited.max_body_bytes)
            with pytest.raises(ConnectionClosed) as closed:
                await socket.receive()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1009


async def test_two_servers_both_see_every_write(engine: AsyncEngine, database_url: str) -> None:
    token = await _seed(engine)
    async with (
        served(settings(database_url)) as one,
        served(settings(database_url)) as two,
        acknowledged(one, token) as a,
        acknowledged(two, token) as b,
    ):
        for socket in (a, b):
            await socket.subscribe("1", STATS, {"id": 2})
            await socket.next_data("1")
        await _write(engine, "UPDATE campaign_audience SET attempt = 9 WHERE campaign_id = 2")
        expected = await _expected(engine, 2, None)
        for socket in (a, b):
            assert _exact((await socket.next_data("1"))["audienceStats"]) == expected


class EveryCampaign:
    """A change signal that names every campaign once a tick."""

    async def start(self) -> None: ...

    async def take(self) -> set[int] | None:
        return None

    async def close(self) -> None: ...


async def test_a_thousand_subscribers_cost_one_statement_per_change(
    engine: AsyncEngine, statements: StatementLog
) -> None:
    await _seed(engine)
    live = Live(Repository(engine), EveryCampaign(), INTERVAL)
    audience_filter = AudienceFilter.parse(status=["3", "1"])
    watches = [
        live.watch(Watched(1, campaign_id, audience_filter, (), UTC_ZONE))
        for campaign_id in (1, 2) * 500
    ]
    firsts = await asyncio.gather(*(anext(w) for w in watches))
    assert live.topics == 2
    waiting = [asyncio.ensure_future(anext(w)) for w in watches]
    await _write(engine, "UPDATE campaign_audience SET status = 1, duration = 500")
    statements.statements.clear()
    await live.tick()
    pushed = await asyncio.wait_for(asyncio.gather(*waiting), 10)
    grouped = statements.matching("GROUP BY")
    assert len(grouped) == 1, grouped  # both campaigns, 1,000 subscribers: one statement
    assert all(new != old for new, old in zip(pushed, firsts, strict=True))
    assert live.recomputations == 2 + 2
    # A subscriber that does not read skips to the latest value: nothing piles up.
    for duration in (600, 700, 800):
        await _write(engine, f"UPDATE campaign_audience SET duration = {duration}")
        await live.tick()
    [latest] = await anext(watches[0])
    assert latest.stats.total_duration == 800 * latest.stats.total_audience
    for watch in watches:
        await watch.aclose()
    assert live.topics == 0


async def test_writes_the_rollup_does_not_see_reach_subscribers(
    engine: AsyncEngine, url: str
) -> None:
    """An update of a column outside the rollup's key (a disposition, a last attempt) still
    changes breakdowns by it: the signal names its campaign all the same."""
    token = await _seed(engine)
    query = """
    subscription Dispositions($id: Int!) {
      audienceBreakdown(campaignId: $id, by: [LAST_DISPOSITION]) {
        lastDisposition stats { totalAudience }
      }
    }
    """
    async with acknowledged(url, token) as socket:
        await socket.subscribe("1", query, {"id": 1})
        first = (await socket.next_data("1"))["audienceBreakdown"]
        assert [g["lastDisposition"] for g in first] == [None]
        await socket.silent(10 * INTERVAL)  # the signal of the seed's writes has passed
        await _write(
            engine, "UPDATE campaign_audience SET last_disposition = 'Interested' WHERE id = 3"
        )
        groups = (await socket.next_data("1"))["audienceBreakdown"]
        assert [(g["lastDisposition"], g["stats"]["totalAudience"]) for g in groups] == [
            ("Interested", 1),
            (None, 9),
        ]


# LISTEN is PostgreSQL's; SQLite's signal has no connection to lose.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
async def test_a_lost_listener_reconnects_and_recomputes(engine: AsyncEngine, url: str) -> None:
    token = await _seed(engine)
    async with acknowledged(url, token) as socket:
        await socket.subscribe("1", STATS, {"id": 1})
        await socket.next_data("1")
        await socket.silent(10 * INTERVAL)
        # The server loses its LISTEN connection; a write lands while it is away.
        async with engine.begin() as conn:
            ended = await conn.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND datname = current_database()"
                ),
                {"name": LISTENER},
            )
            await conn.execute(sa.text("UPDATE campaign_audience SET attempt = 7 WHERE id = 3"))
        assert ended == 1
        data = await socket.next_data("1")
        assert _exact(data["audienceStats"]) == await _expected(engine, 1, None)


async def test_pushes_are_paid_from_the_tokens_budget(
    engine: AsyncEngine, database_url: str
) -> None:
    token = await _seed(engine)
    tight = Settings(
        database_url=database_url,
        live=LiveLimits(interval=INTERVAL),
        rate_limits=RateLimits(max_cost=10, capacity=3, restore_rate=1),
    )
    async with served(tight) as url, acknowledged(url, token) as socket:
        await socket.subscribe("1", STATS, {"id": 1})
        await socket.next_data("1")  # 2 of the 3 points
        http = url.replace("ws://", "http://")
        async with httpx.AsyncClient() as client:
            response = await client.post(
                http,
                json={"query": "{ campaignAudienceStats(campaignId: 1) { totalAudience } }"},
                headers={"token": token},
            )
        assert response.status_code == 429, response.text
        # The next push waits for the budget, then comes.
        await _write(engine, "UPDATE campaign_audience SET attempt = 2 WHERE id = 3")
        data = await socket.next_data("1")
        assert _exact(data["audienceStats"]) == await _expected(engine, 1, None)


async def test_a_revoked_tokens_subscriptions_end(engine: AsyncEngine, url: str) -> None:
    token = await _seed(engine)
    async with acknowledged(url, token) as socket:
        await socket.subscribe("1", STATS, {"id": 1})
        await socket.next_data("1")
        async with engine.begin() as conn:
            await conn.execute(sa.update(api_token).values(revoked_at=sa.func.now()))
        await asyncio.sleep(INTERVAL)  # the bound within which a process learns of it
        await _write(engine, "UPDATE campaign_audience SET attempt = 5 WHERE id = 3")
        message = await socket.receive()
        assert message["type"] == "next"
        assert message["payload"]["data"] is None
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert await socket.receive() == {"id": "1", "type": "complete"}


async def test_subscriptions_over_http_are_refused(engine: AsyncEngine, url: str) -> None:
    token = await _seed(engine)
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url.replace("ws://", "http://"),
            json={"query": STATS, "variables": {"id": 1}},
            headers={"token": token},
        )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "WebSocket" in error["message"]


class Flaky(Repository):
    """A repository whose breakdowns fail while `failing` is set, as an unreachable database."""

    failing = False

    async def breakdown(self, *args: Any, **kwargs: Any) -> Any:
        if self.failing:
            raise Unavailable("the database is away")
        return await super().breakdown(*args, **kwargs)


class Once:
    """A change signal that names campaign 1 once, then nothing."""

    def __init__(self) -> None:
        self.told = False

    async def start(self) -> None: ...

    async def take(self) -> set[int] | None:
        told, self.told = self.told, True
        return set() if told else {1}

    async def close(self) -> None: ...


async def test_a_failed_recomputation_is_done_again_and_no_older_value_wins(
    engine: AsyncEngine,
) -> None:
    await _seed(engine)
    repository = Flaky(engine)
    live = Live(repository, Once(), INTERVAL)
    watch = live.watch(Watched(1, 1, AudienceFilter(), (), UTC_ZONE))
    [first] = await anext(watch)
    await _write(engine, "UPDATE campaign_audience SET attempt = 9 WHERE campaign_id = 1")
    repository.failing = True
    await live.tick()  # told of campaign 1, but the database is away
    repository.failing = False
    waiting = asyncio.ensure_future(anext(watch))
    await live.tick()  # told of nothing new: what failed is done again
    [pushed] = await asyncio.wait_for(waiting, 5)
    assert (
        pushed.stats.total_attempt == 9 * pushed.stats.total_audience != first.stats.total_attempt
    )
    # A value computed by a recomputation that began earlier never replaces a newer one.
    topic = live._topics[Watched(1, 1, AudienceFilter(), (), UTC_ZONE)]
    topic.publish([], computation=0)
    assert topic.value != []
    await watch.aclose()

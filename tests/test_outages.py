"""A database that is away, cut off or slow: every request gets a coded 503 within the
configured bounds, the log gets one line per kind of failure, and service comes back by
itself. PostgreSQL behind a proxy of the test's own (tests/proxy.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.settings import Settings, Timeouts
from tests.api import REST_PATH
from tests.conftest import BACKENDS
from tests.factories import add_audience, add_campaign, add_workspace, audience_row
from tests.proxy import Mode, Proxy
from tests.server import serve

pytestmark = pytest.mark.parametrize(
    "database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True
)

TIMEOUTS = Timeouts(connect=1.0, statement=1.0, request=4.0)
STATS = "query($id: Int!) { campaignAudienceStats(campaignId: $id) { totalAudience } }"


async def _client(
    database_url: str, proxy: Proxy, timeouts: Timeouts = TIMEOUTS
) -> AsyncIterator[httpx.AsyncClient]:
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    settings = Settings(
        database_url=proxied.render_as_string(hide_password=False),
        timeouts=timeouts,
        compact_seconds=3600,
        # The same request is sent again and again: the outage must reach it, not a kept
        # answer (README, Limits and failures).
        response_cache_size=0,
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def proxied(
    engine: AsyncEngine, database_url: str, proxy: Proxy
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await add_audience(engine, [audience_row(i, 1) for i in range(1, 6)])
    async for client in _client(database_url, proxy):
        yield client, token


async def _stats(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": STATS, "variables": {"id": 1}}, headers={"token": token}
    )


def _assert_unavailable(response: httpx.Response, graphql: bool = True) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    body: dict[str, Any] = response.json()
    if graphql:
        assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    else:
        assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Traceback" not in response.text
    assert "asyncpg" not in response.text


async def test_a_stopped_database_is_503_and_service_comes_back(
    proxied: tuple[httpx.AsyncClient, str], proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    client, token = proxied
    assert (await _stats(client, token)).json()["data"]["campaignAudienceStats"] == {
        "totalAudience": 5
    }
    proxy.set(Mode.REFUSE)
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            _assert_unavailable(await _stats(client, token))
            rest = await client.get(REST_PATH, params={"campaign_id": 1}, headers={"token": token})
            _assert_unavailable(rest, graphql=False)
    # One line per kind of failure, no traceback per request.
    outage_lines = [r for r in caplog.records if r.name == "app.database"]
    assert 1 <= len(outage_lines) <= 3, [r.getMessage() for r in outage_lines]
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    proxy.set(Mode.PASS)
    started = time.monotonic()
    while (await _stats(client, token)).status_code != 200:
        assert time.monotonic() - started < 2, "no recovery within 2 s"
    assert time.monotonic() - started < 2


async def test_a_cut_network_answers_within_the_connect_timeout(
    engine: AsyncEngine, database_url: str, proxy: Proxy
) -> None:
    token = await add_workspace(engine, 1)
    proxy.set(Mode.BLACKHOLE)  # before the app has a single connection
    async for client in _client(database_url, proxy):
        started = time.monotonic()
        _assert_unavailable(await _stats(client, token))
        assert time.monotonic() - started < TIMEOUTS.connect + 1.5


async def test_a_cut_network_on_an_open_connection_answers_within_the_statement_timeout(
    proxied: tuple[httpx.AsyncClient, str], proxy: Proxy
) -> None:
    client, token = proxied
    assert (await _stats(client, token)).status_code == 200  # the pool holds connections now
    proxy.set(Mode.BLACKHOLE)
    started = time.monotonic()
    _assert_unavailable(await _stats(client, token))
    assert time.monotonic() - started < TIMEOUTS.statement + 1.5


async def test_a_request_past_its_time_is_503(
    engine: AsyncEngine, database_url: str, proxy: Proxy
) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    slow = Timeouts(connect=10.0, statement=10.0, request=1.0)
    async for client in _client(database_url, proxy, slow):
        assert (await _stats(client, token)).status_code == 200
        proxy.set(Mode.BLACKHOLE)
        started = time.monotonic()
        response = await _stats(client, token)
        _assert_unavailable(response)
        assert "longer than 1 s" in response.json()["errors"][0]["message"]
        assert time.monotonic() - started < slow.request + 1.0
        proxy.set(Mode.PASS)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str
) -> tuple[int, dict[str, str]]:
    """One GraphQL request on an open HTTP/1.1 connection; its status and headers."""
    body = json.dumps({"query": STATS, "variables": {"id": 1}}).encode()
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        + f"token: {token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers["content-length"]))
    return status, headers


async def test_an_outage_answer_keeps_the_client_connection(
    engine: AsyncEngine, database_url: str, proxy: Proxy, tmp_path: Path
) -> None:
    """Served by uvicorn: the 503 comes on the same keep-alive connection as the answers
    before and after it, and the server logs no traceback."""
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    env = {
        "DATABASE_URL": proxied.render_as_string(hide_password=False),
        "AUDIENCE_STATS_DB_CONNECT_TIMEOUT": "1",
        "AUDIENCE_STATS_DB_STATEMENT_TIMEOUT": "1",
        # The same request is sent again: the outage must reach it, not a kept answer.
        "AUDIENCE_STATS_RESPONSE_CACHE_SIZE": "0",
    }
    # The server starts in a thread, so that this loop keeps forwarding its connections.
    served = serve(tmp_path, env)
    server = await asyncio.to_thread(served.__enter__)
    try:
        address = urlsplit(server.url)
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        assert (await _exchange(reader, writer, token))[0] == 200
        proxy.set(Mode.REFUSE)
        for _ in range(3):
            status, headers = await _exchange(reader, writer, token)
            assert status == 503
            assert headers.get("connection", "keep-alive") != "close"
        proxy.set(Mode.PASS)
        started = time.monotonic()
        while (await _exchange(reader, writer, token))[0] != 200:
            assert time.monotonic() - started < 2, "no recovery within 2 s"
        writer.close()
    finally:
        await asyncio.to_thread(served.__exit__, None, None, None)
    assert b"Traceback" not in server.stderr, server.stderr.decode()

"""Logs: a request id in the response and in every line of its request, one access line per
request (never the token), and JSON lines on demand."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.loaders import Loaders
from app.logs import JsonFormatter, RequestIdFilter, request_id
from app.settings import Settings
from tests.factories import add_campaign, add_workspace
from tests.server import serve

STATS = "query Cards($id: Int!) { campaignAudienceStats(campaignId: $id) { totalAudience } }"


@pytest.fixture
async def client(engine: AsyncEngine, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(create_app(Settings(database_url=database_url))) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_the_request_id_is_taken_or_made_and_returned(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "lb-7f3c-0001"})
    assert given.headers["x-request-id"] == "lb-7f3c-0001"
    made = [(await client.get("/healthz")).headers["x-request-id"] for _ in range(2)]
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in made)
    assert made[0] != made[1]
    for bad in ("x" * 129, "two words", "ümlaut"):
        replaced = await client.get("/healthz", headers={"X-Request-ID": bad.encode()})
        assert replaced.headers["x-request-id"] not in (bad, "")
    refused = await client.post("/graphql", json={"query": STATS}, headers={"X-Request-ID": "r1"})
    assert refused.status_code == 401
    assert refused.headers["x-request-id"] == "r1"  # refusals carry it too


async def test_one_access_line_per_request_never_the_token(
    engine: AsyncEngine, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/graphql",
            json={"query": STATS, "variables": {"id": 1}, "operationName": "Cards"},
            headers={"token": token, "X-Request-ID": "req-1"},
        )
        assert response.status_code == 200
        await client.get("/healthz")
        await client.get("/api/v1/global/campaign-audience-stats?campaign_id=1")
    access = [r for r in caplog.records if r.name == "app.access"]
    assert [r.access["path"] for r in access] == [  # type: ignore[attr-defined]
        "/graphql",
        "/api/v1/global/campaign-audience-stats",  # without its query string
    ]
    first = access[0]
    assert first.access == {  # type: ignore[attr-defined]
        "method": "POST",
        "path": "/graphql",
        "status": 200,
        "duration_ms": first.access["duration_ms"],  # type: ignore[attr-defined]
        "operation": "Cards",
        "workspace_id": 1,
    }
    assert first.request_id == "req-1"  # type: ignore[attr-defined]
    assert access[1].access["status"] == 401  # type: ignore[attr-defined]
    assert all(token not in r.getMessage() for r in caplog.records)


def test_json_lines_carry_the_request_id_and_the_access_fields() -> None:
    record = logging.LogRecord("app.access", logging.INFO, "", 0, "GET /x", None, None)
    record.access = {"method": "GET", "status": 200}
    handle = request_id.set("abc")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(handle)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc"
    assert (line["level"], line["logger"], line["message"]) == ("INFO", "app.access", "GET /x")
    assert (line["method"], line["status"]) == ("GET", 200)
    assert line["time"].endswith("Z")


def test_a_served_process_writes_json_lines_with_request_ids(tmp_path: Path) -> None:
    env = {"AUDIENCE_STATS_LOG_FORMAT": "json"}
    with serve(tmp_path, env) as server:
        response = httpx.get(f"{server.url}/api/v1/global/campaign-audience-stats?campaign_id=1")
        assert response.status_code == 401
    lines = [json.loads(line) for line in server.stderr.decode().splitlines() if line.strip()]
    assert {line["logger"] for line in lines} >= {"app.access", "uvicorn.error"}
    rid = response.headers["x-request-id"]
    [access] = [line for line in lines if line["request_id"] == rid]
    assert access["logger"] == "app.access"
    assert (access["path"], access["status"]) == ("/api/v1/global/campaign-audience-stats", 401)


async def test_an_unexpected_failure_is_a_masked_500_with_its_request_id(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)

    async def broken(*_args: object) -> object:
        raise RuntimeError("secret detail of a bug")

    monkeypatch.setattr(Loaders, "campaign_stats", broken)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        response = await client.get(
            "/api/v1/global/campaign-audience-stats?campaign_id=1",
            headers={"token": token, "X-Request-ID": "bug-1"},
        )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "bug-1"
    assert response.json() == {
        "error": {"code": "INTERNAL_SERVER_ERROR", "message": "Internal server error."}
    }
    [failed] = [r for r in caplog.records if r.getMessage().endswith(" failed")]
    assert failed.request_id == "bug-1"  # type: ignore[attr-defined]
    assert failed.exc_info is not None
    [access] = [r for r in caplog.records if r.name == "app.access"]
    assert access.access["status"] == 500  # type: ignore[attr-defined]


async def test_access_lines_cannot_be_forged(
    engine: AsyncEngine, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await add_workspace(engine, 1)
    with caplog.at_level(logging.INFO):
        await client.get("/nope%0Aforged%20line")
        body = {"query": "query Ok { __typename }", "operationName": "Ok\nforged"}
        await client.post("/graphql", json=body, headers={"token": token})
    lines = [r.getMessage() for r in caplog.records if r.name == "app.access"]
    assert len(lines) == 2
    assert all("\n" not in line for line in lines)
    assert "path='/nope\\nforged line'" in lines[0]
    assert "operation=" not in lines[1]  # not a GraphQL name: not logged

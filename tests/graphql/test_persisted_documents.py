"""Persisted documents (app/graphql/documents.py): automatic persisted queries over POST and
GET, shared through Redis, and trusted-documents mode over HTTP and WebSocket."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.graphql.documents import LocalStore, sha256
from app.settings import Settings
from tests.factories import add_audience, add_campaign, add_workspace, audience_row
from tests.live import acknowledged, served

QUERY = "query Count($id: Int!) { campaignAudienceStats(campaignId: $id) { totalAudience } }"
OTHER = "{ campaigns { totalCount } }"
SUBSCRIPTION = "subscription Live { audienceStats(campaignId: 1) { totalAudience } }"
NEW_TYPE = "application/graphql-response+json"
REDIS_URL = "redis://127.0.0.1:6379/0"


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


async def _seed(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await add_audience(engine, [audience_row(n, 1) for n in range(1, 4)])
    return token


@asynccontextmanager
async def app_client(settings: Settings, token: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", headers={"token": token}
        ) as client:
            yield client


def _codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def test_automatic_persisted_queries(engine: AsyncEngine, database_url: str) -> None:
    token = await _seed(engine)
    variables = {"id": 1}
    async with app_client(Settings(database_url=database_url), token) as client:
        # An unknown hash: the client is told to send the text (a request error).
        for accept, status in ((None, 200), (NEW_TYPE, 400)):
            headers = {"accept": accept} if accept else {}
            response = await client.post(
                "/graphql",
                json={"variables": variables, "extensions": persisted(QUERY)},
                headers=headers,
            )
            assert response.status_code == status, response.text
            assert _codes(response.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
        # The text with its hash runs and is kept; then the hash alone runs it.
        body = {"query": QUERY, "variables": variables, "extensions": persisted(QUERY)}
        response = await client.post("/graphql", json=body)
        assert response.json()["data"] == {"campaignAudienceStats": {"totalAudience": 3}}
        response = await client.post(
            "/graphql", json={"variables": variables, "extensions": persisted(QUERY)}
        )
        assert response.json()["data"] == {"campaignAudienceStats": {"totalAudience": 3}}
        # Over GET too, even when it accepts HTML: a hash is not a browser asking for GraphiQL.
        params = {"extensions": json.dumps(persisted(QUERY)), "variables": json.dumps(variables)}
        for accept in ("*/*", "text/html,application/json"):
            response = await client.get("/graphql", params=params, headers={"accept": accept})
            assert response.json()["data"] == {"campaignAudienceStats": {"totalAudience": 3}}
            assert response.headers["cache-control"] == "private"
        # documentId, the GraphQL over HTTP spelling.
        response = await client.post(
            "/graphql", json={"documentId": f"sha256:{sha256(QUERY)}", "variables": variables}
        )
        assert response.json()["data"] == {"campaignAudienceStats": {"totalAudience": 3}}
        # A hash that is not the text's, or a malformed one, is bad input.
        for bad in (
            {"query": OTHER, "extensions": persisted(QUERY)},
            {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256(QUERY)}}},
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}},
            {"documentId": "md5:abc"},
        ):
            response = await client.post("/graphql", json=bad)
            assert _codes(response.json()) == ["BAD_USER_INPUT"], bad


async def test_redis_shares_persisted_queries_between_processes(
    engine: AsyncEngine, database_url: str
) -> None:
    token = await _seed(engine)
    prefix = f"audience-stats-test-{uuid.uuid4().hex}"
    settings = Settings(database_url=database_url, redis_url=REDIS_URL, redis_prefix=prefix)
    try:
        async with app_client(settings, token) as one, app_client(settings, token) as two:
            body = {"query": OTHER, "extensions": persisted(OTHER)}
            assert (await one.post("/graphql", json=body)).json()["data"] is not None
            answer = await two.post("/graphql", json={"extensions": persisted(OTHER)})
            assert answer.json()["data"] == {"campaigns": {"totalCount": 1}}
    finally:
        redis = aioredis.Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(f"{prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def test_a_process_keeps_the_most_recently_used_documents() -> None:
    async def run() -> list[str | None]:
        store = LocalStore(size=2)
        for name in ("a", "b"):
            await store.put(name, name.upper())
        await store.get("a")  # now the most recent
        await store.put("c", "C")
        return [await store.get(name) for name in ("a", "b", "c")]

    import asyncio

    assert asyncio.run(run()) == ["A", None, "C"]


@pytest.fixture
def trusted_file(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha256(text): text for text in (QUERY, SUBSCRIPTION)}))
    return path


async def test_trusted_documents_only(
    engine: AsyncEngine, database_url: str, trusted_file: Path
) -> None:
    token = await _seed(engine)
    settings = Settings(database_url=database_url, trusted_documents=trusted_file)
    async with app_client(settings, token) as client:
        named = {"variables": {"id": 1}, "extensions": persisted(QUERY)}
        assert (await client.post("/graphql", json=named)).json()["data"] is not None
        by_id = {"documentId": f"sha256:{sha256(QUERY)}", "variables": {"id": 1}}
        assert (await client.post("/graphql", json=by_id)).json()["data"] is not None
        cases = [
            ({"query": QUERY, "variables": {"id": 1}}, "PERSISTED_QUERY_ID_REQUIRED"),
            ({"query": OTHER, "extensions": persisted(OTHER)}, "PERSISTED_QUERY_NOT_IN_LIST"),
            ({"extensions": persisted(OTHER)}, "PERSISTED_QUERY_NOT_IN_LIST"),
            ({"query": OTHER, "extensions": persisted(QUERY)}, "BAD_USER_INPUT"),
        ]
        for body, code in cases:
            response = await client.post("/graphql", json=body, headers={"accept": NEW_TYPE})
            assert response.status_code == 400, body
            assert _codes(response.json()) == [code], body
    # Subscriptions too.
    async with served(settings) as url, acknowledged(url, token) as socket:
        await socket.send(
            {"id": "1", "type": "subscribe", "payload": {"extensions": persisted(SUBSCRIPTION)}}
        )
        assert (await socket.next_data("1"))["audienceStats"]["totalAudience"] == 3
        await socket.subscribe("2", SUBSCRIPTION)
        message = await socket.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_REQUIRED"


def test_a_trusted_list_that_does_not_hold_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "documents.json"
    for content, problem in (
        ("[]", "must hold a JSON object"),
        (json.dumps({"0" * 64: QUERY}), "is not the SHA-256"),
        (json.dumps({sha256("{ nope }"): "{ nope }"}), "does not validate"),
    ):
        path.write_text(content)
        with pytest.raises(ValueError, match=problem):
            create_app(Settings(trusted_documents=path))

"""Request bounds: bodies over the cap are refused unread, a client that leaves mid-body is
no server error, and REST refuses parameters that are not UTF-8."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.settings import Settings
from tests.api import REST_PATH
from tests.factories import add_campaign, add_workspace

CAP = 4096


@pytest.fixture
async def capped(
    engine: AsyncEngine, database_url: str
) -> AsyncIterator[tuple[Any, httpx.AsyncClient, str]]:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    app = create_app(Settings(database_url=database_url, max_body_bytes=CAP, compact_seconds=3600))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield manager.app, client, token


def _query(padding: int) -> dict[str, Any]:
    return {"query": "{ __typename }", "extensions": {"padding": "x" * padding}}


async def test_a_body_over_the_cap_is_413_and_one_under_it_runs(
    capped: tuple[Any, httpx.AsyncClient, str],
) -> None:
    _app, client, token = capped
    small = await client.post("/graphql", json=_query(CAP - 200), headers={"token": token})
    assert small.status_code == 200, small.text
    big = await client.post("/graphql", json=_query(CAP * 10), headers={"token": token})
    assert big.status_code == 413
    assert big.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def _call(
    app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes], *, complete: bool = True
) -> Any:
    """Call the app with a body in chunks (announcing more after the last unless complete);
    returns (status, body, chunks it read)."""
    sent: list[dict[str, Any]] = []
    pending = list(chunks)
    read = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        read += 1
        chunk = pending.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending) or not complete}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
        "state": {},
    }
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, read


async def test_a_chunked_body_is_read_no_further_than_the_cap(
    capped: tuple[Any, httpx.AsyncClient, str],
) -> None:
    app, _client, token = capped
    chunks = [b"x" * 1024] * 100  # no Content-Length: 100 KiB in 1 KiB chunks
    headers = [(b"token", token.encode()), (b"content-type", b"application/json")]
    status, body, read = await _call(app, headers, chunks)
    assert status == 413, body
    assert b"REQUEST_TOO_LARGE" in body
    assert read <= CAP // 1024 + 1


async def test_a_declared_length_over_the_cap_is_refused_unread(
    capped: tuple[Any, httpx.AsyncClient, str],
) -> None:
    app, _client, token = capped
    headers = [(b"token", token.encode()), (b"content-length", str(CAP + 1).encode())]
    status, body, read = await _call(app, headers, [b"x" * (CAP + 1)])
    assert (status, read) == (413, 0), body


async def test_a_client_leaving_mid_body_is_no_server_error(
    capped: tuple[Any, httpx.AsyncClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    app, _client, token = capped
    headers = [
        (b"token", token.encode()),
        (b"content-type", b"application/json"),
        (b"content-length", b"1000"),
    ]

    with caplog.at_level(logging.INFO):
        # Half a body, then the client is gone (receive answers http.disconnect).
        status, _body, _read = await _call(app, headers, [b'{"query": "{ __typ'], complete=False)
    assert status != 500
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert any("went away" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "query", ["mobile_no=%ff%fe", "call_status=%c3", "mobile_no=%ed%a0%80", "status=1&x=%ff"]
)
async def test_rest_parameters_that_are_not_utf8_are_400(
    capped: tuple[Any, httpx.AsyncClient, str], query: str
) -> None:
    _app, client, token = capped
    for path in (REST_PATH, "/api/v1/global/audience-list"):
        response = await client.get(f"{path}?campaign_id=1&{query}", headers={"token": token})
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "BAD_USER_INPUT"
        assert "UTF-8" in response.json()["error"]["message"]

"""/healthz and /readyz: public, no rate budget, and /readyz says why it is not ready."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.db import newest_migration
from app.settings import RateLimits, Settings, Timeouts
from tests.conftest import BACKENDS
from tests.proxy import Mode, Proxy


async def _get(settings: Settings, *paths: str) -> list[httpx.Response]:
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.get(path) for path in paths]


async def test_both_answer_without_a_token_and_cost_nothing(
    engine: AsyncEngine, database_url: str
) -> None:
    # A budget of one point: were the checks charged, the second would be refused.
    tight = RateLimits(max_cost=1, capacity=1, restore_rate=1)
    settings = Settings(database_url=database_url, rate_limits=tight)
    responses = await _get(settings, *["/healthz", "/readyz"] * 3)
    for response in responses:
        assert response.status_code == 200, response.text
    assert responses[0].json() == {"status": "ok"}
    assert responses[1].json() == {"status": "ready", "migration": newest_migration()}


async def test_readyz_is_503_with_the_reason_while_the_schema_is_behind(
    engine: AsyncEngine, database_url: str
) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE alembic_version SET version_num = '0005'"))
    try:
        health, ready = await _get(Settings(database_url=database_url), "/healthz", "/readyz")
    finally:
        async with engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE alembic_version SET version_num = :v"), {"v": newest_migration()}
            )
    assert health.status_code == 200  # the process itself is fine
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "reason": f"the schema is at migration 0005, the newest is {newest_migration()}",
    }


async def test_readyz_is_503_on_a_database_without_the_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    [ready] = await _get(Settings(database_url=url), "/readyz")
    assert ready.status_code == 503
    assert ready.json()["reason"].startswith("the schema is not created")


# A server out of reach: the proxy stands between the app and PostgreSQL.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
async def test_readyz_is_503_while_the_database_cannot_be_reached(
    engine: AsyncEngine, database_url: str, proxy: Proxy
) -> None:
    proxied = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    settings = Settings(
        database_url=proxied.render_as_string(hide_password=False),
        timeouts=Timeouts(connect=1.0, statement=1.0, request=5.0),
        compact_seconds=3600,
    )
    proxy.set(Mode.REFUSE)
    health, ready = await _get(settings, "/healthz", "/readyz")
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json()["reason"].startswith("the database cannot be reached"), ready.text

"""Migrations build exactly the tables the code declares, on each database."""

from __future__ import annotations

import asyncio
import os
import warnings
from functools import partial
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from asgi_lifespan import LifespanManager
from sqlalchemy import Connection, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool

from app.app import create_app
from app.db import create_engine, migrate, newest_migration
from app.settings import Settings
from app.tables import campaign_audience_rollup, exists_on, metadata
from tests.conftest import BACKENDS, POSTGRES_URL, _create_or_drop
from tests.factories import add_campaign, add_workspace


def _differences(connection: Connection) -> list[object]:
    include = partial(exists_on, connection.dialect.name)
    context = MigrationContext.configure(connection, opts={"include_object": include})
    # Neither SQLAlchemy nor Alembic reads SQLite's expression indexes back; they skip them
    # with a warning, and test_sqlite_rollup_index_is_what_the_tables_declare checks the one.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*expression-based index")
        return list(compare_metadata(context, metadata))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_sqlite_rollup_index_is_what_the_tables_declare(engine: AsyncEngine) -> None:
    (index,) = [i for i in campaign_audience_rollup.indexes if exists_on("sqlite", i)]
    async with engine.connect() as conn:
        created = await conn.scalar(
            sa.text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"),
            {"name": index.name},
        )
    declared = str(sa.schema.CreateIndex(index).compile(dialect=engine.dialect))
    assert " ".join(created.split()) == " ".join(declared.split())


async def test_migrated_schema_matches_the_tables(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


async def test_migrating_again_changes_nothing(engine: AsyncEngine) -> None:
    await migrate(engine)
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


async def test_sqlite_connections_enforce_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fk.db'}")
    async with engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    await engine.dispose()


@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
async def test_postgresql_plans_each_statement_for_its_parameters(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        setting = (await conn.exec_driver_sql("SHOW plan_cache_mode")).scalar()
    assert setting == "force_custom_plan"


async def test_concurrent_requests_open_no_connection_once_the_pool_is_warm(
    engine: AsyncEngine, database_url: str
) -> None:
    """Requests that run their statements at once wait for the pool's connections rather
    than open and close others (a PostgreSQL session, an SQLite thread, each time)."""
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    opened: list[object] = []

    def count(*_: object) -> None:
        opened.append(1)

    query = {
        "query": "{ campaignAudienceStats(campaignId: 1) { totalAudience } campaign(id: 1) { id } }"
    }
    app = create_app(Settings(database_url=database_url, pool_size=4))
    event.listen(Pool, "connect", count)
    try:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

                async def requests(n: int) -> None:
                    for _ in range(n):
                        response = await client.post(
                            "/graphql", json=query, headers={"token": token}
                        )
                        assert response.status_code == 200, response.text

                await asyncio.gather(*(requests(5) for _ in range(16)))  # warm-up
                warm = len(opened)
                await asyncio.gather(*(requests(10) for _ in range(16)))
    finally:
        event.remove(Pool, "connect", count)
    assert 0 < warm <= 4 + 2  # the pool, and the live loop's change signal
    assert len(opened) == warm


@pytest.mark.parametrize("backend", BACKENDS)
async def test_processes_that_start_at_once_migrate_once(backend: str, tmp_path: Path) -> None:
    """Replicas and workers starting together each migrate: they take turns, and the schema
    ends at the newest migration with nothing done twice."""
    if backend == "sqlite":
        url, database = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}", None
    else:
        database = f"migrate_race_{os.getpid()}"
        await _create_or_drop(database, create=True)
        url = make_url(POSTGRES_URL).set(database=database).render_as_string(False)
    engines = [create_engine(url) for _ in range(4)]
    try:
        await asyncio.gather(*(migrate(engine) for engine in engines))
        async with engines[0].connect() as conn:
            versions = (
                await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            ).all()
        assert [v for (v,) in versions] == [newest_migration()]
    finally:
        for engine in engines:
            await engine.dispose()
        if database is not None:
            await _create_or_drop(database, create=False)

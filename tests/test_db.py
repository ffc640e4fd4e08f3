"""Migrations build exactly the tables the code declares, on each database."""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine, migrate
from app.tables import campaign_audience_rollup, exists_on, metadata
from tests.conftest import BACKENDS


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

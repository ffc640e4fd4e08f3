"""Databases for the tests: SQLite always, PostgreSQL whenever TEST_DATABASE_URL names one."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager
from hypothesis import settings
from sqlalchemy import Engine, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app import rollups
from app.app import create_app
from app.db import create_engine, migrate
from app.settings import Settings
from app.tables import (
    campaign_audience_delta,
    campaign_audience_rollup,
    exists_on,
    metadata,
)
from tests.driver_statements import DriverStatements
from tests.proxy import Proxy

# CI (.ci/run sets CI): the same examples on every run, so a red build is a reproducible one
# and never a lucky draw, and no example database to carry between clean clones. No deadline
# anywhere: a shared 2-core machine runs the databases beside the tests.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    await migrate(engine)
    await engine.dispose()


def tables_of(engine: AsyncEngine) -> list[sa.Table]:
    """The tables the migrations create on the engine's database, parents first."""
    return [table for table in metadata.sorted_tables if exists_on(engine.dialect.name, table)]


async def clear(engine: AsyncEngine) -> None:
    """Delete every row, children first, and then the rollup's (deletes add deltas)."""
    derived = {campaign_audience_rollup.name, campaign_audience_delta.name}
    tables = sorted(reversed(tables_of(engine)), key=lambda table: table.name in derived)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await rollups.hold_lock(conn)  # a server's compaction may run beside
        for table in tables:
            await conn.execute(sa.delete(table))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test: faster than migrating each time."""
    path = tmp_path_factory.mktemp("template") / "audience_stats.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


async def _create_or_drop(database: str, *, create: bool) -> None:
    engine = create_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        if create:
            await conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        else:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """A migrated database of its own beside TEST_DATABASE_URL's, so test runs never collide."""
    url = make_url(POSTGRES_URL)
    database = f"{url.database}_audience_stats_{os.getpid()}"
    asyncio.run(_create_or_drop(database, create=True))
    own_url = url.set(database=database).render_as_string(hide_password=False)
    asyncio.run(_migrate(own_url))
    yield own_url
    asyncio.run(_create_or_drop(database, create=False))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "audience_stats.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        yield request.getfixturevalue("postgres_migrated")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await clear(engine)
    yield engine
    await clear(engine)
    await engine.dispose()


@pytest.fixture
async def client(engine: AsyncEngine, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the whole app (lifespan included) on the test database. Its tests
    write between requests and expect each write at once, so it keeps no answers: the
    response cache and the window after a write have tests of their own
    (tests/graphql/test_response_cache.py)."""
    app = create_app(Settings(database_url=database_url, response_cache_size=0))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


class StatementLog:
    """SQL statements executed on any engine while it is recording."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def matching(self, text: str) -> list[str]:
        return [s for s in self.statements if text in s]


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[Proxy]:
    """A proxy of our own between the app and the database server, to cut it off at will."""
    url = make_url(database_url)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
def statements() -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(Engine, "before_cursor_execute", log)
    yield log
    event.remove(Engine, "before_cursor_execute", log)


@pytest.fixture
def driver_statements(database_url: str) -> Iterator[DriverStatements]:
    """Every statement the database receives while recording, counted at the driver: see
    tests/driver_statements.py."""
    log = DriverStatements(make_url(database_url).get_backend_name())
    log.attach()
    yield log
    log.detach()

"""The demo data's public tokens never open real data: only a new embedded database is seeded,
and a real load removes the demo tokens it does not bring itself."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import cli
from app.db import create_engine
from app.load_format import LoadError
from app.loading import load_directory
from app.repository import Repository
from app.settings import Settings
from app.tables import workspace
from tests.demo import SEEDS, demo_token


def _prepare(path: Path) -> None:
    asyncio.run(cli._prepare(Settings(database_url=f"sqlite+aiosqlite:///{path}")))


async def _workspace_of(url: str, token: str) -> int | None:
    engine = create_engine(url)
    try:
        return await Repository(engine).workspace_for_token(token)
    finally:
        await engine.dispose()


def test_serve_seeds_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    _prepare(path)
    assert asyncio.run(_workspace_of(f"sqlite+aiosqlite:///{path}", demo_token())) == 1


def test_serve_seeds_an_empty_file(tmp_path: Path) -> None:
    """A zero-byte file is an empty SQLite database (one a user made with `touch`)."""
    path = tmp_path / "touched.db"
    path.touch()
    _prepare(path)
    assert asyncio.run(_workspace_of(f"sqlite+aiosqlite:///{path}", demo_token())) == 1


def test_a_failed_first_load_leaves_a_database_serve_does_not_seed(tmp_path: Path) -> None:
    """A load that created the schema, then failed (or was killed): no demo data after."""
    path = tmp_path / "real.db"
    url = f"sqlite+aiosqlite:///{path}"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "workspaces.csv").write_text("id,name\n1,Real\nnot a number,Broken\n")

    async def failing_load() -> None:
        engine = create_engine(url)
        try:
            with pytest.raises(LoadError):
                await load_directory(engine, bad)
        finally:
            await engine.dispose()

    asyncio.run(failing_load())
    _prepare(path)

    async def workspaces() -> int:
        engine = create_engine(url)
        async with engine.connect() as conn:
            count = await conn.scalar(sa.select(sa.func.count()).select_from(workspace))
        await engine.dispose()
        return int(count or 0)

    assert asyncio.run(workspaces()) == 0
    assert asyncio.run(_workspace_of(url, demo_token())) is None


async def test_a_real_load_over_the_demo_removes_the_demo_tokens(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await load_directory(engine, SEEDS, demo=True)
    assert await _workspace_of(database_url, demo_token()) == 1
    real = tmp_path / "real"
    real.mkdir()
    # Overlapping ids: workspace 1 and campaign 1 are now the real data's.
    (real / "workspaces.csv").write_text("id,name\n1,Real Health\n")
    (real / "api_tokens.csv").write_text("token,workspace_id,name\nreal-secret-token,1,ops\n")
    await load_directory(engine, real)
    assert await _workspace_of(database_url, demo_token()) is None
    assert await _workspace_of(database_url, "real-secret-token") == 1


async def test_a_load_of_the_demo_files_keeps_their_tokens(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    """`load seeds` (or a copy of it) brings the demo tokens itself."""
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    await load_directory(engine, copy)
    assert await _workspace_of(database_url, demo_token()) == 1

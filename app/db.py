"""The engine: one per process, a connection per unit of work."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def create_engine(url: str) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    if make_url(url).get_backend_name() == "postgresql":
        # Campaigns range from a hundred contacts to millions. After five runs of a prepared
        # statement PostgreSQL may settle on one generic plan, made for an average campaign,
        # which took a million-contact campaign's stats from 215 to 483 ms (BENCHMARKS.md, a).
        # Planning each statement for its parameters costs well under a millisecond.
        connect_args["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    engine = create_async_engine(url, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside a load.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


async def migrate(engine: AsyncEngine) -> None:
    """Create or upgrade the schema to the newest migration."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")

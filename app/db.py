"""The engine: one per process, a connection per unit of work."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.settings import Timeouts


def create_engine(
    url: str, timeouts: Timeouts | None = None, pool_size: int | None = None
) -> AsyncEngine:
    """The engine of a database URL. The server passes its timeouts; loads and other
    maintenance commands run without them, since one of their statements may take long.

    The server's pool keeps `pool_size` connections and opens no more: past them a statement
    waits for one (up to the connect timeout). SQLAlchemy's default, 5 kept and 10 more
    opened and closed again as needed, opened a PostgreSQL session (a backend process) for
    one request in three under 16 concurrent clients; with 20 kept, none after warm-up, and
    the requests per second went from 82-93 to 149-165 (README, Limits and failures)."""
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {}
    postgresql = make_url(url).get_backend_name() == "postgresql"
    if postgresql:
        # Campaigns range from a hundred contacts to millions. After five runs of a prepared
        # statement PostgreSQL may settle on one generic plan, made for an average campaign,
        # which took a million-contact campaign's stats from 215 to 483 ms (BENCHMARKS.md, a).
        # Planning each statement for its parameters costs well under a millisecond.
        connect_args["server_settings"] = {"plan_cache_mode": "force_custom_plan"}
    if timeouts and postgresql:
        # The server ends a statement it runs too long; the driver gives up on one whose
        # answer does not come (a network that drops packets), and on a connection attempt.
        connect_args["server_settings"]["statement_timeout"] = str(int(timeouts.statement * 1000))
        connect_args["command_timeout"] = timeouts.statement
        connect_args["timeout"] = timeouts.connect
    if timeouts:
        options["pool_timeout"] = timeouts.connect  # waiting for a connection of the pool
    if pool_size:
        options.update(pool_size=pool_size, max_overflow=0)
    engine = create_async_engine(url, connect_args=connect_args, **options)
    if engine.dialect.name == "sqlite":
        busy = timeouts.statement if timeouts else 5.0
        event.listen(engine.sync_engine, "connect", partial(_sqlite_pragmas, busy))
    else:
        event.listen(engine.sync_engine, "connect", _array_codecs)
    return engine


def _array_codecs(dbapi_connection: Any, _record: Any) -> None:
    # Filters bind lists as arrays (app.statements). asyncpg knows the codec of a text[] but
    # asks the server about integer[] and smallint[] the first time a connection meets one:
    # ask here, once per connection, rather than inside some request's statement.
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT CAST(NULL AS smallint[]), CAST(NULL AS integer[])")
    cursor.close()
    dbapi_connection.rollback()  # the driver began a transaction for it


def _sqlite_pragmas(busy_seconds: float, dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers run beside a load.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    # How long a statement waits for another connection's write lock.
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
    cursor.close()


# The advisory lock that migrations take on PostgreSQL ("migrate" in ASCII).
MIGRATION_LOCK = 0x6D696772617465


async def migrate(engine: AsyncEngine) -> None:
    """Create or upgrade the schema to the newest migration. Processes that start at once
    (replicas, or serve commands on one SQLite file) take turns: the first migrates, the
    others then find the schema current."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
            )
        else:  # the driver begins no transaction before DDL: take the write lock first
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.run_sync(_upgrade)


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def newest_migration() -> str:
    """The revision of the newest migration, which a current schema is at."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _upgrade(connection: Connection) -> None:
    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")

"""Alembic environment: runs on the connection app.db.migrate hands over, or on DATABASE_URL."""

from __future__ import annotations

import asyncio
from functools import partial

from alembic import context
from sqlalchemy import Connection

from app.tables import exists_on, metadata


def run_migrations(connection: Connection) -> None:
    # Batch mode lets later migrations alter tables on SQLite too.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_object=partial(exists_on, connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_database_url() -> None:
    from app.db import create_engine
    from app.settings import Settings

    engine = create_engine(Settings.from_env().database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


if (given := context.config.attributes.get("connection")) is not None:
    run_migrations(given)
else:  # the `alembic` command line, e.g. `alembic revision --autogenerate`
    asyncio.run(run_on_database_url())

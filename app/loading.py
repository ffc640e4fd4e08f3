"""Load a directory of CSV files (app.load_format) into the database.

Files load in dependency order inside one transaction: a bad row anywhere rolls back the whole
load, and the error names the file, line and column. Rows are upserted by primary key, so
loading the same files again changes nothing.

Speed (a million rows in well under a minute on both databases): rows are validated in Python
into tuples the driver takes as they are, staged in a temporary table without indexes (an
executemany on SQLite, a binary COPY on PostgreSQL), then upserted with one INSERT … SELECT per
batch that skips rows whose values are unchanged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from asyncpg import PostgresError  # type: ignore[import-untyped]
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import rollups, tables
from app.db import migrate
from app.demo import demo_tokens
from app.load_format import FILES, Column, FileSpec, LoadError, Row, batches, count_lines
from app.progress import Progress, ProgressBar
from app.tokens import hash_token

# SQLite's page cache while loading, KiB (the default is 2 MiB): every index of a big table
# is written at once, and a small cache spills pages to the WAL again and again.
_SQLITE_LOAD_CACHE_KIB = 131_072


def _for_driver(column: Column, spec: FileSpec, dialect: sa.Dialect) -> Callable[[str], object]:
    """The column's parser, returning what the driver takes without SQLAlchemy in between.

    COPY to PostgreSQL takes Python values. SQLite's driver gets what SQLAlchemy would bind
    (its text format for timestamps), so loaded rows read and compare like any others. JSON
    stays the file's validated text on both.
    """
    column_type = spec.table.c[column.key].type
    if dialect.name != "sqlite" or isinstance(column_type, sa.JSON):
        return column.parse
    convert = column_type.dialect_impl(dialect).bind_processor(dialect)
    if convert is None:
        return column.parse
    parse = column.parse
    return lambda text: convert(parse(text))


# --- Writing: each batch is staged in a temporary table, then upserted from it at once.


# The schema of temporary tables: naming it keeps DROP TABLE IF EXISTS off any other table.
_TEMPORARY_SCHEMA = {"sqlite": "temp", "postgresql": "pg_temp"}


@dataclass(frozen=True, slots=True)
class _Staging:
    """The statements that move one file's batches through its staging table."""

    table: sa.Table
    upsert: sa.Insert

    @classmethod
    def of(cls, spec: FileSpec, dialect: str) -> _Staging:
        if dialect not in _TEMPORARY_SCHEMA:
            raise LoadError(spec.name, None, None, f"loading into {dialect} is not supported")
        target = spec.table
        keys = [column.key for column in spec.columns]
        table = sa.Table(
            f"load_staging_{target.name}",
            sa.MetaData(),
            *(sa.Column(key, target.c[key].type) for key in keys),
            schema=_TEMPORARY_SCHEMA[dialect],
            prefixes=["TEMPORARY"],
        )
        # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT, or it misparses it.
        rows = sa.select(*table.c).where(sa.true())
        primary_key = [column.name for column in target.primary_key.columns]
        updated = [key for key in keys if key not in primary_key]
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(target)
        insert = insert.from_select(keys, rows)
        # Columns the file does not hold (a token's revocation) are left as they are, and
        # a row whose values are all unchanged is not written again.
        upsert = insert.on_conflict_do_update(
            index_elements=primary_key,
            set_={key: insert.excluded[key] for key in updated},
            where=sa.tuple_(*(target.c[key] for key in updated)).is_distinct_from(
                sa.tuple_(*(insert.excluded[key] for key in updated))
            ),
        )
        return cls(table, upsert)

    async def create(self, connection: AsyncConnection) -> None:
        # A failed SQLite load may leave it behind on a pooled connection: start afresh.
        await connection.execute(sa.schema.DropTable(self.table, if_exists=True))
        await connection.execute(sa.schema.CreateTable(self.table))

    async def drop(self, connection: AsyncConnection) -> None:
        await connection.execute(sa.schema.DropTable(self.table))

    async def write(self, connection: AsyncConnection, rows: list[Row]) -> None:
        """Upsert the rows: stage them, insert them from the stage, empty the stage."""
        if connection.dialect.name == "postgresql":
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            # Binary COPY through asyncpg: the fastest way in. It runs in the transaction
            # SQLAlchemy began (create() ran through it first).
            await driver.copy_records_to_table(
                self.table.name,
                schema_name=self.table.schema,
                records=rows,
                columns=[column.name for column in self.table.c],
            )
            await connection.execute(self.upsert)
            await connection.execute(sa.text(f"TRUNCATE {self.table.fullname}"))
        else:
            # Driver-level executemany: the rows are already what the driver takes.
            insert = str(sa.insert(self.table).compile(dialect=connection.dialect))
            await connection.exec_driver_sql(insert, rows)
            await connection.execute(self.upsert)
            await connection.execute(sa.delete(self.table))  # SQLite truncates without WHERE


async def _load_file(
    connection: AsyncConnection, spec: FileSpec, path: Path, bar: ProgressBar | None
) -> int:
    known: set[int] = set()
    if spec.references:
        # Ids already in the database, including those this load has just written.
        result = await connection.execute(sa.select(spec.references[1].c.id))
        known = set(result.scalars())
    staging = _Staging.of(spec, connection.dialect.name)
    await staging.create(connection)
    count = lines = 0
    parsers = [_for_driver(column, spec, connection.dialect) for column in spec.columns]
    with closing(batches(path, spec, known, parsers)) as read:
        for batch in read:
            try:
                await staging.write(connection, batch.rows)
            except (SQLAlchemyError, PostgresError) as error:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                where = f"lines {batch.first_line}-{batch.last_line}"
                message = f"the database rejected a row in {where}: {reason}"
                raise LoadError(spec.name, None, None, message) from error
            count += len(batch.rows)
            if bar:
                bar.update(batch.last_line - 1 - lines)
                lines = batch.last_line - 1
    await staging.drop(connection)
    return count


def _present(directory: Path) -> list[tuple[FileSpec, Path]]:
    """The directory's files to load, in load order."""
    if not directory.is_dir():
        raise LoadError(str(directory), None, None, "no such directory")
    present = [(spec, directory / spec.name) for spec in FILES if (directory / spec.name).exists()]
    if not present:
        names = ", ".join(spec.name for spec in FILES)
        raise LoadError(str(directory), None, None, f"none of {names} is in the directory")
    return present


async def load_directory(
    engine: AsyncEngine, directory: Path, progress: Progress | None = None, *, demo: bool = False
) -> dict[str, int]:
    """Create or upgrade the schema, then load the directory's CSV files in one transaction.

    Returns the rows read from each file present. Raises LoadError, keeping nothing of the load,
    on the first bad row or when the directory holds none of the files. progress, when given,
    makes a bar per file that advances by the file's lines.

    A load that is not the demo (`demo`) removes the demo data's public tokens first, so they
    never open data of a real load; they stay only where the load's own files bring them.
    """
    present = _present(directory)
    await migrate(engine)
    counts: dict[str, int] = {}
    touched = [spec.table for spec, _path in present]
    async with engine.begin() as connection, _load_cache(connection):
        if not demo and demo_tokens():
            hashes = [hash_token(token) for token in demo_tokens()]
            await connection.execute(
                sa.delete(tables.api_token).where(tables.api_token.c.token_hash.in_(hashes))
            )
        for spec, path in present:
            bar = progress(spec.name, count_lines(path)) if progress else None
            try:
                counts[spec.name] = await _load_file(connection, spec, path, bar)
            finally:
                if bar:
                    bar.close()
        if tables.campaign_audience in touched:
            # The triggers kept the rollup exact; its deltas are folded in before commit.
            await rollups.compact(connection, wait=True)
            touched += [tables.campaign_audience_rollup, tables.campaign_audience_delta]
        await _analyze(connection, touched)
    if engine.dialect.name == "postgresql":
        await _vacuum(engine, touched)
    return counts


async def _analyze(connection: AsyncConnection, touched: list[sa.Table]) -> None:
    """Planner statistics of what the load wrote, current when it commits: the first
    request after a load is planned with them, whatever autovacuum does."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(table.name for table in touched)
        await connection.execute(sa.text(f"ANALYZE {names}"))
    else:
        # A sample of each index is enough for SQLite's planner and takes milliseconds.
        await connection.execute(sa.text("PRAGMA analysis_limit = 1000"))
        await connection.execute(sa.text("ANALYZE"))


async def _vacuum(engine: AsyncEngine, touched: list[sa.Table]) -> None:
    """VACUUM (outside any transaction) marks the loaded pages all-visible, so index-only
    scans read no table rows even before autovacuum runs, or where it is off."""
    names = ", ".join(table.name for table in touched)
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(sa.text(f"VACUUM {names}"))


@asynccontextmanager
async def _load_cache(connection: AsyncConnection) -> AsyncIterator[None]:
    """A bigger SQLite page cache while loading; the connection gets its own back after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = await connection.scalar(sa.text("PRAGMA cache_size"))
    await connection.execute(sa.text(f"PRAGMA cache_size = -{_SQLITE_LOAD_CACHE_KIB}"))
    try:
        yield
    finally:
        await connection.execute(sa.text(f"PRAGMA cache_size = {int(before or 0)}"))

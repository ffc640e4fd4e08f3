"""Keeping the audience rollup (app/tables.py, migration 0004): folding PostgreSQL's deltas
into it, comparing it with the records, and rebuilding it from them."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app import changes
from app.tables import (
    ROLLUP_KEY,
    campaign_audience,
    campaign_audience_delta,
    campaign_audience_rollup,
)

# The advisory lock that one compaction or rebuild at a time holds, on any server process
# (migration 0004's TRUNCATE trigger takes it too).
_LOCK = 0x726F6C6C7570  # "rollup"

_KEY = ", ".join(ROLLUP_KEY)
# Folds the deltas in and deletes them in one statement, so each is applied exactly once:
# a delta committed after the statement began is not deleted, and waits for the next one.
_COMPACT = sa.text(
    f"WITH moved AS (DELETE FROM campaign_audience_delta RETURNING *), "  # noqa: S608
    f"summed AS (SELECT {_KEY}, sum(records) AS records, sum(duration) AS duration "
    f"FROM moved GROUP BY {_KEY}), "
    f"folded AS (INSERT INTO campaign_audience_rollup AS r ({_KEY}, records, duration) "
    f"SELECT {_KEY}, records, duration FROM summed "
    f"ON CONFLICT ({_KEY}) DO UPDATE SET records = r.records + excluded.records, "
    "duration = r.duration + excluded.duration) "
    "SELECT DISTINCT campaign_id FROM moved"
)

Group = tuple[Any, ...]  # ROLLUP_KEY's values

logger = logging.getLogger("app.rollups")


async def compact(connection: AsyncConnection, *, wait: bool = False) -> bool:
    """Fold the pending deltas into the rollup, on PostgreSQL (SQLite has none), within the
    connection's transaction, and notify the live subscriptions of every process of the
    campaigns they changed (at commit). While another process compacts, wait for it, or
    return False."""
    if connection.dialect.name != "postgresql":
        return True
    if wait:
        await hold_lock(connection)
    elif not await connection.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_LOCK))):
        return False
    changed = set((await connection.execute(_COMPACT)).scalars())
    rollup = campaign_audience_rollup
    await connection.execute(sa.delete(rollup).where(rollup.c.records == 0))
    if changed:
        await notify(connection, changed)
    return True


async def notify(connection: AsyncConnection, campaign_ids: set[int] | None) -> None:
    """Tell the listening server processes, when the transaction commits, that these
    campaigns (None: any) changed (PostgreSQL; app.changes listens)."""
    payload = changes.EVERY if campaign_ids is None else changes.payload(campaign_ids)
    await connection.execute(sa.select(sa.func.pg_notify(changes.CHANNEL, payload)))


async def hold_lock(connection: AsyncConnection) -> None:
    """Wait for the compaction lock and hold it until the transaction ends (PostgreSQL): what
    writes the rollup or its deltas other than through the triggers must hold it, or a
    compaction under way could fold deltas back in after them."""
    await connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))


async def compact_every(engine: AsyncEngine, seconds: float) -> None:
    """Compact every so many seconds, until cancelled. A failure is logged once until a
    compaction succeeds again; stats stay exact meanwhile, since they read the deltas."""
    failing = False
    while True:
        await asyncio.sleep(seconds)
        try:
            async with engine.begin() as connection:
                await compact(connection)
        except (SQLAlchemyError, OSError) as error:
            if not failing:
                logger.warning("Rollup compaction failed, retrying: %s", error)
            failing = True
        else:
            failing = False


async def rebuild(connection: AsyncConnection, campaign_ids: Sequence[int] | None = None) -> None:
    """Recompute the rollup of those campaigns (all when None) from their records, within the
    connection's transaction. On PostgreSQL writers wait until it commits."""
    rollup, delta = campaign_audience_rollup, campaign_audience_delta
    tables = [rollup]
    if connection.dialect.name == "postgresql":
        # SHARE mode lets readers on and writers wait, so no write lands half counted.
        await connection.execute(sa.text("LOCK TABLE campaign_audience IN SHARE MODE"))
        await hold_lock(connection)
        tables.append(delta)
    for table in tables:
        stmt = sa.delete(table)
        if campaign_ids is not None:
            stmt = stmt.where(table.c.campaign_id.in_(campaign_ids))
        await connection.execute(stmt)
    groups = _record_groups(campaign_ids)
    await connection.execute(
        sa.insert(rollup).from_select([*ROLLUP_KEY, "records", "duration"], groups)
    )
    if connection.dialect.name == "postgresql":
        await notify(connection, None if campaign_ids is None else set(campaign_ids))


@dataclass(frozen=True, slots=True)
class Drift:
    """A group whose rollup numbers differ from its records'."""

    group: Group
    records: tuple[int, int]  # (count, duration sum) over the records
    rollup: tuple[int, int]  # the same, as the rollup (with its deltas) has it

    @property
    def campaign_id(self) -> int:
        return int(self.group[0])


async def check(connection: AsyncConnection) -> list[Drift]:
    """Every group where the rollup and a GROUP BY over the records disagree.

    One statement reads both, so it compares one snapshot even while writers run.
    """
    tables = [campaign_audience_rollup]
    if connection.dialect.name == "postgresql":
        tables.append(campaign_audience_delta)
    kept = [
        sa.select(sa.literal("rollup"), *(t.c[k] for k in ROLLUP_KEY), t.c.records, t.c.duration)
        for t in tables
    ]
    key = [campaign_audience.c[k] for k in ROLLUP_KEY]
    counted = sa.select(
        sa.literal("records"), *key, sa.func.count(), sa.func.sum(campaign_audience.c.duration)
    ).group_by(*key)
    totals: dict[Group, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in await connection.execute(sa.union_all(counted, *kept)):
        source, group, count, duration = row[0], tuple(row[1:-2]), int(row[-2]), int(row[-1])
        count_before, duration_before = totals[group].get(source, (0, 0))
        totals[group][source] = (count_before + count, duration_before + duration)
    drift = [
        Drift(group, found.get("records", (0, 0)), found.get("rollup", (0, 0)))
        for group, found in totals.items()
        if found.get("records", (0, 0)) != found.get("rollup", (0, 0))
    ]
    return sorted(drift, key=lambda d: repr(d.group))


def _record_groups(campaign_ids: Sequence[int] | None) -> sa.Select[Any]:
    """The rollup's rows, computed from the records."""
    key = [campaign_audience.c[k] for k in ROLLUP_KEY]
    stmt = sa.select(*key, sa.func.count(), sa.func.sum(campaign_audience.c.duration))
    if campaign_ids is not None:
        stmt = stmt.where(campaign_audience.c.campaign_id.in_(campaign_ids))
    return stmt.group_by(*key)

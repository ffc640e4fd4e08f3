"""Ready the moment a load ends: the statements the stats send after `load`, on a database
whose autovacuum is off for the tables, read what they should and no more (PostgreSQL's
EXPLAIN ANALYZE), because the load left planner statistics and the visibility map current."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.filters import AudienceFilter, AudienceStatus
from app.generate import Plan, generate
from app.loading import load_directory
from app.repository import Repository
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize(
    "database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True
)

BIG = 1  # campaign 1 is the big one, in workspace 1
FILTERS = {
    "none": AudienceFilter(),
    "status + callStatus": AudienceFilter.parse(
        status=[AudienceStatus.COMPLETED, AudienceStatus.INQUEUE],
        call_status=["AGENT_ENDED", "NO_ANSWER", "BUSY"],
    ),
    "mobileNo": AudienceFilter.parse(mobile_no="555-01"),
}


@pytest.fixture
async def loaded(engine: AsyncEngine, tmp_path: Path) -> AsyncEngine:
    async with engine.begin() as conn:
        for table in ("campaign_audience", "campaign", "campaign_audience_rollup"):
            await conn.execute(sa.text(f"ALTER TABLE {table} SET (autovacuum_enabled = false)"))
    plan = Plan(workspaces=2, campaigns=11, audience=30_000, seed=3, big_campaigns=(20_000,))
    generate(tmp_path / "data", plan)
    await load_directory(engine, tmp_path / "data")
    return engine


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


async def _plan(engine: AsyncEngine, audience_filter: AudienceFilter) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the statement Repository.stats sends for the big campaign."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        found = await Repository(engine).stats(1, [BIG], audience_filter)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert found[BIG].total_audience > 0
    ((statement, parameters),) = sent
    async with engine.connect() as conn:
        explained = await conn.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
        )
        plan: dict[str, Any] = explained.scalar_one()[0]["Plan"]
    return plan


@pytest.mark.parametrize("name", FILTERS)
async def test_stats_after_a_load_check_the_workspace_once_and_read_no_heap(
    loaded: AsyncEngine, name: str
) -> None:
    plan = await _plan(loaded, FILTERS[name])
    nodes = list(_nodes(plan))
    # The campaign table is read at most once per part (rollup, deltas), in an InitPlan:
    # never joined per record.
    campaign_reads = [n for n in nodes if n.get("Relation Name") == "campaign"]
    assert campaign_reads, nodes
    assert all(n["Actual Loops"] <= 1 for n in campaign_reads), campaign_reads
    assert not [n for n in nodes if n["Node Type"] in ("Nested Loop", "Hash Join", "Merge Join")]
    # Index-only scans find every page all-visible: the load vacuumed.
    index_only = [n for n in nodes if n["Node Type"] == "Index Only Scan"]
    assert all(n["Heap Fetches"] == 0 for n in index_only), index_only
    if name == "mobileNo":
        # Through the trigram index, not a scan of the campaign's records.
        assert any(n.get("Index Name") == "ix_campaign_audience_mobile_no_trgm" for n in nodes)
    else:
        # Groups, not records: nothing reads campaign_audience.
        assert not [n for n in nodes if n.get("Relation Name") == "campaign_audience"]


async def test_a_load_leaves_planner_statistics(loaded: AsyncEngine) -> None:
    async with loaded.connect() as conn:
        rows = await conn.execute(
            sa.text(
                "SELECT relname, reltuples, relallvisible, relpages FROM pg_class "
                "WHERE relname IN ('campaign_audience', 'campaign_audience_rollup', 'campaign')"
            )
        )
        stats = {row.relname: row for row in rows}
    assert stats["campaign_audience"].reltuples == pytest.approx(30_000, rel=0.05)
    assert stats["campaign"].reltuples == 11
    assert stats["campaign_audience_rollup"].reltuples > 0
    async with loaded.connect() as conn:
        analysed = await conn.scalar(
            sa.text("SELECT count(*) FROM pg_stats WHERE tablename = 'campaign_audience'")
        )
    assert analysed  # column statistics: only ANALYZE gathers them
    audience = stats["campaign_audience"]
    assert audience.relallvisible == audience.relpages > 0

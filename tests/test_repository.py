"""How the repository's statements reach the rows: the plans behind "a deep page costs what
the first page costs", read from SQLite's EXPLAIN QUERY PLAN."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_engine
from app.filters import NO_FILTER
from app.pagination import Direction, OrderField, Ordering, Position
from app.repository import Repository
from tests.factories import add_audience, add_campaign, add_workspace, audience_row


@pytest.fixture
async def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    path = tmp_path / "plans.db"
    shutil.copy(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    yield engine
    await engine.dispose()


async def _page_plan(engine: AsyncEngine, ordering: Ordering, after: Position) -> list[str]:
    """The plan of the statement audience_page sends, one line per step."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    try:
        page = await Repository(engine).audience_page(1, 1, NO_FILTER, ordering, 10, after)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", capture)
    assert len(page.items) == 10
    ((statement, parameters),) = sent
    async with engine.connect() as conn:
        rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[-1] for row in rows]


@pytest.mark.parametrize("direction", list(Direction))
async def test_a_page_deep_among_ties_reads_the_index_from_its_position(
    sqlite_engine: AsyncEngine, direction: Direction
) -> None:
    await add_workspace(sqlite_engine, 1)
    await add_campaign(sqlite_engine, 1, 1)
    await add_audience(
        sqlite_engine, [audience_row(i, 1, attempt=1 + i % 2) for i in range(1, 3001)]
    )
    ordering = Ordering(OrderField.ATTEMPT, direction)

    plan = await _page_plan(sqlite_engine, ordering, Position(1 + 1500 % 2, 1500))

    index = "ix_campaign_audience_campaign_id_attempt_id"
    # The rest of the ties, from the position on; then the records beyond the tied value.
    assert any(f"{index} (campaign_id=? AND attempt=? AND id" in step for step in plan), plan
    assert any(
        f"{index} (campaign_id=? AND attempt" in step and "attempt=?" not in step for step in plan
    ), plan
    assert not [step for step in plan if step.startswith("SCAN campaign_audience")], plan

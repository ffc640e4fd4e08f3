"""Test data: rows inserted straight into the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.tables import api_token, campaign, campaign_audience, workspace
from app.tokens import hash_token

CREATED_AT = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def token_of(workspace_id: int) -> str:
    return f"test-token-of-workspace-{workspace_id}"


async def add_workspace(engine: AsyncEngine, workspace_id: int, *, revoked: bool = False) -> str:
    """A workspace with one API token; returns the token."""
    token = token_of(workspace_id)
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(workspace).values(id=workspace_id, name=f"Workspace {workspace_id}")
        )
        await conn.execute(
            sa.insert(api_token).values(
                token_hash=hash_token(token),
                workspace_id=workspace_id,
                name="tests",
                revoked_at=CREATED_AT if revoked else None,
            )
        )
    return token


async def add_campaign(
    engine: AsyncEngine, campaign_id: int, workspace_id: int, **values: Any
) -> None:
    row = {
        "id": campaign_id,
        "workspace_id": workspace_id,
        "name": f"Campaign {campaign_id}",
        "max_attempts": 3,
        "created_at": CREATED_AT,
        **values,
    }
    async with engine.begin() as conn:
        await conn.execute(sa.insert(campaign).values(row))


def audience_row(record_id: int, campaign_id: int, **values: Any) -> dict[str, Any]:
    return {
        "id": record_id,
        "campaign_id": campaign_id,
        "mobile_no": f"+1202555{record_id % 10000:04d}",
        "status": 0,
        "call_status": None,
        "first_status": None,
        "last_status": None,
        "attempt": 0,
        "duration": 0,
        "last_attempt_at": None,
        "last_disposition": None,
        "input_data": {},
        **values,
    }


async def add_audience(engine: AsyncEngine, rows: list[dict[str, Any]]) -> None:
    if rows:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(campaign_audience), rows)

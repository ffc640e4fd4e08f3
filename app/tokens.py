"""API tokens: stored as their SHA-256 digest, never in plain text; made, listed and revoked
by `audience-stats tokens`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app.tables import api_token, workspace

ID_LENGTH = 12  # the digest's first hex digits name a token in lists and revocations


def hash_token(token: str) -> str:
    # Tokens are long random strings, so a fast unsalted digest is safe and lets the
    # lookup be one indexed equality instead of a comparison of secrets in Python.
    return hashlib.sha256(token.encode()).hexdigest()


class TokenError(Exception):
    """A token command that cannot be done, with the reason."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    workspace_id: int
    name: str
    created_at: datetime | None
    revoked_at: datetime | None


async def create(engine: AsyncEngine, workspace_id: int, name: str) -> str:
    """A new token of the workspace; only its digest is stored, so this is its one sight."""
    token = secrets.token_urlsafe(32)
    async with engine.begin() as conn:
        if (
            await conn.scalar(sa.select(workspace.c.id).where(workspace.c.id == workspace_id))
            is None
        ):
            raise TokenError(f"workspace {workspace_id} does not exist")
        await conn.execute(
            sa.insert(api_token).values(
                token_hash=hash_token(token),
                workspace_id=workspace_id,
                name=name,
                created_at=datetime.now(UTC),
            )
        )
    return token


async def listed(engine: AsyncEngine, workspace_id: int | None = None) -> list[TokenInfo]:
    stmt = sa.select(api_token).order_by(api_token.c.workspace_id, api_token.c.token_hash)
    if workspace_id is not None:
        stmt = stmt.where(api_token.c.workspace_id == workspace_id)
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [
        TokenInfo(
            row.token_hash[:ID_LENGTH], row.workspace_id, row.name, row.created_at, row.revoked_at
        )
        for row in rows
    ]


async def revoke(engine: AsyncEngine, token_id: str) -> TokenInfo:
    """Revokes the one token whose id (as `listed` shows it) is token_id."""
    if not (len(token_id) == ID_LENGTH and all(c in "0123456789abcdef" for c in token_id)):
        raise TokenError(f"a token id is {ID_LENGTH} hex digits, as `tokens list` shows it")
    async with engine.begin() as conn:
        found = (
            await conn.execute(
                sa.select(api_token).where(api_token.c.token_hash.startswith(token_id))
            )
        ).all()
        if len(found) != 1:
            raise TokenError(f"{len(found) or 'no'} tokens have the id {token_id}")
        [row] = found
        revoked_at = row.revoked_at or datetime.now(UTC)
        if row.revoked_at is None:
            await conn.execute(
                sa.update(api_token)
                .where(api_token.c.token_hash == row.token_hash)
                .values(revoked_at=revoked_at)
            )
    return TokenInfo(token_id, row.workspace_id, row.name, row.created_at, revoked_at)

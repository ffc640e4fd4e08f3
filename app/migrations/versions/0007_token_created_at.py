"""API tokens record when they were made (`audience-stats tokens create`); tokens made before,
or loaded from api_tokens.csv, have none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.add_column(sa.Column("created_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.drop_column("created_at")

"""The stats aggregate reads one covering index instead of the table.

It replaces (campaign_id, status), which it begins with.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ["campaign_id", "status", "call_status", "attempt", "duration", "mobile_no"]


def upgrade() -> None:
    op.create_index("ix_campaign_audience_stats", "campaign_audience", COLUMNS)
    op.drop_index("ix_campaign_audience_campaign_id_status", table_name="campaign_audience")


def downgrade() -> None:
    op.create_index(
        "ix_campaign_audience_campaign_id_status", "campaign_audience", ["campaign_id", "status"]
    )
    op.drop_index("ix_campaign_audience_stats", table_name="campaign_audience")

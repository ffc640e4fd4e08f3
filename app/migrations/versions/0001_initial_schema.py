"""Initial schema: workspaces, API tokens, campaigns and their audience.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
    )
    op.create_table(
        "api_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_api_token_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_api_token")),
    )
    op.create_index(op.f("ix_api_token_workspace_id"), "api_token", ["workspace_id"])
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_attempts >= 0", name=op.f("ck_campaign_max_attempts_not_negative")),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspace.id"], name=op.f("fk_campaign_workspace_id_workspace")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    op.create_index(op.f("ix_campaign_workspace_id_id"), "campaign", ["workspace_id", "id"])
    op.create_table(
        "campaign_audience",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("mobile_no", sa.Text(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("call_status", sa.Text(), nullable=True),
        sa.Column("first_status", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Text(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_disposition", sa.Text(), nullable=True),
        sa.Column("input_data", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.CheckConstraint("attempt >= 0", name=op.f("ck_campaign_audience_attempt_not_negative")),
        sa.CheckConstraint(
            "duration >= 0", name=op.f("ck_campaign_audience_duration_not_negative")
        ),
        sa.CheckConstraint(
            "status BETWEEN 0 AND 3", name=op.f("ck_campaign_audience_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_audience_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_audience")),
    )
    for columns in (
        ["campaign_id", "id"],
        ["campaign_id", "attempt", "id"],
        ["campaign_id", "duration", "id"],
        ["campaign_id", "last_attempt_at", "id"],
        ["campaign_id", "status"],
        ["campaign_id", "call_status"],
    ):
        name = op.f("ix_campaign_audience_" + "_".join(columns))
        op.create_index(name, "campaign_audience", columns)


def downgrade() -> None:
    op.drop_table("campaign_audience")
    op.drop_table("campaign")
    op.drop_table("api_token")
    op.drop_table("workspace")

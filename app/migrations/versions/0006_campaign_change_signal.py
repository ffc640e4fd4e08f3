"""Campaign rows join the change signal (app.changes): a statement that inserts, updates or
deletes campaigns NOTIFYs every campaign as changed (PostgreSQL only; SQLite's signal is its
data version, which any write changes). Answers kept by the response cache hold campaigns'
names and the workspace's list of campaigns; campaign writes are rare, so NOTIFY's lock at
commit costs nothing there.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = "audience_stats_changes"  # app.changes.CHANNEL
EVERY = "*"  # app.changes.EVERY


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION campaign_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', '{EVERY}'); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER campaign_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        "ON campaign FOR EACH STATEMENT EXECUTE FUNCTION campaign_changed()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER campaign_changed ON campaign")
    op.execute("DROP FUNCTION campaign_changed()")

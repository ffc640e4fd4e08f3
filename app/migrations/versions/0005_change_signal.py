"""The change signal of live subscriptions (app.changes): every campaign that a statement
touched reaches campaign_audience_delta, so the compaction that folds the deltas can NOTIFY
it (PostgreSQL only; SQLite's signal is its data version).

Before, an UPDATE that moved no record between groups and changed no duration (a new
last_attempt_at, disposition or number) added no delta. Now such a campaign gets one delta
row of zeros, which compaction folds in as nothing; only statements that change no rollup
number write it. TRUNCATE notifies every campaign itself: it is rare, and NOTIFY's lock at
commit costs nothing there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DELTA = "campaign_audience_delta"
ROLLUP = "campaign_audience_rollup"
KEY = "campaign_id, status, call_status, first_status, last_status, attempt"
ROLLUP_LOCK = 0x726F6C6C7570  # the advisory lock of app.rollups (compaction and rebuild)
CHANNEL = "audience_stats_changes"  # app.changes.CHANNEL


def _function(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {body} RETURN NULL; END $$"
    )


def _update(touched: bool) -> str:
    added = f"SELECT {KEY}, 1 AS records, duration::bigint AS duration FROM new_rows"
    removed = f"SELECT {KEY}, -1 AS records, -duration::bigint AS duration FROM old_rows"
    changed = (
        f"WITH changed AS (SELECT {KEY}, sum(records) AS records, sum(duration) AS duration "
        f"FROM ({added} UNION ALL {removed}) AS rows GROUP BY {KEY}) "
        f"INSERT INTO {DELTA} ({KEY}, records, duration) "
        "SELECT * FROM changed WHERE records <> 0 OR duration <> 0"
    )
    if not touched:
        return changed + ";"
    # Campaigns whose every group nets to nothing: one row of zeros each.
    return (
        f"{changed} UNION ALL SELECT DISTINCT ON (campaign_id) {KEY}, 0, 0 FROM changed AS c "
        "WHERE NOT EXISTS (SELECT 1 FROM changed AS n WHERE n.campaign_id = c.campaign_id "
        "AND (n.records <> 0 OR n.duration <> 0));"
    )


def _truncate(notify: bool) -> str:
    body = (
        f"PERFORM pg_advisory_xact_lock({ROLLUP_LOCK}); DELETE FROM {DELTA}; DELETE FROM {ROLLUP};"
    )
    return body + (f" PERFORM pg_notify('{CHANNEL}', '*');" if notify else "")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_function("campaign_audience_rollup_update", _update(touched=True)))
    op.execute(_function("campaign_audience_rollup_truncate", _truncate(notify=True)))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_function("campaign_audience_rollup_update", _update(touched=False)))
    op.execute(_function("campaign_audience_rollup_truncate", _truncate(notify=False)))

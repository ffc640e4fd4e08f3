"""The audience rollup: per campaign and group of (status, call_status, first_status,
last_status, attempt), the record count and the duration sum, kept exact by triggers on
campaign_audience for every writer, and back-filled here.

PostgreSQL: statement-level triggers with transition tables append one row per group and
statement to campaign_audience_delta, which app.rollups.compact folds into the rollup.
Writers never update a shared rollup row, so they never queue behind each other on it (nor
deadlock on it) until they commit. TRUNCATE empties both.

SQLite: row triggers upsert the rollup directly; SQLite runs one writer at a time anyway.
campaign_audience_replaced notes, for one row write at a time, the row that REPLACE
conflict resolution is about to delete without firing the DELETE trigger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUP = "campaign_audience_rollup"
DELTA = "campaign_audience_delta"
REPLACED = "campaign_audience_replaced"
KEY = "campaign_id, status, call_status, first_status, last_status, attempt"
NULLABLE = ("call_status", "first_status", "last_status")
EVENTS = ("insert", "update", "delete", "truncate")
SQLITE_NOTES = ("note_insert", "note_update", "kept", "replaced_insert", "replaced_update")
ROLLUP_LOCK = 0x726F6C6C7570  # the advisory lock of app.rollups (compaction and rebuild)


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("call_status", sa.Text(), nullable=True),
        sa.Column("first_status", sa.Text(), nullable=True),
        sa.Column("last_status", sa.Text(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(ROLLUP, *_columns())
    if postgresql:
        op.create_index(
            "ux_campaign_audience_rollup_group",
            ROLLUP,
            KEY.split(", "),
            unique=True,
            postgresql_nulls_not_distinct=True,
        )
        op.create_table(DELTA, *_columns())
        op.create_index("ix_campaign_audience_delta_campaign_id", DELTA, ["campaign_id"])
        for statement in _postgresql_triggers():
            op.execute(statement)
    else:
        op.create_table(
            REPLACED, *_columns()[:6], sa.Column("duration", sa.Integer(), nullable=False)
        )
        op.execute(
            f"CREATE UNIQUE INDEX ux_campaign_audience_rollup_group_sqlite ON {ROLLUP} "
            f"(campaign_id, status, {_sqlite_key()}, attempt)"
        )
        for statement in _sqlite_triggers():
            op.execute(statement)
    op.execute(
        f"INSERT INTO {ROLLUP} ({KEY}, records, duration) "
        f"SELECT {KEY}, count(*), sum(duration) FROM campaign_audience GROUP BY {KEY}"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for event in EVENTS:
            op.execute(f"DROP TRIGGER campaign_audience_rollup_{event} ON campaign_audience")
            op.execute(f"DROP FUNCTION campaign_audience_rollup_{event}()")
        op.drop_table(DELTA)
    else:
        for name in (*EVENTS[:3], *SQLITE_NOTES):
            op.execute(f"DROP TRIGGER campaign_audience_rollup_{name}")
        op.drop_table(REPLACED)
    op.drop_table(ROLLUP)


def _postgresql_triggers() -> list[str]:
    def changes(*parts: str) -> str:
        # One delta row per group the statement changed; groups that net to nothing add none.
        rows = " UNION ALL ".join(parts)
        return (
            f"INSERT INTO {DELTA} ({KEY}, records, duration) "
            f"SELECT {KEY}, sum(records), sum(duration) FROM ({rows}) AS changed "
            f"GROUP BY {KEY} HAVING sum(records) <> 0 OR sum(duration) <> 0;"
        )

    added = f"SELECT {KEY}, 1 AS records, duration::bigint AS duration FROM new_rows"
    removed = f"SELECT {KEY}, -1 AS records, -duration::bigint AS duration FROM old_rows"
    bodies = {
        "insert": (changes(added), "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"),
        "update": (
            changes(added, removed),
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT",
        ),
        "delete": (changes(removed), "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"),
        # Under the compaction lock, so no compaction folds in deltas it took before.
        "truncate": (
            f"PERFORM pg_advisory_xact_lock({ROLLUP_LOCK}); DELETE FROM {DELTA}; "
            f"DELETE FROM {ROLLUP};",
            "FOR EACH STATEMENT",
        ),
    }
    statements = []
    for event, (body, mode) in bodies.items():
        name = f"campaign_audience_rollup_{event}"
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON campaign_audience {mode} "
            f"EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite_key(row: str = "") -> str:
    """The nullable statuses as the unique index holds them: (is it NULL, its text)."""
    prefix = f"{row}." if row else ""
    return ", ".join(f"({prefix}{name} IS NULL), ifnull({prefix}{name}, '')" for name in NULLABLE)


def _sqlite_triggers() -> list[str]:
    def add(row: str) -> str:
        values = ", ".join(f"{row}.{name}" for name in KEY.split(", "))
        return (
            f"INSERT INTO {ROLLUP} ({KEY}, records, duration) "
            f"VALUES ({values}, 1, {row}.duration) "
            f"ON CONFLICT (campaign_id, status, {_sqlite_key()}, attempt) DO UPDATE SET "
            "records = records + 1, duration = duration + excluded.duration;"
        )

    def remove(row: str, source: str = "") -> str:
        # Written as the unique index's expressions, so both statements use it; a source
        # (FROM …) names the row, and the rollup's columns are then spelled in full.
        own = f"{ROLLUP}." if source else ""
        group = " AND ".join(
            [
                f"{own}campaign_id = {row}.campaign_id",
                f"{own}status = {row}.status",
                *(
                    f"({own}{name} IS NULL) = ({row}.{name} IS NULL) "
                    f"AND ifnull({own}{name}, '') = ifnull({row}.{name}, '')"
                    for name in NULLABLE
                ),
                f"{own}attempt = {row}.attempt",
            ]
        )
        found = f"EXISTS (SELECT 1 {source} WHERE {group})" if source else group
        return (
            f"UPDATE {ROLLUP} SET records = records - 1, "
            f"duration = {own}duration - {row}.duration {source} WHERE {group}; "
            f"DELETE FROM {ROLLUP} WHERE records = 0 AND {found};"
        )

    # REPLACE conflict resolution (INSERT OR REPLACE, UPDATE OR REPLACE) deletes the row
    # that holds the id without firing the DELETE trigger, unless the writer's connection
    # has turned recursive_triggers on. So each INSERT, and each UPDATE of the id, first
    # notes the row its id would displace (and forgets what an earlier, skipped statement
    # noted); once the row is written, that row is gone and leaves the rollup.
    noted = f"{REPLACED} AS replaced"
    columns = "campaign_id, status, call_status, first_status, last_status, attempt, duration"
    note = f"INSERT INTO {REPLACED} ({columns}) SELECT {columns} FROM campaign_audience"
    forget = f"DELETE FROM {REPLACED};"
    return [
        "CREATE TRIGGER campaign_audience_rollup_insert AFTER INSERT ON campaign_audience "
        f"BEGIN {add('NEW')} END",
        f"CREATE TRIGGER campaign_audience_rollup_update AFTER UPDATE OF {columns} "
        f"ON campaign_audience BEGIN {remove('OLD')} {add('NEW')} END",
        "CREATE TRIGGER campaign_audience_rollup_delete AFTER DELETE ON campaign_audience "
        f"BEGIN {remove('OLD')} END",
        # Checked per row, so a plain INSERT of a new id writes nothing more.
        "CREATE TRIGGER campaign_audience_rollup_note_insert BEFORE INSERT ON campaign_audience "
        f"WHEN EXISTS (SELECT 1 FROM {REPLACED}) "
        "OR EXISTS (SELECT 1 FROM campaign_audience WHERE id = NEW.id) "
        f"BEGIN {forget} {note} WHERE id = NEW.id; END",
        "CREATE TRIGGER campaign_audience_rollup_note_update BEFORE UPDATE OF id "
        f"ON campaign_audience BEGIN {forget} {note} WHERE id = NEW.id AND NEW.id <> OLD.id; END",
        # An upsert's DO UPDATE (or a skipped write) displaced nothing: forget its note.
        "CREATE TRIGGER campaign_audience_rollup_kept AFTER UPDATE ON campaign_audience "
        f"WHEN OLD.id = NEW.id AND EXISTS (SELECT 1 FROM {REPLACED}) BEGIN {forget} END",
        *(
            f"CREATE TRIGGER campaign_audience_rollup_replaced_{event} AFTER {spelled} "
            f"ON campaign_audience WHEN EXISTS (SELECT 1 FROM {REPLACED}) "
            f"BEGIN {remove('replaced', f'FROM {noted}')} {forget} END"
            for event, spelled in (("insert", "INSERT"), ("update", "UPDATE OF id"))
        ),
    ]

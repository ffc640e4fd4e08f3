"""(k) Breakdowns of the big campaign over HTTP.

By CALL_STATUS and ATTEMPT: beside its stats (both from the rollup) and beside the plain
GROUP BY over the rows that computes it.

By LAST_ATTEMPT_DAY, in UTC and in America/New_York: beside the plain statement a person
would write for calls per UTC day, and beside the app's own statement (the quarter-hours of
UTC, read from the records) run raw. Then whether a time bucket in the rollup would pay for
itself: the same quarter-hours read from scratch rollups of the campaign (temporary tables of
the raw connection, so nothing of the loaded database changes), and, in `writes`, what
keeping such a rollup costs writers of last_attempt_at, on a copy of the database.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import make_url

from app.breakdowns import Dimension, Group, in_zone, time_zone
from app.db import create_engine
from app.filters import AudienceFilter
from app.repository import Repository
from app.stats import SUCCESSFUL_CALL_STATUSES
from bench.client import STATS, STATS_FIELDS, GraphQL, over_http, stats_of
from bench.data import DATA, Dataset, create_postgres, drop_postgres, postgres_dsn
from bench.database import Backend, Raw, Statement, capturing
from bench.measure import REPEATS, STEADY_WARMUP, WARMUP, Runner, interleaved, median_ms
from bench.writes_case import parse_pgbench

TARGET = 1.5  # breakdown / stats of the same campaign, at the median
BY = ("CALL_STATUS", "ATTEMPT")
BREAKDOWN = """query Breakdown($campaignId: Int!, $by: [AudienceDimension!]!) {
  campaignAudienceBreakdown(campaignId: $campaignId, by: $by) {
    callStatus attempt stats { totalAudience totalAttempt totalDuration successfulCalls coverage }
  }
}"""

DAY_TARGET = 1.3  # the day breakdown over HTTP / the plain statement per UTC day, at the median
DAY_BY = ("LAST_ATTEMPT_DAY",)
ZONES = ("UTC", "America/New_York")  # the statement is the same; only the fold differs
DAY_BREAKDOWN = f"""query DayBreakdown($campaignId: Int!, $timeZone: String!) {{
  campaignAudienceBreakdown(
    campaignId: $campaignId, by: [LAST_ATTEMPT_DAY], timeZone: $timeZone
  ) {{
    lastAttemptDay lastAttemptBefore stats {{ {STATS_FIELDS} }}
  }}
}}"""
SUCCESSFUL = "(" + ", ".join(f"'{s}'" for s in SUCCESSFUL_CALL_STATUSES) + ")"
# The scratch rollups, temporary tables of the raw connection: (campaign, quarter-hour), as the
# issue asks; and the rollup's own key with the quarter-hour added, for what that would do to
# the rollup that stats read.
QUARTERS = "bench_quarter_rollup"
KEYED = "bench_rollup_quarter"
FOLD_REPEATS = 25

Numbers = tuple[int, int, int, int]  # records, attempts, duration, successful calls


def plain(campaign_id: int) -> Statement:
    """The GROUP BY a person would write over the rows."""
    sql = (
        "SELECT call_status, attempt, count(*), sum(duration) FROM campaign_audience "  # noqa: S608
        f"WHERE campaign_id = {int(campaign_id)} GROUP BY call_status, attempt"
    )
    return Statement("plain GROUP BY", sql, ())


def plain_day(backend: str, campaign_id: int) -> Statement:
    """The statement a person would write for calls per UTC day; NULL: never attempted."""
    day = (
        "date(last_attempt_at)"
        if backend == "sqlite"
        else "date_trunc('day', last_attempt_at AT TIME ZONE 'UTC')"
    )
    sql = (
        f"SELECT {day}, count(*), sum(attempt), sum(duration), "  # noqa: S608 (constants)
        f"count(*) FILTER (WHERE call_status IN {SUCCESSFUL}) FROM campaign_audience "
        f"WHERE campaign_id = {int(campaign_id)} GROUP BY 1"
    )
    return Statement("plain SQL, calls per UTC day", sql, ())


def quarter_of(backend: str, column: str = "last_attempt_at") -> str:
    """The UTC quarter-hour of a moment, spelled as the app's statement spells it
    (app/repository.py `_key`): on SQLite a count of quarter-hours since year 0."""
    if backend == "sqlite":
        return f"(CAST(strftime('%s', {column}) AS INTEGER) + 62167219200) / 900"
    return f"date_bin('15 minutes', {column}, TIMESTAMPTZ '1970-01-01 00:00:00+00')"


def _as_quarter(backend: str, value: Any) -> datetime | None:
    """A quarter-hour as the app's statement returns it, as the instant it starts."""
    if value is None:
        return None
    if backend == "sqlite":
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(value) * 900 - 62167219200)
    moment: datetime = value
    return moment.astimezone(UTC)


def _numbers(row: tuple[Any, ...]) -> Numbers:
    records, attempts, duration, successful = row
    return int(records), int(attempts or 0), int(duration or 0), int(successful or 0)


def _by_key(rows: list[tuple[Any, ...]], skip: int = 0) -> dict[Any, Numbers]:
    """Rows of (key, records, attempts, duration, successful) by key, after `skip` columns."""
    found: dict[Any, Numbers] = {}
    for row in rows:
        key = row[skip]
        assert key not in found, f"the key {key!r} comes twice"
        found[key] = _numbers(row[skip + 1 :])
    return found


# --- CALL_STATUS x ATTEMPT


async def _breakdown(graphql: GraphQL, campaign_id: int) -> list[dict[str, Any]]:
    data = await graphql(BREAKDOWN, campaignId=campaign_id, by=list(BY))
    groups: list[dict[str, Any]] = data["campaignAudienceBreakdown"]
    return groups


async def _check_status_breakdown(graphql: GraphQL, raw: Raw, campaign_id: int) -> int:
    groups = await _breakdown(graphql, campaign_id)
    expected = {
        (call_status, attempt): (int(count), int(duration))
        for call_status, attempt, count, duration in await raw.fetch(plain(campaign_id))
    }
    got = {
        (g["callStatus"], g["attempt"]): (
            g["stats"]["totalAudience"],
            int(g["stats"]["totalDuration"]),
        )
        for g in groups
    }
    assert got == expected, "the breakdown differs from the plain GROUP BY"
    return len(groups)


# --- LAST_ATTEMPT_DAY


async def _days(graphql: GraphQL, campaign_id: int, zone: str) -> list[dict[str, Any]]:
    data = await graphql(DAY_BREAKDOWN, campaignId=campaign_id, timeZone=zone)
    groups: list[dict[str, Any]] = data["campaignAudienceBreakdown"]
    return groups


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _plain_day(value: Any) -> date | None:
    """A day of the plain statement: SQLite's date() text, PostgreSQL's timestamp."""
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value)
    found: date = value.date()
    return found


@dataclass(frozen=True, slots=True)
class AppStatement:
    """The statement Repository.breakdown sends for the day breakdown, and its groups as the
    app folds them (before the zone: quarter-hours of UTC)."""

    statement: Statement
    quarters: list[Group]


async def app_statement(backend: Backend, campaign: Any) -> AppStatement:
    engine = create_engine(backend.url)
    try:
        with capturing(engine) as capture:
            found = await Repository(engine).breakdown(
                campaign.workspace_id,
                [campaign.id],
                AudienceFilter(),
                (Dimension.LAST_ATTEMPT_DAY,),
            )
    finally:
        await engine.dispose()
    statement = capture.one("the app's statement, by LAST_ATTEMPT_DAY", "GROUP BY")
    return AppStatement(statement, found[campaign.id])


async def _check_days(
    graphql: GraphQL,
    raw: Raw,
    backend: str,
    campaign_id: int,
    app: AppStatement,
    day_statement: Statement,
) -> dict[str, int]:
    """The GraphQL days equal the plain statement's days (UTC) and the app's quarter-hours
    folded into each zone; the app's statement run raw gives the quarter-hours the app
    read. The groups of each zone."""
    expected = {_plain_day(row[0]): _numbers(row[1:]) for row in await raw.fetch(day_statement)}
    raw_quarters = _by_key(await raw.fetch(app.statement), skip=1)
    assert {_as_quarter(backend, k): v for k, v in raw_quarters.items()} == {
        g.key[0]: (
            g.stats.total_audience,
            g.stats.total_attempt,
            g.stats.total_duration,
            g.stats.successful_calls,
        )
        for g in app.quarters
    }, "the app's statement run raw differs from what the app read"
    counts = {}
    for zone in ZONES:
        groups = await _days(graphql, campaign_id, zone)
        got = {
            _moment(g["lastAttemptDay"]): (stats_of(g["stats"]), _moment(g["lastAttemptBefore"]))
            for g in groups
        }
        folded = in_zone(app.quarters, (Dimension.LAST_ATTEMPT_DAY,), time_zone(zone))
        assert got == {
            g.key[0]: (
                (
                    g.stats.total_audience,
                    g.stats.total_attempt,
                    g.stats.total_duration,
                    g.stats.successful_calls,
                ),
                g.until,
            )
            for g in folded
        }, f"the {zone} days differ from the app's quarter-hours folded"
        if zone == "UTC":
            by_day = {
                None if start is None else start.date(): numbers
                for start, (numbers, _until) in got.items()
            }
            assert by_day == expected, "the UTC days differ from the plain statement's days"
        totals = [sum(n[i] for n, _until in got.values()) for i in range(4)]
        assert totals == [sum(n[i] for n in expected.values()) for i in range(4)], zone
        counts[zone] = len(groups)
    return counts


def _fold_ms(quarters: list[Group]) -> dict[str, float]:
    """The fold of the quarter-hours into each zone's days (app.breakdowns.in_zone) alone,
    median of FOLD_REPEATS after a warm-up (each call starts with an empty bucket cache, as
    each request does)."""
    found = {}
    for zone in ZONES:
        tz = time_zone(zone)
        in_zone(quarters, (Dimension.LAST_ATTEMPT_DAY,), tz)
        samples = []
        for _ in range(FOLD_REPEATS):
            started = time.perf_counter()
            in_zone(quarters, (Dimension.LAST_ATTEMPT_DAY,), tz)
            samples.append(time.perf_counter() - started)
        found[zone] = median_ms(samples)
    return found


# --- scratch rollups with a time bucket (reads)


def _types(backend: str) -> tuple[str, str]:
    """(quarter-hour, counter) column types."""
    return ("INTEGER", "INTEGER") if backend == "sqlite" else ("timestamptz", "bigint")


def scratch_statements(backend: str, campaign_id: int) -> dict[str, list[Statement]]:
    """The statements that build each scratch rollup of the campaign, by table."""
    quarter_type, counter = _types(backend)
    quarter = quarter_of(backend)
    number = int(campaign_id)
    counters = ", ".join(f"{name} {counter} NOT NULL" for name in ("records", "duration"))
    sql = {
        QUARTERS: [
            f"CREATE TEMPORARY TABLE {QUARTERS} (campaign_id integer NOT NULL, quarter "
            f"{quarter_type}, records {counter} NOT NULL, attempts {counter} NOT NULL, "
            f"duration {counter} NOT NULL, successful {counter} NOT NULL)",
            f"INSERT INTO {QUARTERS} SELECT campaign_id, {quarter}, count(*), sum(attempt), "  # noqa: S608
            f"sum(duration), count(*) FILTER (WHERE call_status IN {SUCCESSFUL}) "
            f"FROM campaign_audience WHERE campaign_id = {number} GROUP BY campaign_id, 2",
            f"CREATE INDEX ix_{QUARTERS} ON {QUARTERS} (campaign_id, quarter)",
        ],
        KEYED: [
            f"CREATE TEMPORARY TABLE {KEYED} (campaign_id integer NOT NULL, status smallint "
            "NOT NULL, call_status text, first_status text, last_status text, attempt integer "
            f"NOT NULL, quarter {quarter_type}, {counters})",
            f"INSERT INTO {KEYED} SELECT campaign_id, status, call_status, first_status, "  # noqa: S608
            f"last_status, attempt, {quarter}, count(*), sum(duration) FROM campaign_audience "
            f"WHERE campaign_id = {number} GROUP BY campaign_id, status, call_status, "
            "first_status, last_status, attempt, 7",
            f"CREATE INDEX ix_{KEYED} ON {KEYED} (campaign_id)",
        ],
    }
    if backend == "postgresql":  # temporary tables are never analysed by themselves
        for table, statements in sql.items():
            statements.append(f"ANALYZE {table}")
    return {
        table: [Statement(f"build {table}", text, ()) for text in statements]
        for table, statements in sql.items()
    }


def scratch_reads(campaign_id: int, stats_statement: Statement) -> dict[str, Statement]:
    """The day breakdown's quarter-hours read from each scratch rollup; the unfiltered stats
    from the rollup as it is (the app's statement) and from the one keyed by quarter-hour."""
    number = int(campaign_id)
    successful = f"sum(CASE WHEN call_status IN {SUCCESSFUL} THEN records ELSE 0 END)"
    return {
        "quarter rollup": Statement(
            f"quarter-hours from {QUARTERS}",
            f"SELECT quarter, records, attempts, duration, successful FROM {QUARTERS} "  # noqa: S608
            f"WHERE campaign_id = {number}",
            (),
        ),
        "rollup key + quarter": Statement(
            f"quarter-hours from {KEYED}",
            f"SELECT quarter, sum(records), sum(attempt * records), sum(duration), {successful} "  # noqa: S608
            f"FROM {KEYED} WHERE campaign_id = {number} GROUP BY quarter",
            (),
        ),
        "stats, rollup": stats_statement,
        "stats, rollup key + quarter": Statement(
            f"stats from {KEYED}",
            f"SELECT sum(records), sum(attempt * records), sum(duration), {successful} "  # noqa: S608
            f"FROM {KEYED} WHERE campaign_id = {number}",
            (),
        ),
    }


async def _stats_statement(backend: Backend, campaign: Any) -> tuple[Statement, Numbers]:
    engine = create_engine(backend.url)
    try:
        with capturing(engine) as capture:
            found = await Repository(engine).stats(
                campaign.workspace_id, [campaign.id], AudienceFilter()
            )
    finally:
        await engine.dispose()
    stats = found[campaign.id]
    numbers = (stats.total_audience, stats.total_attempt, stats.total_duration)
    return capture.one("stats from the rollup", "GROUP BY"), (*numbers, stats.successful_calls)


async def _build_scratch(raw: Raw, backend: str, campaign_id: int) -> dict[str, Any]:
    found = {}
    for table, statements in scratch_statements(backend, campaign_id).items():
        started = time.perf_counter()
        for statement in statements:
            await raw.fetch(statement)
        seconds = time.perf_counter() - started
        rows = await raw.fetch(Statement("rows", f"SELECT count(*) FROM {table}", ()))  # noqa: S608
        found[table] = {
            "rows": int(rows[0][0]),
            "build_ms": seconds * 1000,
            "sql": [s.sql for s in statements],
        }
    return found


async def _drop_scratch(raw: Raw) -> None:
    for table in (QUARTERS, KEYED):
        await raw.fetch(Statement("drop", f"DROP TABLE IF EXISTS {table}", ()))


async def _check_scratch(
    raw: Raw, reads: dict[str, Statement], app: AppStatement, stats: Numbers
) -> None:
    """Each scratch read gives the quarter-hours the app's statement gives; the stats from
    the keyed scratch rollup equal the app's."""
    expected = _by_key(await raw.fetch(app.statement), skip=1)
    for name in ("quarter rollup", "rollup key + quarter"):
        assert _by_key(await raw.fetch(reads[name])) == expected, name
    (row,) = await raw.fetch(reads["stats, rollup key + quarter"])
    assert _numbers(row) == stats, (row, stats)


# --- the case


async def run(backend: Backend, dataset: Dataset, server_url: str) -> dict[str, Any]:
    big = dataset.big
    name = backend.name
    warmup = STEADY_WARMUP if name == "postgresql" else WARMUP
    app = await app_statement(backend, big)
    stats_statement, stats = await _stats_statement(backend, big)
    day_statement = plain_day(name, big.id)
    reads = scratch_reads(big.id, stats_statement)
    raw = await backend.raw()
    try:
        async with over_http(server_url, dataset.token(big)) as graphql:
            groups = await _check_status_breakdown(graphql, raw, big.id)
            day_groups = await _check_days(graphql, raw, name, big.id, app, day_statement)
            await _drop_scratch(raw)
            scratch = await _build_scratch(raw, name, big.id)
            await _check_scratch(raw, reads, app, stats)
            rollup_groups = await raw.fetch(
                Statement(
                    "rollup groups",
                    "SELECT count(*) FROM campaign_audience_rollup "  # noqa: S608
                    f"WHERE campaign_id = {int(big.id)}",
                    (),
                )
            )

            def day(zone: str) -> Runner:
                return lambda: _days(graphql, big.id, zone)

            def fetch(statement: Statement) -> Runner:
                return lambda: raw.fetch(statement)

            # The breakdown by CALL_STATUS and ATTEMPT in rounds of its own, as before the
            # time dimensions; then the day breakdown and the scratch rollups' reads.
            status_runners: dict[str, Runner] = {
                "status|breakdown": lambda: _breakdown(graphql, big.id),
                "status|stats": lambda: graphql(STATS, campaignId=big.id, filter=None),
                "status|plain": lambda: raw.fetch(plain(big.id)),
            }
            samples = await interleaved(status_runners, warmup=warmup)
            runners: dict[str, Runner] = {
                **{f"day|graphql {zone}": day(zone) for zone in ZONES},
                "day|plain": fetch(day_statement),
                "day|app statement": fetch(app.statement),
                **{f"read|{way}": fetch(statement) for way, statement in reads.items()},
            }
            samples |= await interleaved(runners, warmup=warmup)
            plans = {
                "app statement": await raw.explain(app.statement),
                "plain": await raw.explain(day_statement),
                **{way: await raw.explain(s) for way, s in reads.items()},
            }
            await _drop_scratch(raw)
    finally:
        await raw.close()
    ms = {way: median_ms(found) for way, found in samples.items()}
    status_ms = {way: ms[f"status|{way}"] for way in ("breakdown", "stats", "plain")}
    graphql_ms = {zone: ms[f"day|graphql {zone}"] for zone in ZONES}
    day_ms: dict[str, Any] = {
        "graphql": graphql_ms,
        "plain": ms["day|plain"],
        "app statement": ms["day|app statement"],
    }
    ratio = graphql_ms["UTC"] / ms["day|plain"]
    read_ms = {way: ms[f"read|{way}"] for way in reads}
    fold_ms = _fold_ms(app.quarters)
    return {
        "campaign": {"id": big.id, "audience": big.audience},
        "by": list(BY),
        "groups": groups,
        "repeats": REPEATS,
        "warmup": warmup,
        "target": TARGET,
        "ms": status_ms,
        "ratio": status_ms["breakdown"] / status_ms["stats"],
        "holds": status_ms["breakdown"] / status_ms["stats"] <= TARGET,
        "day": {
            "by": list(DAY_BY),
            "zones": list(ZONES),
            "groups": day_groups,
            "quarters": len(app.quarters),
            "target": DAY_TARGET,
            "ms": day_ms,
            "ratio": ratio,
            "holds": ratio <= DAY_TARGET,
            "zone_ratio": graphql_ms[ZONES[1]] / graphql_ms["UTC"],
            "graphql_to_statement": graphql_ms["UTC"] / ms["day|app statement"],
            "fold_ms": fold_ms,
            "statement": {
                "sql": app.statement.sql,
                "params": [repr(p) for p in app.statement.params],
            },
            "plain_sql": day_statement.sql,
            "query": DAY_BREAKDOWN,
            "plans": plans,
        },
        "rollup": {
            "rollup_groups": int(rollup_groups[0][0]),
            "tables": scratch,
            "reads": {way: s.sql for way, s in reads.items()},
            "stats_params": [repr(p) for p in stats_statement.params],
            "ms": read_ms,
            # A breakdown over HTTP that reads a rollup (CALL_STATUS x ATTEMPT, measured in
            # the same rounds), plus the read of the quarter rollup and the fold into UTC days:
            # what the day breakdown would take with a time bucket.
            "graphql_estimate_ms": status_ms["breakdown"]
            + read_ms["quarter rollup"]
            + fold_ms["UTC"],
        },
    }


# --- what keeping a time-bucket rollup costs writers (on a copy)

WRITE_RECORDS = 10_000
WRITE_ROUNDS = 5
WRITE_WRITERS = 8
PG_MODES = ("no time rollup", "deltas", "upsert")
SQLITE_MODES = ("no time rollup", "upsert")
HERE = DATA / "breakdown"
# Each transaction sets one random record's last attempt to now: the quarter-hour every
# writer lands in, as a dialer's writes do.
PG_SCRIPT = """\\set id random(:lo, :hi)
UPDATE campaign_audience SET last_attempt_at = now() WHERE id = :id;
"""
PG_TRIGGERS = {"deltas": "bench_quarter_deltas", "upsert": "bench_quarter_upsert"}
DELTA = "bench_quarter_delta"
_COUNTERS = ("records", "attempts", "duration", "successful")
_ADD = ", ".join(f"{c} = r.{c} + excluded.{c}" for c in _COUNTERS)


def _pg_changes() -> str:
    """The (campaign, quarter-hour) groups an UPDATE statement changed, and by how much,
    from its transition tables; groups that net to nothing are left out."""
    quarter = quarter_of("postgresql")
    success = f"CASE WHEN call_status IN {SUCCESSFUL} THEN 1 ELSE 0 END"
    added = (
        f"SELECT campaign_id, {quarter} AS quarter, 1 AS records, attempt::bigint AS attempts, "  # noqa: S608
        f"duration::bigint AS duration, {success} AS successful FROM new_rows"
    )
    removed = (
        f"SELECT campaign_id, {quarter}, -1, -attempt::bigint, -duration::bigint, -{success} "  # noqa: S608
        "FROM old_rows"
    )
    sums = ", ".join(f"sum({c})" for c in _COUNTERS)
    return (
        f"SELECT campaign_id, quarter, {sums} FROM ({added} UNION ALL {removed}) AS changed "  # noqa: S608
        "GROUP BY campaign_id, quarter HAVING " + " OR ".join(f"sum({c}) <> 0" for c in _COUNTERS)
    )


def pg_setup() -> list[str]:
    """The quarter-hour rollup of every campaign, back-filled, a delta table, and one
    statement trigger per way of keeping it (both disabled): appending deltas, as migration
    0004 does for the rollup, or upserting the rollup's rows directly."""
    quarter = quarter_of("postgresql")
    columns = "campaign_id integer NOT NULL, quarter timestamptz, " + ", ".join(
        f"{c} bigint NOT NULL" for c in _COUNTERS
    )
    names = "campaign_id, quarter, " + ", ".join(_COUNTERS)
    bodies = {
        "deltas": f"INSERT INTO {DELTA} ({names}) {_pg_changes()};",
        "upsert": f"INSERT INTO {QUARTERS} AS r ({names}) {_pg_changes()} "
        f"ON CONFLICT (campaign_id, quarter) DO UPDATE SET {_ADD};",
    }
    statements = [
        f"CREATE TABLE {QUARTERS} ({columns})",
        f"INSERT INTO {QUARTERS} ({names}) SELECT campaign_id, {quarter}, count(*), "  # noqa: S608
        f"sum(attempt), sum(duration), count(*) FILTER (WHERE call_status IN {SUCCESSFUL}) "
        "FROM campaign_audience GROUP BY campaign_id, 2",
        f"CREATE UNIQUE INDEX ux_{QUARTERS} ON {QUARTERS} (campaign_id, quarter) "
        "NULLS NOT DISTINCT",
        f"CREATE TABLE {DELTA} ({columns})",
        f"CREATE INDEX ix_{DELTA} ON {DELTA} (campaign_id)",
    ]
    for mode, body in bodies.items():
        name = PG_TRIGGERS[mode]
        statements += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$",
            f"CREATE TRIGGER {name} AFTER UPDATE ON campaign_audience "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {name}()",
            f"ALTER TABLE campaign_audience DISABLE TRIGGER {name}",
        ]
    return [*statements, f"ANALYZE {QUARTERS}", f"ANALYZE {DELTA}"]


PG_COMPACT = (
    f"WITH moved AS (DELETE FROM {DELTA} RETURNING *), summed AS (SELECT campaign_id, "  # noqa: S608
    f"quarter, {', '.join(f'sum({c}) AS {c}' for c in _COUNTERS)} FROM moved GROUP BY "
    f"campaign_id, quarter) INSERT INTO {QUARTERS} AS r SELECT * FROM summed "
    f"ON CONFLICT (campaign_id, quarter) DO UPDATE SET {_ADD}"
)


def _records_by_quarter(backend: str, campaign_id: int) -> str:
    quarter = quarter_of(backend)
    if backend == "sqlite":
        quarter = f"ifnull({quarter}, -1)"
    return (
        f"SELECT {quarter}, count(*), sum(attempt), sum(duration), "  # noqa: S608
        f"count(*) FILTER (WHERE call_status IN {SUCCESSFUL}) FROM campaign_audience "
        f"WHERE campaign_id = {int(campaign_id)} GROUP BY 1"
    )


def _rollup_of(campaign_id: int) -> str:
    return (
        f"SELECT quarter, {', '.join(_COUNTERS)} FROM {QUARTERS} "  # noqa: S608
        f"WHERE campaign_id = {int(campaign_id)} AND records <> 0"
    )


def _order(round_: int, modes: tuple[str, ...]) -> tuple[str, ...]:
    """Modes in turn, the first one changing every round."""
    turn = round_ % len(modes)
    return modes[turn:] + modes[:turn]


def _pgbench(url: str, script: Path, writers: int, lo: int, hi: int) -> list[str]:
    parsed = make_url(url)
    command = ["pgbench", "--no-vacuum", "--protocol=prepared", "--failures-detailed"]
    command += [f"--client={writers}", f"--jobs={min(writers, 2)}"]
    command += [f"--transactions={WRITE_RECORDS // writers}"]
    command += [f"--define=lo={lo}", f"--define=hi={hi}", f"--file={script}"]
    command += [f"--host={parsed.host or '127.0.0.1'}", f"--port={parsed.port or 5432}"]
    command += [f"--username={parsed.username or 'postgres'}", str(parsed.database)]
    return command


async def _pg_run(url: str, script: Path, writers: int, lo: int, hi: int) -> dict[str, Any]:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *_pgbench(url, script, writers, lo, hi),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    wall = time.perf_counter() - started
    result = parse_pgbench(out.decode(), err.decode(), process.returncode or 0)
    assert not result["aborted_clients"], result
    assert result["tps"], result
    # pgbench's rate leaves out starting the process and connecting; the wall time has them.
    result["seconds"] = result["transactions"] / result["tps"]
    result["wall_seconds"] = wall
    return result


async def _pg_writes(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    big = dataset.big
    url = make_url(backend.url)
    copy = url.set(database=f"{url.database}_breakdown").render_as_string(hide_password=False)
    print(f"  copying {url.database} to {url.database}_breakdown", flush=True)
    await create_postgres(copy, template=backend.url)
    HERE.mkdir(parents=True, exist_ok=True)
    script = HERE / "last_attempt_at.sql"
    script.write_text(PG_SCRIPT)
    conn = await asyncpg.connect(postgres_dsn(copy))
    try:
        started = time.perf_counter()
        for statement in pg_setup():
            await conn.execute(statement)
        setup_s = time.perf_counter() - started
        lo, hi = await conn.fetchrow(
            "SELECT min(id), max(id) FROM campaign_audience WHERE campaign_id = $1", big.id
        )

        async def mode(name: str) -> None:
            for trigger_mode, trigger in PG_TRIGGERS.items():
                verb = "ENABLE" if trigger_mode == name else "DISABLE"
                await conn.execute(f"ALTER TABLE campaign_audience {verb} TRIGGER {trigger}")

        async def agrees() -> bool:
            records = await conn.fetch(_records_by_quarter("postgresql", big.id))
            expected = _by_key([tuple(r) for r in records])
            got = _by_key([tuple(r) for r in await conn.fetch(_rollup_of(big.id))])
            return got == expected

        # Both ways keep the rollup exact (checked before timing): records moved by each.
        checks = {}
        for name, shift in (("deltas", "now()"), ("upsert", "last_attempt_at - interval '7h'")):
            await mode(name)
            await conn.execute(
                f"UPDATE campaign_audience SET last_attempt_at = {shift} "  # noqa: S608
                "WHERE id BETWEEN $1 AND $2",
                lo,
                lo + 99,
            )
            await conn.execute(PG_COMPACT)
            checks[name] = await agrees()
        assert all(checks.values()), checks
        print("  warm-up run", flush=True)  # the copy starts cold; not counted
        await mode("none")
        await _pg_run(copy, script, WRITE_WRITERS, lo, hi)
        variants: list[dict[str, Any]] = []
        window = 0
        for variant, writers in (
            (f"{WRITE_WRITERS} writers", WRITE_WRITERS),
            ("1 writer", 1),
            ("one statement", 0),
        ):
            runs: dict[str, list[dict[str, Any]]] = {m: [] for m in PG_MODES}
            for round_ in range(WRITE_ROUNDS):
                for name in _order(round_, PG_MODES):
                    await mode(name)
                    await conn.execute("CHECKPOINT")
                    print(f"  {variant}, {name}, round {round_ + 1}", flush=True)
                    if writers:
                        run = await _pg_run(copy, script, writers, lo, hi)
                    else:
                        # One UPDATE of 10,000 records, a window of its own each run.
                        first = lo + WRITE_RECORDS * (1 + window)
                        window += 1
                        started = time.perf_counter()
                        await conn.execute(
                            "UPDATE campaign_audience SET last_attempt_at = last_attempt_at "
                            "+ interval '1 hour' WHERE id BETWEEN $1 AND $2",
                            first,
                            first + WRITE_RECORDS - 1,
                        )
                        seconds = time.perf_counter() - started
                        run = {"seconds": seconds, "tps": WRITE_RECORDS / seconds}
                    if name == "deltas":
                        pending = await conn.fetchval(f"SELECT count(*) FROM {DELTA}")  # noqa: S608
                        run["pending_deltas"] = int(pending)
                        started = time.perf_counter()
                        await conn.execute(PG_COMPACT)
                        run["compact_ms"] = (time.perf_counter() - started) * 1000
                    run["round"] = round_ + 1
                    runs[name].append(run)
            medians = {m: statistics.median(r["seconds"] for r in runs[m]) for m in PG_MODES}
            variants.append(
                {
                    "name": variant,
                    "writers": writers,
                    "runs": runs,
                    "seconds": medians,
                    "ratio": {m: medians[m] / medians["no time rollup"] for m in PG_MODES},
                }
            )
        await mode("none")
        sizes = {
            table: int(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", table))
            for table in (QUARTERS, "campaign_audience_rollup")
        }
        rows = {
            table: int(await conn.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in (QUARTERS, "campaign_audience_rollup")
        }
    finally:
        await conn.close()
        await drop_postgres(copy)
    return {
        "campaign": {"id": big.id, "ids": [lo, hi]},
        "records": WRITE_RECORDS,
        "rounds": WRITE_ROUNDS,
        "modes": list(PG_MODES),
        "script": PG_SCRIPT,
        "setup": pg_setup(),
        "setup_s": setup_s,
        "compact": PG_COMPACT,
        "checks": checks,
        "command": " ".join(
            _pgbench(copy, Path("bench/.data/breakdown/last_attempt_at.sql"), WRITE_WRITERS, lo, hi)
        ),
        "variants": variants,
        "sizes_bytes": sizes,
        "rows": rows,
    }


def sqlite_setup() -> list[str]:
    """The quarter-hour rollup of every campaign (never attempted: quarter -1), back-filled,
    kept by a row trigger that upserts it, as migration 0004's triggers keep the rollup."""
    q_old, q_new = (
        f"ifnull({quarter_of('sqlite', f'{row}.last_attempt_at')}, -1)" for row in ("OLD", "NEW")
    )
    success = f"ifnull(call_status IN {SUCCESSFUL}, 0)"
    return [
        f"CREATE TABLE {QUARTERS} (campaign_id INTEGER NOT NULL, quarter INTEGER NOT NULL, "
        + ", ".join(f"{c} INTEGER NOT NULL" for c in _COUNTERS)
        + ", PRIMARY KEY (campaign_id, quarter))",
        f"INSERT INTO {QUARTERS} SELECT campaign_id, ifnull({quarter_of('sqlite')}, -1), "  # noqa: S608
        f"count(*), sum(attempt), sum(duration), sum({success}) FROM campaign_audience "
        "GROUP BY 1, 2",
        f"CREATE TRIGGER {QUARTERS}_update AFTER UPDATE OF campaign_id, call_status, attempt, "  # noqa: S608
        f"duration, last_attempt_at ON campaign_audience BEGIN "
        f"UPDATE {QUARTERS} SET records = records - 1, attempts = attempts - OLD.attempt, "
        "duration = duration - OLD.duration, successful = successful - "
        f"{success.replace('call_status', 'OLD.call_status')} "
        f"WHERE campaign_id = OLD.campaign_id AND quarter = {q_old}; "
        f"INSERT INTO {QUARTERS} VALUES (NEW.campaign_id, {q_new}, 1, NEW.attempt, "
        f"NEW.duration, {success.replace('call_status', 'NEW.call_status')}) "
        f"ON CONFLICT (campaign_id, quarter) DO UPDATE SET records = records + 1, "
        "attempts = attempts + excluded.attempts, duration = duration + excluded.duration, "
        "successful = successful + excluded.successful; END",
    ]


def _sqlite_writes(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    assert backend.sqlite_path is not None
    big = dataset.big
    HERE.mkdir(parents=True, exist_ok=True)
    copy = HERE / "writes.db"
    for stale in HERE.glob("writes.db*"):
        stale.unlink()
    shutil.copyfile(backend.sqlite_path, copy)
    conn = sqlite3.connect(copy, isolation_level=None)
    try:
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "busy_timeout = 5000"):
            conn.execute(f"PRAGMA {pragma}")
        setup = sqlite_setup()
        started = time.perf_counter()
        conn.execute("BEGIN")
        for statement in setup:
            conn.execute(statement)
        conn.execute("COMMIT")
        setup_s = time.perf_counter() - started
        trigger = setup[-1]
        lo, hi = conn.execute(
            "SELECT min(id), max(id) FROM campaign_audience WHERE campaign_id = ?", (big.id,)
        ).fetchone()
        conn.execute(
            "UPDATE campaign_audience SET last_attempt_at = datetime(last_attempt_at, '-7 hours') "
            "WHERE id BETWEEN ? AND ?",
            (lo, lo + 99),
        )
        expected = _by_key(conn.execute(_records_by_quarter("sqlite", big.id)).fetchall())
        got = _by_key(conn.execute(_rollup_of(big.id)).fetchall())
        checks = {"upsert": got == expected}
        assert all(checks.values()), checks

        def mode(name: str) -> None:
            conn.execute(f"DROP TRIGGER IF EXISTS {QUARTERS}_update")
            if name == "upsert":
                conn.execute(trigger)

        rng = random.Random(11)  # noqa: S311 (not a secret)

        def one_each(count: int) -> float:
            """Seconds of `count` updates of random records, each its own transaction."""
            ids = [rng.randint(lo, hi) for _ in range(count)]
            started = time.perf_counter()
            for record_id in ids:
                now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                conn.execute(
                    "UPDATE campaign_audience SET last_attempt_at = ? WHERE id = ?",
                    (now, record_id),
                )
            return time.perf_counter() - started

        print("  warm-up run", flush=True)  # not counted
        mode("no time rollup")
        one_each(WRITE_RECORDS // 10)
        variants: list[dict[str, Any]] = []
        window = 0
        for variant, single in (("1 writer", True), ("one statement", False)):
            runs: dict[str, list[dict[str, Any]]] = {m: [] for m in SQLITE_MODES}
            for round_ in range(WRITE_ROUNDS):
                for name in _order(round_, SQLITE_MODES):
                    mode(name)
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    print(f"  {variant}, {name}, round {round_ + 1}", flush=True)
                    if single:
                        seconds = one_each(WRITE_RECORDS)
                    else:
                        first = lo + WRITE_RECORDS * (1 + window)
                        window += 1
                        started = time.perf_counter()
                        conn.execute(
                            "UPDATE campaign_audience SET last_attempt_at = "
                            "datetime(last_attempt_at, '+1 hour') WHERE id BETWEEN ? AND ?",
                            (first, first + WRITE_RECORDS - 1),
                        )
                        seconds = time.perf_counter() - started
                    runs[name].append(
                        {"seconds": seconds, "tps": WRITE_RECORDS / seconds, "round": round_ + 1}
                    )
            medians = {m: statistics.median(r["seconds"] for r in runs[m]) for m in SQLITE_MODES}
            variants.append(
                {
                    "name": variant,
                    "writers": 1 if single else 0,
                    "runs": runs,
                    "seconds": medians,
                    "ratio": {m: medians[m] / medians["no time rollup"] for m in SQLITE_MODES},
                }
            )
        rows = {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
            for table in (QUARTERS, "campaign_audience_rollup")
        }
    finally:
        conn.close()
        for stale in HERE.glob("writes.db*"):
            stale.unlink()
    return {
        "campaign": {"id": big.id, "ids": [lo, hi]},
        "records": WRITE_RECORDS,
        "rounds": WRITE_ROUNDS,
        "modes": list(SQLITE_MODES),
        "setup": setup,
        "setup_s": setup_s,
        "checks": checks,
        "variants": variants,
        "rows": rows,
    }


async def writes(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    """What keeping a (campaign, quarter-hour) rollup would cost writers of last_attempt_at:
    10,000 records updated with and without its trigger, on a copy of the database."""
    if backend.name == "postgresql":
        if shutil.which("pgbench") is None:
            raise SystemExit("pgbench is not installed (Debian: postgresql-client)")
        return await _pg_writes(backend, dataset)
    return _sqlite_writes(backend, dataset)

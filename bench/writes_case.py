"""(h) Writes under the rollup triggers, on a copy of the loaded database (the cached one stays
as the load left it).

PostgreSQL, with pgbench: writer connections each updating one random record of the big
campaign per transaction (call_status, attempt and duration drawn anew, so records move
between groups), with the rollup triggers on and off (ALTER TABLE … DISABLE TRIGGER),
alternating, a few rounds each; the same with one writer; and a hot-group variant where every
write lands in the same group. An `audience-stats serve` process runs throughout, compacting
the deltas every second as a deployment does, and a poller counts the pending deltas. Then,
with the triggers back on and the rollup rebuilt, stats latency over HTTP while the writers
run, the stats checked against the plain row scan after, and `audience-stats rollups check`.

SQLite: the single-writer UPDATE rate with the triggers and without them (dropped and
recreated), on a copy of the file.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import make_url

from app.db import create_engine
from app.repository import Repository
from app.stats import SUCCESSFUL_CALL_STATUSES
from bench import plain_sql
from bench.client import STATS, over_http, stats_of
from bench.data import DATA, Dataset, create_postgres, drop_postgres, postgres_dsn, sqlite_url
from bench.database import Backend
from bench.server import BIN, ROOT, app_command, free_port, running
from bench.stats_case import CASES, domain_filter, statement_of

WRITERS = 8
SECONDS = 10  # each pgbench run and each SQLite rate run
WARMUP_SECONDS = 5  # one run before the rounds, not counted: the copy starts cold
ROUNDS = 3  # per mode, alternating
LATENCY_SECONDS = 15  # writers running while stats are asked for
IDLE_SECONDS = 3  # stats asked for with no writer, for comparison
POLL_SECONDS = 0.1  # pending-delta poll
TARGET = 0.6  # throughput with the rollup triggers / without them, 8 writers, at the median
TRIGGERS = tuple(
    f"campaign_audience_rollup_{e}" for e in ("insert", "update", "delete", "truncate")
)
UNSUCCESSFUL = ("NO_ANSWER", "BUSY", "NOT_REACHABLE", "FAILED", "CANCELED", "REJECTED")
CALL_STATUSES = (*SUCCESSFUL_CALL_STATUSES, *UNSUCCESSFUL)
MODES = ("rollup", "no rollup")
HERE = DATA / "writes"

_ARRAY = "ARRAY[" + ", ".join(f"'{s}'" for s in CALL_STATUSES) + "]"
SCRIPTS = {  # pgbench scripts of constants; pgbench binds :variables as parameters
    # Records move between groups: a new call status, attempt count and talk time.
    "moving": """\\set id random(:lo, :hi)
\\set cs random(1, COUNT)
\\set at random(1, 4)
\\set du random(0, 900)
UPDATE campaign_audience SET call_status = (STATUSES)[:cs], attempt = :at, duration = :du
  WHERE id = :id;
""".replace("COUNT", str(len(CALL_STATUSES))).replace("STATUSES", _ARRAY),
    # Every write lands in one group: the same statuses and attempt, a new talk time.
    "hot": """\\set id random(:lo, :hi)
\\set du random(0, 900)
UPDATE campaign_audience SET status = 1, call_status = 'AGENT_ENDED',
  first_status = 'AGENT_ENDED', last_status = 'AGENT_ENDED', attempt = 1, duration = :du
  WHERE id = :id;
""",
}
# (name, script, writers)
VARIANTS = (
    ("moving", "moving", WRITERS),
    ("hot group", "hot", WRITERS),
    ("one writer", "moving", 1),
)


def _order(round_: int) -> tuple[str, ...]:
    """Modes in turn, the first one changing every round, so neither always goes first."""
    return MODES if round_ % 2 == 0 else MODES[::-1]


# --- PostgreSQL


def _pgbench(url: str, script: Path, writers: int, seconds: int, lo: int, hi: int) -> list[str]:
    parsed = make_url(url)
    command = ["pgbench", "--no-vacuum", "--protocol=prepared", "--failures-detailed"]
    command += [f"--client={writers}", f"--jobs={min(writers, 2)}", f"--time={seconds}"]
    command += [f"--define=lo={lo}", f"--define=hi={hi}", f"--file={script}"]
    command += [f"--host={parsed.host or '127.0.0.1'}", f"--port={parsed.port or 5432}"]
    command += [f"--username={parsed.username or 'postgres'}", str(parsed.database)]
    return command


def _number(pattern: str, text: str, default: float = 0.0) -> float:
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else default


def parse_pgbench(out: str, err: str, returncode: int) -> dict[str, Any]:
    return {
        "tps": _number(r"^tps = ([\d.]+)", out),
        "transactions": int(_number(r"number of transactions actually processed: (\d+)", out)),
        "failed": int(_number(r"number of failed transactions: (\d+)", out)),
        "serialization_failures": int(_number(r"number of serialization failures: (\d+)", out)),
        "deadlock_failures": int(_number(r"number of deadlock failures: (\d+)", out)),
        "latency_ms": _number(r"latency average = ([\d.]+) ms", out),
        # Any other error aborts the client that got it.
        "aborted_clients": len(re.findall(r"client \d+ aborted", err)),
        "errors": [line for line in err.splitlines() if "ERROR" in line][:5],
        "returncode": returncode,
    }


class Postgres:
    def __init__(self, url: str, conn: asyncpg.Connection) -> None:
        self.url = url
        self.conn = conn

    async def triggers(self, on: bool) -> None:
        verb = "ENABLE" if on else "DISABLE"
        for name in TRIGGERS:
            await self.conn.execute(f"ALTER TABLE campaign_audience {verb} TRIGGER {name}")
        enabled = await self.conn.fetch(
            "SELECT tgenabled::text FROM pg_trigger WHERE tgname = ANY($1::text[])", list(TRIGGERS)
        )
        assert len(enabled) == len(TRIGGERS), enabled
        assert all((row[0] != "D") == on for row in enabled), enabled

    async def pending(self) -> int:
        return int(await self.conn.fetchval("SELECT count(*) FROM campaign_audience_delta"))


async def _poll(url: str, seen: list[int], stop: asyncio.Event) -> None:
    """The number of pending deltas every POLL_SECONDS, on a connection of its own."""
    conn = await asyncpg.connect(postgres_dsn(url))
    try:
        while not stop.is_set():
            seen.append(int(await conn.fetchval("SELECT count(*) FROM campaign_audience_delta")))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_SECONDS)
    finally:
        await conn.close()


async def _writers(
    url: str, script: Path, writers: int, seconds: int, lo: int, hi: int
) -> dict[str, Any]:
    """One pgbench run, the pending deltas polled meanwhile."""
    seen: list[int] = []
    stop = asyncio.Event()
    poller = asyncio.create_task(_poll(url, seen, stop))
    process = await asyncio.create_subprocess_exec(
        *_pgbench(url, script, writers, seconds, lo, hi),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    stop.set()
    await poller
    result = parse_pgbench(out.decode(), err.decode(), process.returncode or 0)
    result["max_pending_deltas"] = max(seen, default=0)
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


async def _postgres(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    big = dataset.big
    url = make_url(backend.url)
    copy = url.set(database=f"{url.database}_writes").render_as_string(hide_password=False)
    print(f"  copying {url.database} to {url.database}_writes", flush=True)
    await create_postgres(copy, template=backend.url)
    HERE.mkdir(parents=True, exist_ok=True)
    scripts = {}
    for name, text in SCRIPTS.items():
        scripts[name] = HERE / f"{name}.sql"
        scripts[name].write_text(text)
    conn = await asyncpg.connect(postgres_dsn(copy))
    db = Postgres(copy, conn)
    lo, hi = await conn.fetchrow(
        "SELECT min(id), max(id) FROM campaign_audience WHERE campaign_id = $1", big.id
    )
    variants: list[dict[str, Any]] = []
    port = free_port()
    env = {"DATABASE_URL": copy}  # compaction every AUDIENCE_STATS_COMPACT_SECONDS (1 s)
    try:
        with running(app_command(port), env, "postgresql-writes", port) as server:
            print("  warm-up run", flush=True)
            await _writers(copy, scripts["moving"], WRITERS, WARMUP_SECONDS, lo, hi)
            for name, script, writers in VARIANTS:
                runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
                for round_ in range(ROUNDS):
                    for mode in _order(round_):
                        await db.triggers(mode == "rollup")
                        await conn.execute("CHECKPOINT")  # every run starts from the same state
                        print(f"  {name}, {writers} writer(s), {mode}, round {round_ + 1}")
                        run = await _writers(copy, scripts[script], writers, SECONDS, lo, hi)
                        run["round"] = round_ + 1
                        runs[mode].append(run)
                medians = {mode: _median(runs[mode], "tps") for mode in MODES}
                ratio = medians["rollup"] / medians["no rollup"]
                variants.append(
                    {
                        "name": name,
                        "writers": writers,
                        "runs": runs,
                        "tps": medians,
                        "ratio": ratio,
                        "holds": ratio >= TARGET,
                    }
                )
            await db.triggers(True)
            rebuild = _cli(["rollups", "rebuild"], copy)
            assert rebuild["returncode"] == 0, rebuild
            plan_before = await _plan(copy, dataset)
            latency = await _latency(server.url, dataset, copy, scripts["moving"], lo, hi, db)
            pending_at_end = await db.pending()
            plan_after = await _plan(copy, dataset)
        dead = {
            row["relname"]: {"live": row["n_live_tup"], "dead": row["n_dead_tup"]}
            for row in await conn.fetch(
                "SELECT relname, n_live_tup, n_dead_tup FROM pg_stat_user_tables"
                " WHERE relname LIKE 'campaign_audience%'"
            )
        }
        check = _cli(["rollups", "check"], copy)
        table_sizes = {
            name: int(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", name))
            for name in ("campaign_audience", "campaign_audience_delta", "campaign_audience_rollup")
        }
    finally:
        await conn.close()
        await drop_postgres(copy)
    return {
        "campaign": {"id": big.id, "audience": big.audience, "ids": [lo, hi]},
        "seconds": SECONDS,
        "rounds": ROUNDS,
        "target": TARGET,
        "scripts": SCRIPTS,
        "command": " ".join(
            _pgbench(copy, Path("bench/.data/writes/SCRIPT.sql"), WRITERS, SECONDS, lo, hi)
        ).replace(str(make_url(copy).database), "audience_stats_bench_writes"),
        "variants": variants,
        "latency": latency,
        "rebuild": rebuild,
        "check": check,
        "pending_at_end": pending_at_end,
        "sizes_bytes_at_end": table_sizes,
        "tuples_at_end": dead,
        "plans": {"before the latency run": plan_before, "after it": plan_after},
        "warmup_s": WARMUP_SECONDS,
    }


async def _plan(url: str, dataset: Dataset) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of the repository's unfiltered stats statement of the big
    campaign, as the app sends it: what the rollup and the pending deltas cost."""
    engine = create_engine(url)
    try:
        case = next(case for case in CASES if not case.filter)
        statement, _stats = await statement_of(engine, Repository(engine), dataset.big, case)
    finally:
        await engine.dispose()
    settings = {"plan_cache_mode": "force_custom_plan"}
    conn = await asyncpg.connect(postgres_dsn(url), server_settings=settings)
    try:
        rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement.sql}", *statement.params)
    finally:
        await conn.close()
    return {"sql": statement.sql, "plan": "\n".join(row[0] for row in rows)}


def _cli(args: list[str], url: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own command)
        [str(BIN / "audience-stats"), *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "command": f"audience-stats {' '.join(args)}",
        "returncode": done.returncode,
        "output": (done.stdout + done.stderr).strip().splitlines()[-3:],
        "seconds": time.perf_counter() - started,
    }


async def _latency(
    server_url: str,
    dataset: Dataset,
    url: str,
    script: Path,
    lo: int,
    hi: int,
    db: Postgres,
) -> dict[str, Any]:
    """Stats of the big campaign over HTTP, one request after another, first with no writer,
    then while WRITERS writers run; the answers checked against the row scan after."""
    big = dataset.big
    cases = [case for case in CASES if "mobileNo" not in case.filter]
    times: dict[str, dict[str, list[float]]] = {"idle": {}, "writing": {}}
    async with over_http(server_url, dataset.token(big)) as graphql:

        async def ask(phase: str, until: float | asyncio.Task[Any]) -> None:
            turn = 0
            while True:
                if isinstance(until, float):
                    if time.monotonic() >= until:
                        return
                elif until.done():
                    return
                case = cases[turn % len(cases)]
                turn += 1
                started = time.perf_counter()
                await graphql(STATS, campaignId=big.id, filter=case.filter)
                times[phase].setdefault(case.name, []).append(time.perf_counter() - started)

        for case in cases:  # warm the server's connections
            await graphql(STATS, campaignId=big.id, filter=case.filter)
        await ask("idle", time.monotonic() + IDLE_SECONDS)
        writers = asyncio.create_task(_writers(url, script, WRITERS, LATENCY_SECONDS, lo, hi))
        await ask("writing", writers)
        run = await writers
        # Exact while the deltas wait for compaction, and after: the same as the row scan.
        raw = await asyncpg.connect(postgres_dsn(url))
        try:
            agree = {}
            for case in cases:
                data = await graphql(STATS, campaignId=big.id, filter=case.filter)
                scan = plain_sql.statement(big.id, domain_filter(case.filter))
                rows = [tuple(r) for r in await raw.fetch(scan.sql)]
                agree[case.name] = stats_of(data["campaignAudienceStats"]) == plain_sql.numbers(
                    rows
                )
        finally:
            await raw.close()
    assert all(agree.values()), f"stats differ from the row scan after the writes: {agree}"
    summary = {
        phase: {
            name: {
                "requests": len(samples),
                "median_ms": statistics.median(samples) * 1000,
                "max_ms": max(samples) * 1000,
            }
            for name, samples in by_case.items()
        }
        for phase, by_case in times.items()
    }
    return {
        "writers": WRITERS,
        "seconds": LATENCY_SECONDS,
        "idle_seconds": IDLE_SECONDS,
        "poll_seconds": POLL_SECONDS,
        "pgbench": run,
        "ms": summary,
        "agree_with_row_scan": agree,
        "pending_after": await db.pending(),
    }


# --- SQLite


class SqliteWriter:
    """One connection with the app's pragmas (app/db.py), each UPDATE its own transaction."""

    def __init__(self, path: Path, lo: int, hi: int) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("foreign_keys = ON", "journal_mode = WAL", "busy_timeout = 5000"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.triggers_sql = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            " AND name LIKE 'campaign_audience_rollup_%' ORDER BY name"
        ).fetchall()
        # Three keep the rollup, five follow REPLACE (SQLite has no TRUNCATE trigger).
        assert len(self.triggers_sql) == 8, self.triggers_sql
        self.lo, self.hi = lo, hi
        self.rng = random.Random(9)  # noqa: S311 (not a secret)

    def triggers(self, on: bool) -> None:
        present = {
            row[0]
            for row in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND name LIKE 'campaign_audience_rollup_%'"
            )
        }
        for name, sql in self.triggers_sql:
            if on and name not in present:
                self.conn.execute(sql)
            elif not on and name in present:
                self.conn.execute(f"DROP TRIGGER {name}")

    def rate(self, seconds: float) -> dict[str, Any]:
        rng, count = self.rng, 0
        update = (
            "UPDATE campaign_audience SET call_status = ?, attempt = ?, duration = ? WHERE id = ?"
        )
        started = time.perf_counter()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            self.conn.execute(
                update,
                (
                    rng.choice(CALL_STATUSES),
                    rng.randint(1, 4),
                    rng.randint(0, 900),
                    rng.randint(self.lo, self.hi),
                ),
            )
            count += 1
        elapsed = time.perf_counter() - started
        return {"updates": count, "seconds": elapsed, "tps": count / elapsed}

    def close(self) -> None:
        self.conn.close()


def _sqlite(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    assert backend.sqlite_path is not None
    big = dataset.big
    copy = HERE / "writes.db"
    HERE.mkdir(parents=True, exist_ok=True)
    for stale in HERE.glob("writes.db*"):
        stale.unlink()
    shutil.copyfile(backend.sqlite_path, copy)
    with sqlite3.connect(copy) as conn:
        lo, hi = conn.execute(
            "SELECT min(id), max(id) FROM campaign_audience WHERE campaign_id = ?", (big.id,)
        ).fetchone()
    writer = SqliteWriter(copy, lo, hi)
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    try:
        for round_ in range(ROUNDS):
            for mode in _order(round_):
                writer.triggers(mode == "rollup")
                print(f"  one writer, {mode}, round {round_ + 1}", flush=True)
                run = writer.rate(SECONDS)
                run["round"] = round_ + 1
                runs[mode].append(run)
        writer.triggers(True)
    finally:
        writer.close()
    url = sqlite_url(copy)
    rebuild = _cli(["rollups", "rebuild"], url)
    check = _cli(["rollups", "check"], url)
    for stale in HERE.glob("writes.db*"):
        stale.unlink()
    medians = {mode: _median(runs[mode], "tps") for mode in MODES}
    return {
        "campaign": {"id": big.id, "audience": big.audience, "ids": [lo, hi]},
        "seconds": SECONDS,
        "rounds": ROUNDS,
        "variants": [
            {
                "name": "one writer",
                "writers": 1,
                "runs": runs,
                "tps": medians,
                "ratio": medians["rollup"] / medians["no rollup"],
            }
        ],
        "rebuild": rebuild,
        "check": check,
    }


async def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    if backend.name == "postgresql":
        if shutil.which("pgbench") is None:
            raise SystemExit("pgbench is not installed (Debian: postgresql-client)")
        result = await _postgres(backend, dataset)
    else:
        result = _sqlite(backend, dataset)
    assert result["check"]["returncode"] == 0, f"rollups check failed: {result['check']}"
    return result

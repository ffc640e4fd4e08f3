"""Run the benchmark cases and write BENCHMARKS.md.

    .venv/bin/python -m bench.run                       # all cases on both databases
    .venv/bin/python -m bench.run --backend sqlite --case stats --case pages
    .venv/bin/python -m bench.run --big-campaign 100000  # a quicker, smaller run
    .venv/bin/python -m bench.run --large               # (g) with 10,000,000 contacts

Results are kept per case and database under bench/.data/results/, and the report is
written from all of them, so a single case can be rerun on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg

from bench import (
    batching_case,
    breakdown_case,
    explain_case,
    groups_case,
    layers_case,
    list_case,
    load_case,
    memory_case,
    pages_case,
    report,
    stats_case,
    throughput_case,
    writes_case,
)
from bench.data import (
    DATA,
    Dataset,
    Spec,
    drop_postgres,
    postgres_dsn,
    postgres_url,
    prepare,
    prepare_postgres,
)
from bench.database import Backend
from bench.server import app_command, free_port, running

# Campaigns 1, 2, 3 of 1,000,000, 100,000 and 10,000 contacts (workspaces 1, 2, 1), then 100
# campaigns of 1,000: 50 in each workspace, those of workspace 2 for the batching case.
# --big-campaign N scales the three to N, N/10 and N/100; the small ones stay.
BIG = 1_000_000
SMALL = 100
SMALL_AUDIENCE = 1_000
# make bench-large: campaigns of 10,000,000, 1,000,000, 100,000 and 10,000 alone, for (g).
LARGE = 10_000_000


def series(big: int, count: int) -> tuple[int, ...]:
    return tuple(big // 10**power for power in range(count))


def spec(big: int = BIG) -> Spec:
    bigs = series(big, 3)
    return Spec(
        workspaces=2,
        campaigns=len(bigs) + SMALL,
        audience=sum(bigs) + SMALL * SMALL_AUDIENCE,
        seed=1,
        big_campaigns=bigs,
    )


def large_spec(big: int = LARGE) -> Spec:
    bigs = series(big, 4)
    return Spec(workspaces=2, campaigns=len(bigs), audience=sum(bigs), seed=1, big_campaigns=bigs)


CASES = (
    "stats",
    "pages",
    "groups",
    "batching",
    "throughput",
    "memory",
    "explain",
    "writes",
    "load",
    "list",
    "breakdown",
)
BACKENDS = ("sqlite", "postgresql")
RESULTS = DATA / "results"
LARGE_SUFFIX = "large"  # the large run's results, machine record and PostgreSQL database


def save(backend: str, case: str, result: dict[str, Any], command: str, load: float) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "measured_at": _now(),
        "command": command,
        # Other work on the machine skews timings: the 1-minute load average before and after.
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "result": result,
    }
    (RESULTS / f"{backend}-{case}.json").write_text(json.dumps(record, indent=1, default=str))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclasses.dataclass(frozen=True, slots=True)
class Run:
    """What this invocation measures: the data set's size and whether it is the large one."""

    big: int
    large: bool = False

    @property
    def spec(self) -> Spec:
        return large_spec(self.big) if self.large else spec(self.big)

    def command(self, backend: str, case: str) -> str:
        command = f".venv/bin/python -m bench.run --backend {backend} --case {case}"
        if self.large:
            command += " --large"
        if self.big != (LARGE if self.large else BIG):
            command += f" --big-campaign {self.big}"
        return command

    def result_name(self, case: str) -> str:
        return f"{case}-{LARGE_SUFFIX}" if self.large else case


async def run_backend(backend: Backend, dataset: Dataset, cases: list[str], run: Run) -> None:
    if backend.name == "postgresql":
        await prepare_postgres(dataset, backend.url)

    def timed(case: str, label: str) -> tuple[str, float]:
        print(f"{backend.name}: {label}", flush=True)
        return case, os.getloadavg()[0]

    def done(started: tuple[str, float], result: dict[str, Any]) -> None:
        case, load = started
        command = run.command(backend.name, case)
        save(backend.name, run.result_name(case), result, command, load)

    served = [c for c in ("stats", "pages", "groups", "list", "breakdown") if c in cases]
    breakdown: tuple[tuple[str, float], dict[str, Any]] | None = None
    if served:
        port = free_port()
        env = {"DATABASE_URL": backend.url}
        with running(app_command(port), env, f"{backend.name}-server", port) as server:
            if "stats" in cases:
                started = timed("stats", "(a) stats")
                done(started, await stats_case.run(backend, dataset, server.url))
            if "pages" in cases:
                started = timed("pages", "(b) pages")
                done(started, await pages_case.run(backend, dataset, server.url))
            if "groups" in cases:
                started = timed("groups", "(g) cost by groups")
                done(started, await groups_case.run(backend, dataset, server.url))
            if "list" in cases:
                started = timed("list", "(j) REST list pages")
                done(started, await list_case.run(backend, dataset, server.url))
            if "breakdown" in cases:
                started = timed("breakdown", "(k) breakdown")
                breakdown = started, await breakdown_case.run(backend, dataset, server.url)
    if breakdown is not None:
        # The write cost of a time-bucket rollup, on a copy of the database made once the
        # server has stopped (PostgreSQL copies a database no one is connected to).
        started, result = breakdown
        print(f"{backend.name}: (k) breakdown, writes of last_attempt_at", flush=True)
        result["writes"] = await breakdown_case.writes(backend, dataset)
        done(started, result)
    if "batching" in cases:
        started = timed("batching", "(c) batching")
        done(started, await batching_case.run(backend, dataset))
    if "throughput" in cases:
        started = timed("throughput", "(d) throughput")
        result = throughput_case.run(backend, dataset)
        result["layers"] = await layers_case.run(backend, dataset)
        done(started, result)
    if "memory" in cases:
        started = timed("memory", "(e) memory")
        done(started, await memory_case.run(backend, dataset))
    if "explain" in cases:
        started = timed("explain", "(f) explain")
        done(started, await explain_case.run(backend, dataset))
    if "writes" in cases:
        started = timed("writes", "(h) writes")
        done(started, await writes_case.run(backend, dataset))
    if "load" in cases:
        started = timed("load", "(i) load")
        # The data set at the default size: one campaign of 1,000,000 rows.
        done(started, await load_case.run(backend, run.big))


async def postgres_version() -> str:
    conn = await asyncpg.connect(postgres_dsn(database="postgres"))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def machine(dataset: Dataset, postgres: str, load_at_start: float) -> dict[str, Any]:
    info = Path("/proc/cpuinfo").read_text()
    models = [line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line]
    model = models[0] if models else platform.processor()
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    wrk = shutil.which("wrk")
    pgbench = shutil.which("pgbench")
    wrk_version = (
        subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
        .stdout.splitlines()[0]
        .split(" [")[0]
        if wrk
        else "not installed"
    )
    return {
        "date": _now(),
        "cores": os.cpu_count(),
        # Other work on the machine skews timings: the 1-minute load average says how much.
        "load": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        "memory_gib": round(memory_kib / 2**20, 1),
        "cpu": model,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "wrk": wrk_version,
        "pgbench": subprocess.run(  # noqa: S603
            [pgbench, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if pgbench
        else "not installed",
        "packages": {
            name: version(name)
            for name in (
                "strawberry-graphql",
                "graphql-core",
                "starlette",
                "uvicorn",
                "sqlalchemy",
                "aiosqlite",
                "asyncpg",
                "pyinstrument",
            )
        },
        "generate_args": dataset.spec.args,
        "parts": dataset.spec.parts,
        "spec": dataclasses.asdict(dataset.spec),
        "campaigns": [dataclasses.asdict(c) for c in dataset.series],
        "dataset": dataset.key,
    }


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument(
        "--big-campaign",
        type=int,
        help=f"contacts of campaign 1 (default {BIG:,}, with --large {LARGE:,}); campaigns 2 "
        "and 3 (and 4) get a tenth (and a hundredth, a thousandth) of it; (i) loads as many "
        "rows; smaller runs quicker",
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help=f"(g) alone on a data set of campaigns of {LARGE:,}, {LARGE // 10:,}, "
        f"{LARGE // 100:,} and {LARGE // 1000:,} contacts (make bench-large)",
    )
    parser.add_argument(
        "--drop-postgres",
        action="store_true",
        help="drop the bench's PostgreSQL database (it is kept between runs as a cache)",
    )
    args = parser.parse_args(argv)
    big = args.big_campaign or (LARGE if args.large else BIG)
    if args.large:
        if big < 10_000:
            parser.error("--big-campaign must be at least 10000 with --large")
        if set(args.case or ["groups"]) != {"groups"}:
            parser.error("--large runs case groups (g) alone")
    elif big < pages_case.DEPTH + pages_case.PAGE_SIZE:
        parser.error(f"--big-campaign must be at least {pages_case.DEPTH + pages_case.PAGE_SIZE}")
    if args.drop_postgres:
        await drop_postgres()
        await drop_postgres(postgres_url(LARGE_SUFFIX))
        return 0
    run = Run(big, args.large)
    cases = ["groups"] if args.large else args.case or list(CASES)
    load_at_start = os.getloadavg()[0]
    dataset = prepare(run.spec)
    for name in args.backend or BACKENDS:
        if name == "sqlite":
            backend = Backend.sqlite(dataset)
        else:
            backend = Backend.postgresql(postgres_url(LARGE_SUFFIX) if args.large else None)
        await run_backend(backend, dataset, cases, run)
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = machine(dataset, await postgres_version(), load_at_start)
    name = f"machine-{LARGE_SUFFIX}.json" if args.large else "machine.json"
    (RESULTS / name).write_text(json.dumps(record, indent=1))
    report.write(RESULTS)
    print(f"wrote {report.OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

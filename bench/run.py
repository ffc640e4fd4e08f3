"""Run the benchmark cases and write BENCHMARKS.md.

    .venv/bin/python -m bench.run                       # all cases on both databases
    .venv/bin/python -m bench.run --backend sqlite --case stats --case pages

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
    explain_case,
    layers_case,
    memory_case,
    pages_case,
    report,
    stats_case,
    throughput_case,
)
from bench.data import (
    DATA,
    Dataset,
    Spec,
    drop_postgres,
    postgres_dsn,
    prepare,
    prepare_postgres,
)
from bench.database import Backend
from bench.server import app_command, free_port, running

# One big campaign (campaign 1, workspace 1) and 100 campaigns of 1,000 records; workspace 2
# holds 50 of the small ones, for the batching case.
BIG = 1_000_000
SMALL = 100 * 1_000


def spec(big: int = BIG) -> Spec:
    return Spec(workspaces=2, campaigns=101, audience=big + SMALL, seed=1, big_campaign=big)


CASES = ("stats", "pages", "batching", "throughput", "memory", "explain")
BACKENDS = ("sqlite", "postgresql")
RESULTS = DATA / "results"


def save(backend: str, case: str, result: dict[str, Any], command: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {"measured_at": _now(), "command": command, "result": result}
    (RESULTS / f"{backend}-{case}.json").write_text(json.dumps(record, indent=1, default=str))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def case_command(backend: str, case: str) -> str:
    return f".venv/bin/python -m bench.run --backend {backend} --case {case}"


async def run_backend(backend: Backend, dataset: Dataset, cases: list[str]) -> None:
    if backend.name == "postgresql":
        await prepare_postgres(dataset)

    def done(case: str, result: dict[str, Any]) -> None:
        save(backend.name, case, result, case_command(backend.name, case))

    if "stats" in cases or "pages" in cases:
        port = free_port()
        env = {"DATABASE_URL": backend.url}
        with running(app_command(port), env, f"{backend.name}-server", port) as server:
            if "stats" in cases:
                print(f"{backend.name}: (a) stats", flush=True)
                done("stats", await stats_case.run(backend, dataset, server.url))
            if "pages" in cases:
                print(f"{backend.name}: (b) pages", flush=True)
                done("pages", await pages_case.run(backend, dataset, server.url))
    if "batching" in cases:
        print(f"{backend.name}: (c) batching", flush=True)
        done("batching", await batching_case.run(backend, dataset))
    if "throughput" in cases:
        print(f"{backend.name}: (d) throughput", flush=True)
        result = throughput_case.run(backend, dataset)
        result["layers"] = await layers_case.run(backend, dataset)
        done("throughput", result)
    if "memory" in cases:
        print(f"{backend.name}: (e) memory", flush=True)
        done("memory", await memory_case.run(backend, dataset))
    if "explain" in cases:
        print(f"{backend.name}: (f) explain", flush=True)
        done("explain", await explain_case.run(backend, dataset))


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
        "spec": dataclasses.asdict(dataset.spec),
        "dataset": dataset.key,
    }


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument(
        "--big-campaign",
        type=int,
        default=BIG,
        help=f"contacts of the big campaign (default {BIG:,}); smaller runs quicker",
    )
    parser.add_argument(
        "--drop-postgres",
        action="store_true",
        help="drop the bench's PostgreSQL database (it is kept between runs as a cache)",
    )
    args = parser.parse_args(argv)
    if args.big_campaign < pages_case.DEPTH + pages_case.PAGE_SIZE:
        parser.error(f"--big-campaign must be at least {pages_case.DEPTH + pages_case.PAGE_SIZE}")
    if args.drop_postgres:
        await drop_postgres()
        return 0
    cases = args.case or list(CASES)
    load_at_start = os.getloadavg()[0]
    dataset = prepare(spec(args.big_campaign))
    for name in args.backend or BACKENDS:
        backend = Backend.sqlite(dataset) if name == "sqlite" else Backend.postgresql()
        await run_backend(backend, dataset, cases)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "machine.json").write_text(
        json.dumps(machine(dataset, await postgres_version(), load_at_start), indent=1)
    )
    report.write(RESULTS)
    print(f"wrote {report.OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

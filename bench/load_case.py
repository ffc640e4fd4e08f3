"""(i) `audience-stats load` of the issue's data set (`generate --campaigns 1 --audience
1000000 --seed 42`) into an empty database: as the app is now (rollup triggers, compaction,
ANALYZE, and VACUUM on PostgreSQL), and with the rollup triggers removed beforehand, for
comparison; alternating, a few rounds each. Each load is timed from outside (the command's
whole process), and its statements inside it (bench/load_timer.py)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa

from app.db import create_engine, migrate
from bench.data import (
    DATA,
    Spec,
    create_postgres,
    drop_postgres,
    generated,
    postgres_dsn,
    postgres_url,
    sqlite_url,
)
from bench.database import Backend
from bench.server import BIN, ROOT

ROWS = 1_000_000
ROUNDS = 2
MODES = ("rollup", "no rollup triggers")
TRIGGERS = ("insert", "update", "delete", "truncate")
SQLITE_TRIGGERS = (
    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
    "AND name LIKE 'campaign_audience_rollup_%'"
)
# The figures from before the rollup (README "Load speed", 2-core machine), seconds:
# the target is no slower than their upper end, the aim under AIM.
REFERENCE = {"sqlite": (17, 18), "postgresql": (26, 31)}
AIM = 30
HERE = DATA / "load"


def spec(rows: int) -> Spec:
    return Spec(workspaces=1, campaigns=1, audience=rows, seed=42)


async def _empty(backend: Backend, mode: str) -> tuple[str, float | None]:
    """An empty database for one load: its URL, and for the mode without triggers the
    seconds that creating the schema took (the load then finds it in place)."""
    if backend.name == "sqlite":
        HERE.mkdir(parents=True, exist_ok=True)
        for stale in HERE.glob("load.db*"):
            stale.unlink()
        url = sqlite_url(HERE / "load.db")
    else:
        url = postgres_url("load", backend.url)
        await create_postgres(url)
        admin = await asyncpg.connect(postgres_dsn(url))
        try:  # the previous load's dirty pages written out before this one starts
            await admin.execute("CHECKPOINT")
        finally:
            await admin.close()
    if mode == "rollup":
        return url, None
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        await migrate(engine)
        schema_s = time.perf_counter() - started
        async with engine.begin() as conn:
            if backend.name == "postgresql":
                for event in TRIGGERS:
                    name = f"campaign_audience_rollup_{event}"
                    await conn.execute(sa.text(f"DROP TRIGGER {name} ON campaign_audience"))
            else:  # the three that keep the rollup and the five that follow REPLACE
                for name in await conn.scalars(sa.text(SQLITE_TRIGGERS)):
                    await conn.execute(sa.text(f"DROP TRIGGER {name}"))
    finally:
        await engine.dispose()
    return url, schema_s


def _load(csv_dir: Path, url: str) -> dict[str, Any]:
    out = HERE / "timings.json"
    HERE.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own command)
        [sys.executable, "-m", "bench.load_timer", str(csv_dir), str(out)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"load failed ({done.returncode}): {done.stdout}{done.stderr}")
    timings = json.loads(out.read_text())
    return {"seconds": seconds, **timings, "output": done.stdout.strip().splitlines()[-1:]}


def _check(url: str) -> int:
    done = subprocess.run(  # noqa: S603 (our own command)
        [str(BIN / "audience-stats"), "rollups", "check"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        check=False,
    )
    return done.returncode


async def run(backend: Backend, rows: int = ROWS) -> dict[str, Any]:
    data = spec(rows)
    csv_dir = generated(data)
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    checks = []
    try:
        for round_ in range(ROUNDS):
            for mode in MODES if round_ % 2 == 0 else MODES[::-1]:
                url, schema_s = await _empty(backend, mode)
                print(f"  load, {mode}, round {round_ + 1}", flush=True)
                load = _load(csv_dir, url)
                load["schema_s_before"] = schema_s
                load["round"] = round_ + 1
                runs[mode].append(load)
                if mode == "rollup":
                    checks.append(_check(url))  # the load left the rollup exact
    finally:
        if backend.name == "postgresql":
            await drop_postgres(postgres_url("load", backend.url))
        for stale in HERE.glob("load.db*"):
            stale.unlink()
    assert checks, "no load with the rollup ran"
    assert all(code == 0 for code in checks), f"rollups check after load: {checks}"

    def median(mode: str, key: str) -> float:
        return statistics.median(
            run["seconds"] if key == "seconds" else run["statement_s"].get(key, 0.0)
            for run in runs[mode]
        )

    kinds = ("analyze", "vacuum", "compact", "audience upserts")
    medians = {
        mode: {"seconds": median(mode, "seconds")} | {k: median(mode, k) for k in kinds}
        for mode in MODES
    }
    low, high = REFERENCE[backend.name]
    total = medians["rollup"]["seconds"]
    return {
        "generate_args": data.args,
        "rows": rows,
        "rounds": ROUNDS,
        "runs": runs,
        "medians": medians,
        "reference_s": [low, high],
        "aim_s": AIM,
        # The reference is for 1,000,000 rows: a smaller quick run is not held to it.
        "holds": total <= high if rows == ROWS else None,
        "under_aim": total < AIM if rows == ROWS else None,
        "rollup_checks": checks,
    }

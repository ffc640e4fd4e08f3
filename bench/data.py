"""The benchmark data set: generated once, loaded into SQLite and PostgreSQL, cached.

Everything lives under bench/.data/<key>/, where the key names the generate arguments and a
digest of the generator's source, so a changed generator or argument makes a new data set.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import asyncpg
from sqlalchemy import make_url

from bench.server import BIN, ROOT

DATA = ROOT / "bench" / ".data"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/audience_stats_bench"
)


@dataclass(frozen=True, slots=True)
class Spec:
    """Arguments of `audience-stats generate`."""

    workspaces: int
    campaigns: int
    audience: int
    seed: int
    big_campaign: int | None = None  # rows of campaign 1; the others share the rest

    @property
    def args(self) -> list[str]:
        args = [
            f"--workspaces={self.workspaces}",
            f"--campaigns={self.campaigns}",
            f"--audience={self.audience}",
            f"--seed={self.seed}",
        ]
        if self.big_campaign is not None:
            args.append(f"--big-campaign={self.big_campaign}")
        return args

    @property
    def key(self) -> str:
        source = (ROOT / "app" / "generate.py").read_bytes()
        digest = hashlib.sha256(source).hexdigest()[:8]
        big = "" if self.big_campaign is None else f"-b{self.big_campaign}"
        return f"w{self.workspaces}-c{self.campaigns}-a{self.audience}{big}-s{self.seed}-g{digest}"


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    workspace_id: int
    audience: int


@dataclass(frozen=True, slots=True)
class Dataset:
    spec: Spec
    key: str  # the cache's name for it: bench/.data/<key>/
    csv_dir: Path
    sqlite_path: Path
    tokens: dict[int, str]  # a token of each workspace
    campaigns: list[Campaign]

    @property
    def big(self) -> Campaign:
        return max(self.campaigns, key=lambda c: (c.audience, -c.id))

    @property
    def small(self) -> Campaign:
        """A small campaign with an audience, for the throughput case."""
        return min((c for c in self.campaigns if c.audience), key=lambda c: (c.audience, c.id))

    def batch_workspace(self, campaigns: int) -> int:
        """Of the workspaces with at least that many campaigns, the one with least audience."""

        def own(workspace_id: int) -> list[Campaign]:
            return [c for c in self.campaigns if c.workspace_id == workspace_id]

        candidates = [w for w in self.tokens if len(own(w)) >= campaigns]
        if not candidates:
            raise SystemExit(f"the data set has no workspace with {campaigns} campaigns")
        return min(candidates, key=lambda w: sum(c.audience for c in own(w)))

    def token(self, campaign: Campaign) -> str:
        return self.tokens[campaign.workspace_id]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    started = time.perf_counter()
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, **(env or {})})  # noqa: S603
    print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


def prepare(spec: Spec) -> Dataset:
    """Generate and load into SQLite unless the cache has them; return the manifest."""
    key = spec.key
    home = DATA / key
    csv_dir, sqlite_path, manifest = home / "csv", home / "bench.db", home / "manifest.json"
    if manifest.exists():
        return _read_manifest(manifest)
    for stale in DATA.glob(key.rsplit("-g", 1)[0] + "-g*"):
        # The same arguments with a generator that has changed since: never used again.
        if stale != home:
            shutil.rmtree(stale)
    home.mkdir(parents=True, exist_ok=True)
    if not csv_dir.exists():
        partial = home / "csv.partial"
        shutil.rmtree(partial, ignore_errors=True)
        _run([str(BIN / "audience-stats"), "generate", str(partial), *spec.args])
        partial.rename(csv_dir)
    partial_db = home / "bench.partial.db"
    for stale in home.glob("bench.partial.db*"):
        stale.unlink()
    _run(
        [str(BIN / "audience-stats"), "load", str(csv_dir)],
        env={"DATABASE_URL": sqlite_url(partial_db)},
    )
    with sqlite3.connect(partial_db) as conn:  # fold the WAL into the file before renaming
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial_db.rename(sqlite_path)
    dataset = Dataset(spec, key, csv_dir, sqlite_path, _tokens(csv_dir), _campaigns(sqlite_path))
    manifest.write_text(json.dumps(asdict(dataset), default=str, indent=1))
    return dataset


def _tokens(csv_dir: Path) -> dict[int, str]:
    # The load format carries tokens in plain text; the database keeps only their digests.
    tokens: dict[int, str] = {}
    with (csv_dir / "api_tokens.csv").open(newline="") as file:
        for row in csv.DictReader(file):
            tokens.setdefault(int(row["workspace_id"]), row["token"])
    return tokens


def _campaigns(sqlite_path: Path) -> list[Campaign]:
    with sqlite3.connect(sqlite_path) as conn:
        rows = conn.execute(
            "SELECT c.id, c.workspace_id, count(a.id) FROM campaign c"
            " LEFT JOIN campaign_audience a ON a.campaign_id = c.id GROUP BY c.id ORDER BY c.id"
        ).fetchall()
    return [Campaign(*row) for row in rows]


def _read_manifest(path: Path) -> Dataset:
    raw = json.loads(path.read_text())
    return Dataset(
        spec=Spec(**raw["spec"]),
        key=raw["key"],
        csv_dir=Path(raw["csv_dir"]),
        sqlite_path=Path(raw["sqlite_path"]),
        tokens={int(k): v for k, v in raw["tokens"].items()},
        campaigns=[Campaign(**c) for c in raw["campaigns"]],
    )


def _dsn(url: str, database: str | None = None) -> str:
    """An asyncpg DSN of a SQLAlchemy URL."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def postgres_dsn(url: str = POSTGRES_URL, database: str | None = None) -> str:
    return _dsn(url, database)


async def prepare_postgres(dataset: Dataset, url: str = POSTGRES_URL) -> None:
    """Load the data set into the bench's own database unless it already holds it.

    The database's comment records which data set it holds.
    """
    name = make_url(url).database
    if not name or name in {"postgres", "test"}:
        raise SystemExit(f"BENCH_POSTGRES_URL must name a database of the bench's own, not {name}")
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
        if comment == dataset.key:
            return
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    _run([str(BIN / "audience-stats"), "load", str(dataset.csv_dir)], env={"DATABASE_URL": url})
    conn = await asyncpg.connect(_dsn(url))
    try:
        # Autovacuum would analyse the fresh table soon anyway; do it now so that plans and
        # index-only scans do not depend on when it happens to run.
        await conn.execute("VACUUM (ANALYZE)")
        await conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{dataset.key}'")
    finally:
        await conn.close()


async def drop_postgres(url: str = POSTGRES_URL) -> None:
    name = make_url(url).database
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()

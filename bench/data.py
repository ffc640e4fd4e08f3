"""The benchmark data set: generated once, loaded into SQLite and PostgreSQL, cached.

Everything lives under bench/.data/<key>/, where the key names the generate arguments and a
digest of the generator's source, so a changed generator or argument makes a new data set.
Both databases are used exactly as `audience-stats load` leaves them (it analyses and, on
PostgreSQL, vacuums what it wrote); cases that write work on copies.
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

from app.generate import MAX_CAMPAIGN_AUDIENCE
from bench.server import BIN, ROOT

DATA = ROOT / "bench" / ".data"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/audience_stats_bench"
)


@dataclass(frozen=True, slots=True)
class Spec:
    """Arguments of `audience-stats generate`.

    Campaigns 1, 2, … get big_campaigns' rows; the others share the rest. A campaign bigger
    than the generator's distinct numbers (MAX_CAMPAIGN_AUDIENCE) is generated in parts, as
    extra campaigns after the others, whose rows are then relabelled to it (`parts`): only
    where there are no other campaigns, so that no generated campaign changes its id.
    """

    workspaces: int
    campaigns: int
    audience: int
    seed: int
    big_campaigns: tuple[int, ...] = ()

    @property
    def parts(self) -> dict[int, int]:
        """Generated campaign id -> the big campaign its rows are relabelled to."""
        extra = [
            (campaign_id, count - 1)
            for campaign_id, rows in enumerate(self.big_campaigns, start=1)
            if (count := -(-rows // MAX_CAMPAIGN_AUDIENCE)) > 1
        ]
        if extra and self.campaigns != len(self.big_campaigns):
            raise SystemExit(
                f"a campaign above {MAX_CAMPAIGN_AUDIENCE:,} rows is generated in parts, "
                "which needs a data set of big campaigns only"
            )
        found: dict[int, int] = {}
        next_id = self.campaigns + 1
        for campaign_id, count in extra:
            for _ in range(count):
                found[next_id] = campaign_id
                next_id += 1
        return found

    def _generated_sizes(self) -> list[int]:
        """big_campaigns as generated: oversized ones cut into even parts, the rest after."""
        sizes = list(self.big_campaigns)
        rest: list[int] = []
        for index, rows in enumerate(self.big_campaigns):
            count = -(-rows // MAX_CAMPAIGN_AUDIENCE)
            if count > 1:
                part, extra = divmod(rows, count)
                pieces = [part + (1 if i < extra else 0) for i in range(count)]
                sizes[index] = pieces[0]
                rest += pieces[1:]
        return sizes + rest

    @property
    def args(self) -> list[str]:
        sizes = self._generated_sizes()
        args = [
            f"--workspaces={self.workspaces}",
            f"--campaigns={self.campaigns + len(self.parts)}",
            f"--audience={self.audience}",
            f"--seed={self.seed}",
        ]
        return args + [f"--big-campaign={rows}" for rows in sizes]

    @property
    def key(self) -> str:
        source = (ROOT / "app" / "generate.py").read_bytes()
        digest = hashlib.sha256(source).hexdigest()[:8]
        big = "-b" + "x".join(map(str, self.big_campaigns)) if self.big_campaigns else ""
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
    def series(self) -> list[Campaign]:
        """The big campaigns (campaigns 1, 2, …), smallest first."""
        count = len(self.spec.big_campaigns)
        return sorted((c for c in self.campaigns if c.id <= count), key=lambda c: c.audience)

    def campaign(self, campaign_id: int) -> Campaign:
        return next(c for c in self.campaigns if c.id == campaign_id)

    @property
    def small(self) -> Campaign:
        """A small campaign with an audience, for the throughput case."""
        return min((c for c in self.campaigns if c.audience), key=lambda c: (c.audience, c.id))

    def batch_workspace(self, campaigns: int) -> int:
        """Of the workspaces with at least that many small campaigns (not one of the big
        campaigns 1, 2, …), the one whose small campaigns hold the least audience."""
        big = len(self.spec.big_campaigns)

        def own(workspace_id: int) -> list[Campaign]:
            return [c for c in self.campaigns if c.workspace_id == workspace_id and c.id > big]

        candidates = [w for w in self.tokens if len(own(w)) >= campaigns]
        if not candidates:
            raise SystemExit(f"the data set has no workspace with {campaigns} small campaigns")
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


def generated(spec: Spec) -> Path:
    """The data set's CSV directory, generated unless the cache has it."""
    key = spec.key
    home = DATA / key
    csv_dir = home / "csv"
    if csv_dir.exists():
        return csv_dir
    for stale in DATA.glob(key.rsplit("-g", 1)[0] + "-g*"):
        # The same arguments with a generator that has changed since: never used again.
        if stale != home:
            shutil.rmtree(stale)
    home.mkdir(parents=True, exist_ok=True)
    partial = home / "csv.partial"
    shutil.rmtree(partial, ignore_errors=True)
    _run([str(BIN / "audience-stats"), "generate", str(partial), "--quiet", *spec.args])
    if spec.parts:
        _relabel(partial / "audience.csv", spec.parts)
    partial.rename(csv_dir)
    return csv_dir


def _relabel(path: Path, parts: dict[int, int]) -> None:
    """Give the rows of each part campaign to the campaign it is a part of. The first two
    columns are the id and the campaign id, plain numbers, so a line splits at its commas."""
    started = time.perf_counter()
    renamed = {str(part): str(owner) for part, owner in parts.items()}
    out = path.with_suffix(".relabelled")
    with path.open(encoding="utf-8", newline="") as rows, out.open("w", encoding="utf-8") as to:
        to.write(next(rows))
        for line in rows:
            record_id, campaign_id, rest = line.split(",", 2)
            if campaign_id in renamed:
                line = f"{record_id},{renamed[campaign_id]},{rest}"
            to.write(line)
    out.replace(path)
    moved = ", ".join(f"{part} -> {owner}" for part, owner in parts.items())
    print(f"  relabelled campaigns {moved} ({time.perf_counter() - started:.0f} s)", flush=True)


def prepare(spec: Spec) -> Dataset:
    """Generate and load into SQLite unless the cache has them; return the manifest."""
    home = DATA / spec.key
    sqlite_path, manifest = home / "bench.db", home / "manifest.json"
    if manifest.exists():
        return _read_manifest(manifest)
    csv_dir = generated(spec)
    partial_db = home / "bench.partial.db"
    for stale in home.glob("bench.partial.db*"):
        stale.unlink()
    _run(
        [str(BIN / "audience-stats"), "load", "--quiet", str(csv_dir)],
        env={"DATABASE_URL": sqlite_url(partial_db)},
    )
    # The load's last connection folded the WAL into the file as it closed; make sure before
    # renaming (a no-op then: the file stays as the load left it).
    assert not partial_db.with_name(partial_db.name + "-wal").exists(), "the load left a WAL"
    partial_db.rename(sqlite_path)
    dataset = Dataset(
        spec, spec.key, csv_dir, sqlite_path, _tokens(csv_dir), _campaigns(sqlite_path)
    )
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
    spec = raw["spec"]
    return Dataset(
        spec=Spec(**{**spec, "big_campaigns": tuple(spec["big_campaigns"])}),
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


def postgres_url(suffix: str, url: str = POSTGRES_URL) -> str:
    """A database of the bench's own beside the main one: its name with a suffix."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)


def _own(url: str) -> str:
    name = make_url(url).database
    if not name or name in {"postgres", "test"} or not name.startswith("audience_stats_bench"):
        raise SystemExit(f"the bench's PostgreSQL databases are audience_stats_bench…, not {name}")
    return name


async def create_postgres(url: str, template: str | None = None) -> None:
    """A fresh database of the bench's own (dropped first if it exists); a copy of the
    template database's files when given (no one may be connected to that one)."""
    name = _own(url)
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            await admin.execute(f'CREATE DATABASE "{name}"')
        else:
            await admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{_own(template)}" STRATEGY FILE_COPY'
            )
    finally:
        await admin.close()


async def prepare_postgres(dataset: Dataset, url: str = POSTGRES_URL) -> None:
    """Load the data set into the bench's own database unless it already holds it, and
    leave the database exactly as `audience-stats load` does (which analyses and vacuums).

    The database's comment records which data set it holds.
    """
    name = _own(url)
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
    finally:
        await admin.close()
    if comment == dataset.key:
        return
    await create_postgres(url)
    _run(
        [str(BIN / "audience-stats"), "load", "--quiet", str(dataset.csv_dir)],
        env={"DATABASE_URL": url},
    )
    conn = await asyncpg.connect(_dsn(url))
    try:
        # A shared catalog entry: nothing of the database's own tables changes.
        await conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{dataset.key}'")
    finally:
        await conn.close()


async def drop_postgres(url: str = POSTGRES_URL) -> None:
    name = _own(url)
    admin = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()

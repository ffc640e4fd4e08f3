"""(d) Requests per second and latency of campaign stats under concurrent load from wrk, with
1 and 2 uvicorn workers: *distinct* requests (each a different campaign or filter, from a pool
too big for any body to come again within a run, so no cache can answer) and *repeated* ones
(one small campaign's stats every time), beside a plain Starlette route with a constant body
of the same size. Every answer is checked. The GraphQL servers count the database connections
they open meanwhile (and on SQLite aiosqlite's thread hops). Then a profile of the server
under the distinct load. Also (e): the servers' peak memory."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import make_url

from bench.client import STATS
from bench.data import DATA, Dataset, postgres_dsn
from bench.database import Backend
from bench.measure import median_ms
from bench.profiling import summarise
from bench.server import ROOT, Server, app_command, free_port, running

LUA = Path(__file__).with_name("wrk_post.lua")
THREADS = 1  # wrk shares the machine with the server: one thread drives it easily
CONNECTIONS = 16
DURATION = 10  # seconds measured, after a warm-up run
WARMUP = 3
WORKERS = (1, 2)
# GraphQL requests/s over the plain route's, with one worker.
TARGETS = {"distinct": 0.12, "repeated": 0.3}
# Every non-empty set of statuses with every non-empty set of attempt counts (the data set's
# are 0 to 3): 225 filters, most of which match records, for each small campaign.
STATUSES = ("FRESH", "COMPLETED", "HALTED", "INQUEUE")
ATTEMPTS = (0, 1, 2, 3)
LEAST_DISTINCT = 1_000  # fewer bodies, and a cache of recent answers might answer some
# The measured run starts halfway through the distinct bodies: the warm-up's (from the
# first) and its own never meet, so the response cache never holds one it is sent.
MEASURED_START = 11_250
COUNTS = DATA / "counts"  # where bench.counted_server's processes write their counts
Request = tuple[str, str]  # (token, JSON body)


def _subsets(values: tuple[Any, ...]) -> list[list[Any]]:
    return [list(c) for size in range(1, len(values) + 1) for c in combinations(values, size)]


def filters() -> list[dict[str, Any]]:
    return [{"status": s, "attempt": a} for s in _subsets(STATUSES) for a in _subsets(ATTEMPTS)]


def body(campaign_id: int, audience_filter: dict[str, Any] | None = None) -> str:
    variables: dict[str, Any] = {"campaignId": campaign_id}
    if audience_filter is not None:
        variables["filter"] = audience_filter
    return json.dumps({"query": STATS, "variables": variables}, separators=(",", ":"))


def distinct_requests(dataset: Dataset) -> list[Request]:
    """Each small campaign (the ones after the big campaigns 1, 2, …) with each filter, with
    its workspace's token. Campaign by campaign within a filter: consecutive requests differ
    in campaign, and each campaign comes back every hundred requests with another filter."""
    big = len(dataset.spec.big_campaigns)
    small = sorted((c for c in dataset.campaigns if c.id > big), key=lambda c: c.id)
    found = [(dataset.token(c), body(c.id, f)) for f in filters() for c in small]
    assert len(set(found)) == len(found) >= LEAST_DISTINCT, f"{len(set(found))} distinct bodies"
    return found


def write_requests(name: str, requests: list[Request]) -> Path:
    """One request a line, "<token>\\t<body>", for wrk_post.lua (JSON escapes any tab)."""
    path = DATA / f"requests-{name}.tsv"
    path.write_text("".join(f"{token}\t{text}\n" for token, text in requests))
    return path


def wrk_command(url: str, seconds: int) -> list[str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")
    return [
        wrk,
        f"--threads={THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={LUA}",
        f"{url}/graphql",
    ]


def wrk(url: str, requests: Path, seconds: int = DURATION, start: int = 0) -> dict[str, Any]:
    """A wrk run sending the file's requests in turn from the line `start` on."""
    out = DATA / "wrk.json"
    out.unlink(missing_ok=True)
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(requests),
        "BENCH_OUT": str(out),
        "BENCH_START": str(start),
    }
    subprocess.run(  # noqa: S603
        wrk_command(url, seconds), env=env, check=True, stdout=subprocess.DEVNULL
    )
    result: dict[str, Any] = json.loads(out.read_text())
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["failed"] = sum(result["errors"].values())
    return result


def answer(url: str, request: Request) -> httpx.Response:
    """One request's answer, which must hold data and no errors."""
    token, text = request
    headers = {"token": token, "content-type": "application/json"}
    response = httpx.post(f"{url}/graphql", content=text, headers=headers)
    assert response.status_code == 200, response.text
    assert "data" in response.json(), response.text
    assert "errors" not in response.json(), response.text
    return response


def one_connection(url: str, request: Request, requests: int = 30) -> float:
    """Median latency of requests sent one after another on one keep-alive connection."""
    token, text = request
    headers = {"token": token, "content-type": "application/json"}
    times = []
    with httpx.Client(base_url=url) as client:
        for _ in range(requests):
            started = time.perf_counter()
            client.post("/graphql", content=text, headers=headers).raise_for_status()
            times.append(time.perf_counter() - started)
    return median_ms(times)


def plain_command(port: int, workers: int) -> list[str]:
    command = [sys.executable, "-m", "bench.plain_app", "--port", str(port)]
    return [*command, "--workers", str(workers)]


def counted_command(port: int, workers: int) -> list[str]:
    """`audience-stats serve [--workers N]` (bench.server.app_command) through
    bench.counted_server, which counts connections and thread hops in each process."""
    command = [sys.executable, "-m", "bench.counted_server", "serve", "--port", str(port)]
    return command if workers == 1 else [*command, "--workers", str(workers)]


def _serving_pids(server: Server) -> list[int]:
    """The processes that serve: the workers, or the server itself when it has none."""
    workers = [int(key.split()[0]) for key in server.peak_rss_kib() if key.endswith(" worker")]
    return workers or [server.process.pid]


def counts(server: Server) -> dict[int, dict[str, Any]]:
    """Pool connects and closes and aiosqlite thread hops so far, by serving process."""
    pids = _serving_pids(server)
    files = [COUNTS / f"{pid}.json" for pid in pids]
    for pid, file in zip(pids, files, strict=True):
        file.unlink(missing_ok=True)
        os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 10  # each writes when its event loop next runs Python code
    while not all(f.exists() for f in files):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no counts from {[f.name for f in files if not f.exists()]}")
        time.sleep(0.05)
    return {pid: json.loads(f.read_text()) for pid, f in zip(pids, files, strict=True)}


def pg_sessions(backend: Backend) -> int | None:
    """pg_stat_database.sessions of the bench's database on PostgreSQL (None on SQLite): every
    session ever opened on it. Read from a session on the `postgres` database, which does not
    count in it; a new session's count is flushed when it first goes idle."""
    if backend.name != "postgresql":
        return None
    database = make_url(backend.url).database

    async def read() -> int:
        conn = await asyncpg.connect(postgres_dsn(backend.url, database="postgres"))
        try:
            sql = "SELECT sessions FROM pg_stat_database WHERE datname = $1"
            return int(await conn.fetchval(sql, database))
        finally:
            await conn.close()

    # The case runs inside bench.run's event loop, and blocks it: read on a loop of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def counted_load(server: Server, backend: Backend, requests: Path) -> dict[str, Any]:
    """A warm-up run, then the measured one, with the connections opened during it."""
    wrk(server.url, requests, WARMUP)
    time.sleep(0.5)  # the warm-up's last connections go idle, so their sessions are counted
    before, sessions = counts(server), pg_sessions(backend)
    started = time.monotonic()
    result = wrk(server.url, requests, start=MEASURED_START)
    time.sleep(0.5)
    after, sessions_after = counts(server), pg_sessions(backend)
    seconds = result["duration_us"] / 1e6
    opened = _opened(before, after, started)
    result["connections"] = {
        **opened,
        "pool_connects_per_s": opened["pool_connects"] / seconds,
        "thread_hops_per_request": opened["thread_hops"] / max(result["requests"], 1),
        "sessions": None if sessions is None else sessions_after - sessions,
        "sessions_per_s": None if sessions is None else (sessions_after - sessions) / seconds,
    }
    return result


def _opened(
    before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]], started: float
) -> dict[str, Any]:
    """What the serving processes counted between two readings."""
    by_process = {
        pid: {
            key: after[pid][key] - before[pid][key] for key in ("connects", "closes", "checkouts")
        }
        for pid in after
    }
    connected_at = [
        t - started
        for pid in after
        for t in after[pid]["connected_at"][len(before[pid]["connected_at"]) :]
    ]
    return {
        "pool_connects": sum(p["connects"] for p in by_process.values()),
        "pool_connects_by_process": [p["connects"] for p in by_process.values()],
        # Seconds after wrk started: a pool that grows does so at the start of the run.
        "pool_connected_at": sorted(connected_at),
        "pool_closes": sum(p["closes"] for p in by_process.values()),
        # Units of work by process: how wrk's connections fell on the workers.
        "pool_checkouts_by_process": [p["checkouts"] for p in by_process.values()],
        "thread_hops": sum(after[pid]["thread_hops"] - before[pid]["thread_hops"] for pid in after),
    }


def graphql_rows(
    backend: Backend, workers: int, loads: dict[str, tuple[Path, Request]]
) -> list[dict[str, Any]]:
    """One server of each load (so that neither warms the other's caches)."""
    rows = []
    COUNTS.mkdir(parents=True, exist_ok=True)
    env = {"DATABASE_URL": backend.url, "BENCH_COUNTS": str(COUNTS)}
    for kind, (requests, first) in loads.items():
        port = free_port()
        name = f"{backend.name}-graphql-{kind}-{workers}w"
        print(f"  wrk against {name}", flush=True)
        with running(counted_command(port, workers), env, name, port) as server:
            result = counted_load(server, backend, requests)
            result["one_connection_ms"] = one_connection(server.url, first)
            result["peak_rss_kib"] = server.peak_rss_kib()
        _check(name, result)
        rows.append({"server": "graphql", "load": kind, "workers": workers, **result})
    return rows


def plain_row(
    backend: Backend,
    workers: int,
    plain_body: str,
    requests: Path,
    first: Request,
    pure_python: bool = False,
) -> dict[str, Any]:
    port = free_port()
    server_kind = "plain-python" if pure_python else "plain"
    name = f"{backend.name}-{server_kind}-{workers}w"
    print(f"  wrk against {name}", flush=True)
    env = {"BENCH_PLAIN_BODY": plain_body}
    command = plain_command(port, workers) + (["--pure-python"] if pure_python else [])
    with running(command, env, name, port) as server:
        wrk(server.url, requests, WARMUP)
        result = wrk(server.url, requests)
        result["one_connection_ms"] = one_connection(server.url, first)
        result["peak_rss_kib"] = server.peak_rss_kib()
    _check(name, result)
    return {"server": server_kind, "load": "repeated", "workers": workers, **result}


def _check(name: str, result: dict[str, Any]) -> None:
    assert result["failed"] == 0, f"{name}: {result['errors']}"
    failed = result["failed_answers"]
    assert failed == 0, f"{name}: {failed} failed answers, the first: {result['first_failure']}"


def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    small = dataset.small
    repeated = (dataset.token(small), body(small.id))
    distinct = distinct_requests(dataset)
    files = {"distinct": write_requests("distinct", distinct)}
    files["repeated"] = write_requests("repeated", [repeated])
    port = free_port()
    env = {"DATABASE_URL": backend.url}
    with running(app_command(port), env, f"{backend.name}-answer", port) as server:
        plain_body = answer(server.url, repeated).text
        # The first filter with each small campaign: every campaign and token answers.
        for request in distinct[: len(distinct) // len(filters())]:
            answer(server.url, request)
    loads = {
        "distinct": (files["distinct"], distinct[0]),
        "repeated": (files["repeated"], repeated),
    }
    rows = [plain_row(backend, 1, plain_body, files["repeated"], repeated, pure_python=True)]
    for workers in WORKERS:
        rows.append(plain_row(backend, workers, plain_body, files["repeated"], repeated))
        rows += graphql_rows(backend, workers, loads)
    python = rows[0]
    for row in rows[1:]:
        plain = next(r for r in rows if r["server"] == "plain" and r["workers"] == row["workers"])
        row["ratio_to_plain"] = row["rps"] / plain["rps"]
        row["ratio_to_plain_python"] = row["rps"] / python["rps"]
    verdicts = {
        kind: {
            "ratio": row["ratio_to_plain"],
            "holds": row["ratio_to_plain"] >= target,
            "ratio_to_plain_python": row["ratio_to_plain_python"],
        }
        for kind, target in TARGETS.items()
        for row in rows
        if row["server"] == "graphql" and row["load"] == kind and row["workers"] == 1
    }
    return {
        "campaign": {"id": small.id, "audience": small.audience},
        "distinct": {
            "bodies": len(distinct),
            "campaigns": len(distinct) // len(filters()),
            "filters": len(filters()),
        },
        "response_bytes": len(plain_body.encode()),
        "wrk": {"threads": THREADS, "connections": CONNECTIONS, "duration": DURATION},
        "warmup_s": WARMUP,
        "targets": TARGETS,
        "verdicts": verdicts,
        "rows": rows,
        "profile": profile(backend, files["distinct"]),
    }


def profile(backend: Backend, requests: Path) -> dict[str, Any]:
    """The app under pyinstrument (one process) while wrk loads it with distinct requests."""
    out = DATA / f"profile-{backend.name}.pyisession"
    out.unlink(missing_ok=True)
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "bench.profiled_server",
        "--port",
        str(port),
        "--out",
        str(out),
    ]
    name = f"{backend.name}-profiled"
    print(f"  profiling {name}", flush=True)
    with running(command, {"DATABASE_URL": backend.url}, name, port) as server:
        wrk(server.url, requests, WARMUP)
        server.process.send_signal(signal.SIGUSR1)
        result = wrk(server.url, requests, start=MEASURED_START)
        server.process.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    _check(name, result)
    summary = summarise(out)
    summary["rps_under_profiler"] = result["rps"]
    summary["load"] = "distinct"
    summary["session"] = str(out.relative_to(ROOT))
    return summary

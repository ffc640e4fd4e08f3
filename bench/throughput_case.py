"""(d) Requests per second and latency of a small campaign's stats under concurrent load from
wrk, with 1 and 2 uvicorn workers, beside a plain Starlette route with a constant body of the
same size; then a profile of the server under that load. Also (e): the servers' peak memory."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.client import STATS
from bench.data import DATA, Dataset
from bench.database import Backend
from bench.measure import median_ms
from bench.profiling import summarise
from bench.server import ROOT, app_command, free_port, running

LUA = Path(__file__).with_name("wrk_post.lua")
THREADS = 1  # wrk shares the machine with the server: one thread drives it easily
CONNECTIONS = 16
DURATION = 10  # seconds measured, after a warm-up run
WARMUP = 3
WORKERS = (1, 2)


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


def wrk(url: str, body: str, token: str, seconds: int = DURATION) -> dict[str, Any]:
    out = DATA / "wrk.json"
    env = {**os.environ, "BENCH_BODY": body, "BENCH_TOKEN": token, "BENCH_OUT": str(out)}
    subprocess.run(  # noqa: S603
        wrk_command(url, seconds), env=env, check=True, stdout=subprocess.DEVNULL
    )
    result: dict[str, Any] = json.loads(out.read_text())
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["failed"] = sum(result["errors"].values())
    return result


def one_connection(url: str, body: str, token: str, requests: int = 30) -> float:
    """Median latency of requests sent one after another on one keep-alive connection."""
    headers = {"token": token, "content-type": "application/json"}
    times = []
    with httpx.Client(base_url=url) as client:
        for _ in range(requests):
            started = time.perf_counter()
            client.post("/graphql", content=body, headers=headers).raise_for_status()
            times.append(time.perf_counter() - started)
    return median_ms(times)


def plain_command(port: int, workers: int) -> list[str]:
    command = [sys.executable, "-m", "bench.plain_app", "--port", str(port)]
    return [*command, "--workers", str(workers)]


def run(backend: Backend, dataset: Dataset) -> dict[str, Any]:
    small = dataset.small
    token = dataset.token(small)
    body = json.dumps({"query": STATS, "variables": {"campaignId": small.id}})
    env = {"DATABASE_URL": backend.url}
    port = free_port()
    with running(app_command(port), env, f"{backend.name}-answer", port) as server:
        headers = {"token": token, "content-type": "application/json"}
        answer = httpx.post(f"{server.url}/graphql", content=body, headers=headers)
        assert answer.status_code == 200, answer.text
        assert "errors" not in answer.json(), answer.text
    plain_env = {"BENCH_PLAIN_BODY": answer.text}
    rows = []
    for workers in WORKERS:
        for kind in ("graphql", "plain"):
            port = free_port()
            command = (
                app_command(port, workers) if kind == "graphql" else plain_command(port, workers)
            )
            name = f"{backend.name}-{kind}-{workers}w"
            print(f"  wrk against {name}", flush=True)
            with running(command, env if kind == "graphql" else plain_env, name, port) as server:
                wrk(server.url, body, token, WARMUP)
                result = wrk(server.url, body, token)
                result["one_connection_ms"] = one_connection(server.url, body, token)
                result["peak_rss_kib"] = server.peak_rss_kib()
            assert result["failed"] == 0, f"{name}: {result['errors']}"
            rows.append({"server": kind, "workers": workers, **result})
    for workers in WORKERS:
        graphql, plain = (
            next(r for r in rows if r["server"] == kind and r["workers"] == workers)
            for kind in ("graphql", "plain")
        )
        graphql["ratio_to_plain"] = graphql["rps"] / plain["rps"]
    return {
        "campaign": {"id": small.id, "audience": small.audience},
        "response_bytes": len(answer.content),
        "wrk": {"threads": THREADS, "connections": CONNECTIONS, "duration": DURATION},
        "warmup_s": WARMUP,
        "rows": rows,
        "profile": profile(backend, body, token),
    }


def profile(backend: Backend, body: str, token: str) -> dict[str, Any]:
    """The app under pyinstrument (one process) while wrk loads it."""
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
        wrk(server.url, body, token, WARMUP)
        server.process.send_signal(signal.SIGUSR1)
        result = wrk(server.url, body, token)
        server.process.send_signal(signal.SIGUSR2)
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    summary = summarise(out)
    summary["rps_under_profiler"] = result["rps"]
    summary["session"] = str(out.relative_to(ROOT))
    return summary

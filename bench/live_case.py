"""(l) Live stats: 1,000 subscriptions while a dialer writes, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.live_case --backend sqlite
    .venv/bin/python -m bench.live_case --backend postgresql
    .venv/bin/python -m bench.live_case          # both, then bench/.data/results/live.md

Data: a data set of its own (`audience-stats generate --workspaces=1 --campaigns=52
--audience=70000 --seed=1 --big-campaign=10000 --big-campaign=10000`, loaded with
`audience-stats load` through bench/data.py, cached under bench/.data/ and, on PostgreSQL, in
the database audience_stats_bench_live). Campaign 1 (10,000 contacts) is the busy campaign,
campaign 2 (10,000) the quiet probe campaign, campaigns 3 … 52 (1,000 each) the spread.
Every scenario runs on a fresh copy (a copied file; CREATE DATABASE … TEMPLATE).

Each scenario serves the app in one process (bench/live_server.py: `audience-stats serve`
plus a statement counter) and opens, over loopback:

- the load: 1,000 graphql-transport-ws `audienceStats` subscriptions, 100 connections of 10,
  half unfiltered and half with `status: [INQUEUE, COMPLETED]`, from a client process of
  its own (this module, --role subscribers), which stops by itself after a bounded time;
- the probes: 10 connections of one unfiltered subscription of the probe campaign, in this
  process.

Then 10 s with no writer but the probes (idle), then ~30 s of writes: scenario *one
campaign* points the load at campaign 1 while `audience-stats simulate --campaign 1 --rate
50 --seconds 30` dials it (two record writes a call: ~100 writes/s); scenario *50
campaigns* spreads the load over campaigns 3 … 52 (20 subscriptions each) while one process
(--role dialers) runs app.simulate's dialer on each of them at 1 call/s (again ~100 record
writes/s in all, two transactions a call, plain SQL).

Measured:

1. Statements per change: the server counts the aggregate statements (SELECT … GROUP BY)
   it runs and, per live tick that recomputed anything, the topics, the distinct (workspace,
   filter, dimensions) among them and the aggregates run during it: one statement per
   distinct filter is the design.
2. Latency from commit to push: every 1 to 2 s (uniform, so commits fall at every phase of
   the 1 s tick) this process adds 1 to one record's duration in the probe campaign, takes
   the time right after COMMIT returns, and the probe client takes the time each probe
   subscription receives a value that includes that write; both times are CLOCK_MONOTONIC of
   this process. p50 and p99 over all (probe, probe subscription) pairs.
3. CPU (utime + stime from /proc/<pid>/stat over each phase, as % of one core) of every
   process of the machine, sampled every 0.5 s and grouped: the server, the load client,
   the dialer, the database's processes, and other work on the machine (which the numbers
   then share the cores with); the server's memory: VmRSS after start-up, after
   subscribing, when the writes begin and at the end, and VmHWM (the peak).
4. After the writes, every subscription's last value equals the same stats asked over HTTP.

On PostgreSQL also (5): pgbench with 8 writers updating one record of campaign 1 per
transaction (bench/writes_case.py's "moving" script and functions), 10 s a run, 3 rounds of
three modes in turn: *signal on* (triggers on; an `audience-stats serve` compacting and
NOTIFYing every second, with 10 subscriptions of campaign 1 open), *no server* (triggers on,
nobody compacts or notifies) and *no triggers* (the rollup triggers disabled: (h)'s
baseline). Pending deltas are folded and a CHECKPOINT taken before every run.

The machine has 2 cores: server, load client, probe client, writers and the database share
them, so the numbers are those of a crowded machine.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import websockets
from sqlalchemy import make_url
from websockets.typing import Subprotocol

from app import rollups, simulate
from app.db import create_engine
from bench import writes_case
from bench.client import STATS, STATS_FIELDS, over_http
from bench.data import (
    DATA,
    Dataset,
    Spec,
    create_postgres,
    drop_postgres,
    postgres_dsn,
    postgres_url,
    prepare,
    prepare_postgres,
    sqlite_url,
)
from bench.server import BIN, LOGS, ROOT, app_command, free_port, running

SPEC = Spec(workspaces=1, campaigns=52, audience=70_000, seed=1, big_campaigns=(10_000, 10_000))
BUSY = 1
PROBE = 2
SPREAD = tuple(range(3, 53))
CONNECTIONS = 100
PER_CONNECTION = 10
PROBES = 10  # probe subscriptions, a connection each
FILTERS: tuple[dict[str, Any] | None, ...] = (None, {"status": ["INQUEUE", "COMPLETED"]})
RATE = 50.0  # calls a second in all; a call is two record writes
SECONDS = 30.0  # of writes
IDLE_SECONDS = 10.0  # subscriptions and probes, no writer
SETTLE_SECONDS = 4.0  # after the writes: the last compaction, tick and pushes
PROBE_GAP = (1.0, 2.0)  # seconds between probe writes, uniform
QUIET_SECONDS = 3.0  # no probe in the last seconds of the idle phase
SAMPLE_SECONDS = 0.5  # CPU of every process
READY_SECONDS = 180.0  # for the load's first values
CLIENT_SECONDS = 300.0  # the load client stops by itself after this, whatever happens
# One token holds the 100 + 10 connections (default 50 per token and process); 10
# subscriptions a connection are within the default 100.
ENV = {"AUDIENCE_STATS_CONNECTIONS_PER_TOKEN": "200"}
PROTOCOL = Subprotocol("graphql-transport-ws")
SUBSCRIPTION = f"""subscription Live($campaignId: Int!, $filter: AudienceFilter) {{
  audienceStats(campaignId: $campaignId, filter: $filter) {{ {STATS_FIELDS} }}
}}"""
# (5) writer throughput, PostgreSQL
WRITERS = writes_case.WRITERS
RUN_SECONDS = writes_case.SECONDS
ROUNDS = writes_case.ROUNDS
WARMUP_SECONDS = writes_case.WARMUP_SECONDS
MODES = ("signal on", "no server", "no triggers")
H_RATIO, H_TARGET = 0.65, writes_case.TARGET  # (h): rollup / no rollup, measured and target

HERE = DATA / "live"
RESULTS = DATA / "results"
MARKDOWN = RESULTS / "live.md"
LIVE_URL = postgres_url("live")  # the loaded data set, kept as the template of the copies
RUN_URL = postgres_url("live_run")
WRITES_URL = postgres_url("live_writes")
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    campaigns: tuple[int, ...]  # the load's subscriptions go round these

    def plan(self) -> list[list[tuple[int, int]]]:
        """(campaign, filter index) of each subscription, by connection: each campaign gets
        as many subscriptions of every filter."""
        count = len(self.campaigns)
        return [
            [
                (self.campaigns[k % count], (k // count) % len(FILTERS))
                for k in range(c * PER_CONNECTION, (c + 1) * PER_CONNECTION)
            ]
            for c in range(CONNECTIONS)
        ]


SCENARIOS = (Scenario("one campaign", (BUSY,)), Scenario("50 campaigns", SPREAD))


# --- graphql-transport-ws


def _subscribe(id_: str, campaign_id: int, audience_filter: dict[str, Any] | None) -> str:
    variables = {"campaignId": campaign_id, "filter": audience_filter}
    payload = {"query": SUBSCRIPTION, "variables": variables}
    return json.dumps({"id": id_, "type": "subscribe", "payload": payload})


async def _stream(
    url: str,
    token: str,
    subscriptions: Sequence[tuple[int, int]],
    received: list[list[tuple[float, dict[str, Any]]]],
    errors: list[Any],
    ready: asyncio.Event | None = None,
) -> None:
    """One connection: subscribe, then append (receive time, value) to received[i] for the
    i-th subscription, until cancelled or closed; ready is set once each has a value."""
    async with websockets.connect(url, subprotocols=[PROTOCOL], open_timeout=60) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), 60))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"not acknowledged: {ack}")
        for index, (campaign_id, filter_index) in enumerate(subscriptions):
            await socket.send(_subscribe(str(index), campaign_id, FILTERS[filter_index]))
        async for raw in socket:
            at = time.monotonic()
            message = json.loads(raw)
            if message["type"] == "next" and not message["payload"].get("errors"):
                received[int(message["id"])].append((at, message["payload"]["data"]))
                if ready is not None and not ready.is_set() and all(received):
                    ready.set()
            elif message["type"] == "ping":
                await socket.send(json.dumps({"type": "pong"}))
            else:
                errors.append(message)


async def _watchers(
    url: str, token: str, campaign_id: int, received: list[list[tuple[float, dict[str, Any]]]]
) -> list[asyncio.Task[None]]:
    """One unfiltered subscription of the campaign per connection, a connection for each
    list of received; returns their tasks once each has its first value."""
    readies = [asyncio.Event() for _ in received]
    errors: list[Any] = []
    tasks = [
        asyncio.create_task(_stream(url, token, [(campaign_id, 0)], [got], errors, ready))
        for got, ready in zip(received, readies, strict=True)
    ]
    started: asyncio.Future[Any] = asyncio.ensure_future(
        asyncio.gather(*(ready.wait() for ready in readies))
    )
    waited: list[asyncio.Future[Any]] = [started, *tasks]
    await asyncio.wait(waited, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if not started.done() or errors:
        for task in waited:
            task.cancel()
        failed = [repr(t.exception()) for t in tasks if t.done() and not t.cancelled()]
        raise RuntimeError(f"subscriptions of campaign {campaign_id} failed: {failed, errors}")
    return tasks


# --- the load client (a process of its own)


async def _subscribers(config: dict[str, Any]) -> None:
    """Open the plan's subscriptions; print `ready` once each has its first value, then
    `result {…}` when SIGTERM comes or config["seconds"] have passed."""
    plan: list[list[tuple[int, int]]] = [[tuple(s) for s in c] for c in config["plan"]]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.call_later(config["seconds"], stop.set)
    received: list[list[list[tuple[float, dict[str, Any]]]]] = [
        [[] for _ in subscriptions] for subscriptions in plan
    ]
    errors: list[Any] = []
    tasks = [
        asyncio.create_task(_stream(config["url"], config["token"], subs, got, errors))
        for subs, got in zip(plan, received, strict=True)
    ]
    total = sum(len(subscriptions) for subscriptions in plan)
    ready_at = None
    while not stop.is_set():
        if ready_at is None and all(got for by_conn in received for got in by_conn):
            ready_at = time.monotonic()
            print("ready", flush=True)
        failed = [t for t in tasks if t.done()]
        if failed:
            errors.extend(repr(t.exception() or "closed") for t in failed)
            break
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    flat = [
        (campaign_id, filter_index, got)
        for subscriptions, by_conn in zip(plan, received, strict=True)
        for (campaign_id, filter_index), got in zip(subscriptions, by_conn, strict=True)
    ]
    pushes = [len(got) - 1 for _, _, got in flat if got]
    later = sorted(at for _, _, got in flat for at, _ in got[1:])
    result = {
        "connections": len(plan),
        "subscriptions": total,
        "first_values": len(pushes),
        "ready_at": ready_at,
        "pushes": sum(pushes),
        "pushes_per_subscription": _spread(pushes),
        "errors": len(errors),
        "first_errors": [str(e)[:300] for e in errors[:5]],
        "last": [
            [campaign_id, filter_index, got[-1][1]["audienceStats"] if got else None]
            for campaign_id, filter_index, got in flat
        ],
        "waves": _waves(later),
    }
    print("result " + json.dumps(result), flush=True)


def _waves(times: list[float], gap: float = 0.25) -> list[tuple[float, int, float]]:
    """Pushes received close together, as (first receive time, count, seconds from the
    first to the last): what one tick sends."""
    waves: list[tuple[float, int, float]] = []
    start = previous = None
    count = 0
    for at in times:
        if previous is not None and at - previous > gap:
            assert start is not None
            waves.append((start, count, previous - start))
            start, count = None, 0
        if start is None:
            start = at
        count += 1
        previous = at
    if start is not None and previous is not None:
        waves.append((start, count, previous - start))
    return waves


def _spread(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


# --- the 50-campaign writer (a process of its own)


async def _dialers(config: dict[str, Any]) -> None:
    """app.simulate's dialer on each campaign at once, their starts spread over a second;
    prints `result {…}` with the calls, as `audience-stats simulate` does per campaign."""
    engine = create_engine(config["url"])
    campaigns: list[int] = config["campaigns"]
    stops = [asyncio.Event() for _ in campaigns]
    loop = asyncio.get_running_loop()
    for stop in stops:
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    started = time.monotonic()

    async def dial(index: int, campaign_id: int) -> simulate.Tally:
        await asyncio.sleep(index / len(campaigns))
        return await simulate.simulate(
            engine,
            campaign_id,
            rate=config["rate"],
            seconds=config["seconds"],
            seed=campaign_id,
            stop=stops[index],
        )

    try:
        tallies = await asyncio.gather(*(dial(i, c) for i, c in enumerate(campaigns)))
    finally:
        await engine.dispose()
    result = {
        "campaigns": len(campaigns),
        "started": sum(t.started for t in tallies),
        "ended": sum(t.ended for t in tallies),
        "exhausted": sum(t.exhausted for t in tallies),
        "seconds": time.monotonic() - started,
    }
    print("result " + json.dumps(result), flush=True)


# --- processes: CPU and memory from /proc


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK  # utime, stime


def _memory_kib(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    found = dict(line.split(":", 1) for line in status)
    return {key: int(found[key].split()[0]) for key in ("VmRSS", "VmHWM")}


def _machine_busy() -> tuple[float, float]:
    """(busy, total) clock ticks of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # up to steal; guest time is counted in user already
    return total - idle, total


@dataclass(slots=True)
class Snapshot:
    at: float
    cpu: dict[str, float]  # CPU seconds by role, since the sampler began
    machine: tuple[float, float]


class Sampler:
    """CPU time of every process of the machine, by role: the bench's own processes, the
    bench's database backends (those connected to `database`), PostgreSQL's other
    processes, and everything else by command, so that other work on the machine shows.
    Sampled every SAMPLE_SECONDS (a process that ends loses at most that much) and at each
    snapshot."""

    def __init__(self, database: str | None) -> None:
        self.roles: dict[int, str] = {}
        self._database = database
        self._seen: dict[int, float] = {}
        self._labels: dict[int, str] = {}
        self._totals: defaultdict[str, float] = defaultdict(float)
        self._started = False

    def _label(self, pid: int) -> str:
        if pid in self.roles:
            return self.roles[pid]
        if pid not in self._labels:
            try:
                words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                words = []
            command = " ".join(w.decode(errors="replace") for w in words if w)
            program = Path(command.split(maxsplit=1)[0]).name if command else ""
            if not command:
                label = "kernel threads"
            elif program == "pgbench":  # Debian's wrapper runs the versioned binary
                label = "pgbench"
            elif program.startswith("postgres"):
                mine = self._database is not None and f" {self._database} " in command
                label = "database" if mine else "PostgreSQL, other"
            else:
                label = "other: " + " ".join(Path(w).name for w in command.split()[:3])[:60]
            self._labels[pid] = label
        return self._labels[pid]

    def sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            try:
                cpu = _cpu_seconds(pid)
            except OSError:
                continue
            before = self._seen.get(pid, 0.0 if self._started else cpu)
            self._seen[pid] = cpu
            if cpu > before:
                self._totals[self._label(pid)] += cpu - before
        self._started = True

    def snapshot(self) -> Snapshot:
        self.sample()
        return Snapshot(time.monotonic(), dict(self._totals), _machine_busy())

    async def run(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_SECONDS)
            self.sample()


def _usage(first: Snapshot, last: Snapshot) -> dict[str, Any]:
    """CPU between two snapshots, as % of one core: by role, the other work on the machine
    (its three largest commands too), and the machine's (all cores, kernel included)."""
    wall = last.at - first.at
    used = defaultdict(float, {k: v - first.cpu.get(k, 0.0) for k, v in last.cpu.items()})
    found: dict[str, Any] = {
        role: 100 * used[role] / wall
        for role in (
            "server",
            "load client",
            "bench",
            "dialer",
            "pgbench",
            "database",
            "PostgreSQL, other",
            "kernel threads",
        )
    }
    others = {k: v for k, v in used.items() if k.startswith("other: ") and v > 0}
    found["other work"] = 100 * sum(others.values()) / wall
    largest = sorted(others.items(), key=lambda item: -item[1])[:3]
    found["other work, largest"] = {k[7:]: 100 * v / wall for k, v in largest}
    busy = last.machine[0] - first.machine[0]
    total = last.machine[1] - first.machine[1]
    found["machine"] = 100 * (os.cpu_count() or 1) * busy / total if total else 0.0
    found["seconds"] = wall
    return found


# --- the probes


@dataclass(slots=True)
class Probes:
    """Probe writes on the quiet campaign and the pushes they cause."""

    commits: list[tuple[str, float]]  # (phase, commit time)
    received: list[list[tuple[float, dict[str, Any]]]]  # by probe subscription
    base: int = 0  # the probe campaign's total duration before the first probe

    def latencies(self, phase: str) -> tuple[list[float], int]:
        """Seconds from each probe's commit to each probe subscription's first value that
        includes it; and how many (probe, subscription) pairs saw no such value."""
        found: list[float] = []
        missed = 0
        for number, (label, committed) in enumerate(self.commits, start=1):
            if label != phase:
                continue
            for pushes in self.received:
                at = next(
                    (
                        at
                        for at, data in pushes
                        if int(data["audienceStats"]["totalDuration"]) >= self.base + number
                    ),
                    None,
                )
                if at is None:
                    missed += 1
                else:
                    found.append(at - committed)
        return found, missed


class ProbeWriter:
    """Adds 1 to the duration of one record of the probe campaign, a transaction each time;
    returns the time right after COMMIT returns."""

    def __init__(self, backend: str, url: str) -> None:
        self._backend = backend
        self._url = url
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: asyncpg.Connection | None = None
        self._record = 0

    async def open(self) -> None:
        query = "SELECT min(id) FROM campaign_audience WHERE campaign_id = "
        if self._backend == "sqlite":
            path = self._url.split("///", 1)[1]
            self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._sqlite.execute("PRAGMA busy_timeout = 10000")
            self._record = self._sqlite.execute(query + "?", (PROBE,)).fetchone()[0]
        else:
            self._postgres = await asyncpg.connect(postgres_dsn(self._url))
            self._record = await self._postgres.fetchval(query + "$1", PROBE)

    async def write(self) -> float:
        update = "UPDATE campaign_audience SET duration = duration + 1 WHERE id = "
        if self._sqlite is not None:
            conn = self._sqlite

            def commit() -> float:
                conn.execute(update + "?", (self._record,))  # autocommit: COMMIT at return
                return time.monotonic()

            return await asyncio.to_thread(commit)
        assert self._postgres is not None
        await self._postgres.execute(update + "$1", self._record)  # autocommit
        return time.monotonic()

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._postgres is not None:
            await self._postgres.close()


async def _probe_until(
    writer: ProbeWriter, probes: Probes, phase: str, done: asyncio.Future[Any] | float
) -> None:
    """Probe writes with random gaps until `done` (a time, or a future) comes."""
    rng = random.Random(len(probes.commits))  # noqa: S311 (timing jitter, not a secret)
    while True:
        gap = rng.uniform(*PROBE_GAP)
        if isinstance(done, float):
            if time.monotonic() + gap > done:
                await asyncio.sleep(max(0.0, done - time.monotonic()))
                return
            await asyncio.sleep(gap)
        else:
            with suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(done), gap)
            if done.done():
                return
        probes.commits.append((phase, await writer.write()))


# --- one scenario


class Counts:
    """The server's counter file (bench/live_server.py)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def after(self, moment: float) -> dict[str, Any]:
        """The counts as written after that moment."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with suppress(OSError, ValueError):
                record: dict[str, Any] = json.loads(self.path.read_text())
                if record["written_at"] > moment:
                    return record
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the server wrote no counts to {self.path}")


def _statements(
    first: dict[str, Any], last: dict[str, Any], since: float, until: float
) -> dict[str, Any]:
    """What the server ran between two count records, and its ticks that started between
    since and until."""
    ran = Counter(last["statements"])
    ran.subtract(first["statements"])
    ticks = [t for t in last["ticks"] if since <= t["at"] < until]
    aggregates = sum(t["aggregates"] for t in ticks)
    filters = sum(t["filters"] for t in ticks)
    return {
        "statements": {k: v for k, v in sorted(ran.items()) if v},
        "ticks_with_change": len(ticks),
        "aggregates_in_ticks": aggregates,
        "aggregates_outside_ticks": ran["aggregate"] - aggregates,
        "distinct_filters_in_ticks": filters,
        "ticks_off_by_filters": sum(t["aggregates"] != t["filters"] for t in ticks),
        "aggregates_per_tick": dict(Counter(t["aggregates"] for t in ticks)),
        "topics_per_tick": _spread([t["topics"] for t in ticks]),
        "campaigns_per_tick": _spread([t["campaigns"] for t in ticks]),
        "tick_ms": _spread([1000 * t["seconds"] for t in ticks]),
        "aggregate_ms": _spread([1000 * a for t in ticks for a in t["aggregate_seconds"]]),
    }


def _percentiles(samples: list[float]) -> dict[str, Any]:
    if not samples:
        return {"samples": 0}
    ordered = sorted(samples)

    def at(share: float) -> float:  # nearest rank
        return 1000 * ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]

    return {
        "samples": len(ordered),
        "p50_ms": at(0.5),
        "p99_ms": at(0.99),
        "min_ms": 1000 * ordered[0],
        "max_ms": 1000 * ordered[-1],
    }


@asynccontextmanager
async def _database(backend: str, dataset: Dataset) -> AsyncIterator[str]:
    """A fresh copy of the loaded data set for one scenario: its URL."""
    if backend == "postgresql":
        await create_postgres(RUN_URL, template=LIVE_URL)
        try:
            yield RUN_URL
        finally:
            await drop_postgres(RUN_URL)
        return
    HERE.mkdir(parents=True, exist_ok=True)
    copy = HERE / "live.db"
    for stale in HERE.glob("live.db*"):
        stale.unlink()
    shutil.copyfile(dataset.sqlite_path, copy)
    try:
        yield sqlite_url(copy)
    finally:
        for stale in HERE.glob("live.db*"):
            stale.unlink()


def _writer_command(scenario: Scenario, url: str) -> list[str]:
    if scenario.campaigns == (BUSY,):
        return [
            str(BIN / "audience-stats"),
            "simulate",
            f"--campaign={BUSY}",
            f"--rate={RATE:g}",
            f"--seconds={SECONDS:g}",
            "--seed=1",
        ]
    config: dict[str, Any] = {"url": url, "campaigns": list(scenario.campaigns)}
    config |= {"rate": RATE / len(scenario.campaigns), "seconds": SECONDS}
    return [
        sys.executable,
        "-m",
        "bench.live_case",
        "--role=dialers",
        "--config",
        json.dumps(config),
    ]


def _writer_tally(log: str) -> dict[str, Any]:
    """Calls started and ended, from the writer's last line."""
    if (found := re.search(r"^result (.*)$", log, re.MULTILINE)) is not None:
        return dict(json.loads(found.group(1)))
    pattern = r"(\d[\d,]*) calls? started and (\d[\d,]*) ended in ([\d.]+) s"
    if (found := re.search(pattern, log)) is None:
        raise RuntimeError(f"no tally in the writer's output: {log[-500:]}")
    return {
        "campaigns": 1,
        "started": int(found.group(1).replace(",", "")),
        "ended": int(found.group(2).replace(",", "")),
        "seconds": float(found.group(3)),
    }


async def _read_line(stream: asyncio.StreamReader, prefix: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while True:
        line = await asyncio.wait_for(stream.readline(), max(0.1, deadline - time.monotonic()))
        if not line:
            raise RuntimeError(f"the client ended before {prefix!r}")
        text = line.decode().rstrip("\n")
        if text.startswith(prefix):
            return text[len(prefix) :].strip()


@asynccontextmanager
async def _load_client(
    ws_url: str, token: str, scenario: Scenario, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The load's client process, killed if the block fails before it stops."""
    config: dict[str, Any] = {"url": ws_url, "token": token, "plan": scenario.plan()}
    config |= {"seconds": CLIENT_SECONDS}
    with log.open("wb") as errors:
        client = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.live_case",
            "--role=subscribers",
            "--config",
            json.dumps(config),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            limit=2**24,  # the result is one long line
        )
        try:
            yield client
        finally:
            if client.returncode is None:
                client.kill()
                await client.wait()


@dataclass(slots=True)
class Dialer:
    """The writer process, reaped by os.wait4 for its CPU time (rusage)."""

    process: subprocess.Popen[bytes]
    reaped: asyncio.Future[tuple[int, int, Any]]
    log: Path

    @classmethod
    def start(cls, command: list[str], url: str, log: Path) -> Dialer:
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 (our own command; reaped below)
                command,
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return cls(process, asyncio.ensure_future(asyncio.to_thread(os.wait4, process.pid, 0)), log)

    async def finished(self) -> tuple[dict[str, Any], float]:
        """Its tally and CPU seconds, once it has ended by itself."""
        _pid, status, rusage = await self.reaped
        self.process.returncode = os.waitstatus_to_exitcode(status)
        output = self.log.read_text()
        if self.process.returncode != 0:
            raise RuntimeError(f"the writer failed: {output[-2000:]}")
        return _writer_tally(output), rusage.ru_utime + rusage.ru_stime

    async def stop(self) -> None:
        if not self.reaped.done():
            self.process.kill()
            await asyncio.gather(self.reaped, return_exceptions=True)


async def _scenario(backend: str, url: str, dataset: Dataset, scenario: Scenario) -> dict[str, Any]:
    token = dataset.tokens[dataset.campaign(PROBE).workspace_id]
    name = f"{backend}-live-{scenario.name.replace(' ', '-')}"
    counts = Counts(HERE / f"{name}.counts.json")
    counts.path.unlink(missing_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "bench.live_server", f"--port={port}"]
    command.append(f"--out={counts.path}")
    env = {"DATABASE_URL": url, **ENV}
    ws_url = f"ws://127.0.0.1:{port}/graphql"
    probes = Probes([], [[] for _ in range(PROBES)])
    LOGS.mkdir(parents=True, exist_ok=True)
    writer = ProbeWriter(backend, url)
    await writer.open()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(writer.close)
        server = stack.enter_context(running(command, env, name, port))
        pid = server.process.pid
        memory = {"after start-up": _memory_kib(pid)["VmRSS"]}
        probe_tasks = await _watchers(ws_url, token, PROBE, probes.received)
        stack.push_async_callback(_cancel, probe_tasks)
        probes.base = int(probes.received[0][0][1]["audienceStats"]["totalDuration"])
        log = LOGS / f"{name}-subscribers.log"
        client = await stack.enter_async_context(_load_client(ws_url, token, scenario, log))
        assert client.stdout is not None
        subscribing = time.monotonic()
        await _read_line(client.stdout, "ready", READY_SECONDS)
        subscribed_s = time.monotonic() - subscribing
        memory["with the subscriptions"] = _memory_kib(pid)["VmRSS"]
        await asyncio.sleep(2)  # the first values' work ends
        database = make_url(url).database if backend == "postgresql" else None
        sampler = Sampler(database)
        sampler.roles = {pid: "server", client.pid: "load client", os.getpid(): "bench"}
        sampler.sample()
        stack.push_async_callback(_cancel, [asyncio.create_task(sampler.run())])

        print(f"  {scenario.name}: idle {IDLE_SECONDS:g} s", flush=True)
        idle_from = sampler.snapshot()
        idle_counts = await counts.after(idle_from.at)
        # The last idle probe early enough that its pushes come within the phase.
        await _probe_until(writer, probes, "idle", idle_from.at + IDLE_SECONDS - QUIET_SECONDS)
        await asyncio.sleep(max(0.0, idle_from.at + IDLE_SECONDS - time.monotonic()))
        idle_to = sampler.snapshot()

        print(f"  {scenario.name}: writing {SECONDS:g} s", flush=True)
        dialer = Dialer.start(_writer_command(scenario, url), url, LOGS / f"{name}-writer.log")
        stack.push_async_callback(dialer.stop)
        sampler.roles[dialer.process.pid] = "dialer"
        memory["when the writes begin"] = _memory_kib(pid)["VmRSS"]
        writing_from = sampler.snapshot()
        writing_counts = await counts.after(writing_from.at)
        await _probe_until(writer, probes, "writing", dialer.reaped)
        writing_to = sampler.snapshot()
        tally, dialer_cpu = await dialer.finished()
        await asyncio.sleep(SETTLE_SECONDS)
        settled = time.monotonic()
        final_counts = await counts.after(settled)
        memory_end = _memory_kib(pid)

        client.send_signal(signal.SIGTERM)
        load = json.loads(await _read_line(client.stdout, "result", 120))
        await client.wait()
        # The load's last values against the same stats over HTTP.
        agree = await _agreement(server.url, token, load.pop("last"))
    writes = tally["started"] + tally["ended"]
    writing_seconds = writing_to.at - writing_from.at
    load_waves = [w for w in load.pop("waves") if w[0] >= writing_from.at]
    idle_latency, idle_missed = probes.latencies("idle")
    latency, missed = probes.latencies("writing")
    return {
        "scenario": scenario.name,
        "campaigns": list(scenario.campaigns),
        "filters": [f or {} for f in FILTERS],
        "subscribed_seconds": subscribed_s,
        "load": load,
        "writer": {
            "command": " ".join(_writer_command(scenario, "URL"))
            .replace(str(BIN) + "/", "")
            .replace(sys.executable, "python"),
            **tally,
            "record_writes": writes,
            "record_writes_per_s": writes / tally["seconds"],
            "cpu_percent": 100 * dialer_cpu / max(writing_seconds, tally["seconds"]),
        },
        "idle": {
            "cpu_percent": _usage(idle_from, idle_to),
            "work": _statements(idle_counts, writing_counts, idle_from.at, writing_from.at),
            "latency": _percentiles(idle_latency) | {"missed": idle_missed},
        },
        "writing": {
            "cpu_percent": _usage(writing_from, writing_to),
            "work": _statements(writing_counts, final_counts, writing_from.at, settled),
            "latency": _percentiles(latency) | {"missed": missed},
            "waves": {
                "count": len(load_waves),
                "pushes": _spread([w[1] for w in load_waves]),
                "spread_ms": _spread([1000 * w[2] for w in load_waves]),
            },
        },
        "probes": len(probes.commits),
        "memory_kib": memory
        | {"VmRSS at the end": memory_end["VmRSS"], "VmHWM (peak)": memory_end["VmHWM"]},
        "agree_with_http": agree,
    }


async def _cancel(tasks: Sequence[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _agreement(base_url: str, token: str, last: list[Any]) -> dict[str, int]:
    """How many subscriptions' last values equal the stats asked over HTTP now."""
    now: dict[tuple[int, int], dict[str, Any]] = {}
    async with over_http(base_url, token) as graphql:
        for campaign_id, filter_index in sorted({(c, f) for c, f, _ in last}):
            data = await graphql(STATS, campaignId=campaign_id, filter=FILTERS[filter_index])
            now[(campaign_id, filter_index)] = data["campaignAudienceStats"]
    equal = sum(value == now[(c, f)] for c, f, value in last)
    return {"subscriptions": len(last), "equal": equal, "topics": len(now)}


# --- (5) writer throughput with the change signal on, PostgreSQL


async def _fold(url: str) -> None:
    """Fold the pending deltas into the rollup, as the server's compaction does."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await rollups.compact(connection, wait=True)
    finally:
        await engine.dispose()


async def _throughput(dataset: Dataset) -> dict[str, Any]:
    await create_postgres(WRITES_URL, template=LIVE_URL)
    HERE.mkdir(parents=True, exist_ok=True)
    script = HERE / "moving.sql"
    script.write_text(writes_case.SCRIPTS["moving"])
    conn = await asyncpg.connect(postgres_dsn(WRITES_URL))
    db = writes_case.Postgres(WRITES_URL, conn)
    token = dataset.tokens[dataset.campaign(BUSY).workspace_id]
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in MODES}
    sampler = Sampler(make_url(WRITES_URL).database)
    sampler.roles[os.getpid()] = "bench"
    sampler.sample()
    sampling = asyncio.create_task(sampler.run())
    try:
        lo, hi = await conn.fetchrow(
            "SELECT min(id), max(id) FROM campaign_audience WHERE campaign_id = $1", BUSY
        )
        print("  (5) warm-up run", flush=True)
        await writes_case._writers(WRITES_URL, script, WRITERS, WARMUP_SECONDS, lo, hi)
        for round_ in range(ROUNDS):
            for mode in MODES[round_ % len(MODES) :] + MODES[: round_ % len(MODES)]:
                await db.triggers(mode != "no triggers")
                await _fold(WRITES_URL)
                await conn.execute("CHECKPOINT")
                print(f"  (5) {mode}, round {round_ + 1}", flush=True)
                if mode == "signal on":
                    run = await _with_server(dataset, token, script, lo, hi, sampler)
                else:
                    first = sampler.snapshot()
                    run = await writes_case._writers(
                        WRITES_URL, script, WRITERS, RUN_SECONDS, lo, hi
                    )
                    run["cpu_percent"] = _usage(first, sampler.snapshot())
                run["round"] = round_ + 1
                runs[mode].append(run)
    finally:
        await _cancel([sampling])
        await conn.close()
        await drop_postgres(WRITES_URL)
    median = {mode: statistics.median(r["tps"] for r in runs[mode]) for mode in MODES}
    return {
        "campaign": {"id": BUSY, "ids": [lo, hi]},
        "writers": WRITERS,
        "seconds": RUN_SECONDS,
        "rounds": ROUNDS,
        "warmup_s": WARMUP_SECONDS,
        "script": writes_case.SCRIPTS["moving"],
        "command": " ".join(
            writes_case._pgbench(
                WRITES_URL, Path("bench/.data/live/moving.sql"), WRITERS, RUN_SECONDS, lo, hi
            )
        ),
        "runs": runs,
        "tps": median,
        "signal_on_vs_no_server": median["signal on"] / median["no server"],
        "signal_on_vs_no_triggers": median["signal on"] / median["no triggers"],
        "no_server_vs_no_triggers": median["no server"] / median["no triggers"],
        "h_ratio": H_RATIO,
        "target": H_TARGET,
    }


async def _with_server(
    dataset: Dataset, token: str, script: Path, lo: int, hi: int, sampler: Sampler
) -> dict[str, Any]:
    """One pgbench run beside `audience-stats serve` (compaction and NOTIFY every second)
    with PROBES subscriptions of the written campaign open."""
    port = free_port()
    env = {"DATABASE_URL": WRITES_URL, **ENV}
    with running(app_command(port), env, "postgresql-live-writes", port) as server:
        ws_url = f"ws://127.0.0.1:{port}/graphql"
        received: list[list[tuple[float, dict[str, Any]]]] = [[] for _ in range(PROBES)]
        tasks = await _watchers(ws_url, token, BUSY, received)
        sampler.roles[server.process.pid] = "server"
        first = sampler.snapshot()
        run = await writes_case._writers(WRITES_URL, script, WRITERS, RUN_SECONDS, lo, hi)
        run["cpu_percent"] = _usage(first, sampler.snapshot())
        run["pushes"] = sum(len(got) - 1 for got in received)
        await _cancel(tasks)
    return run


# --- running it


async def run(backend: str) -> dict[str, Any]:
    dataset = prepare(SPEC)
    if backend == "postgresql":
        if shutil.which("pgbench") is None:
            raise SystemExit("pgbench is not installed (Debian: postgresql-client)")
        await prepare_postgres(dataset, LIVE_URL)
    result: dict[str, Any] = {
        "dataset": dataset.key,
        "generate_args": SPEC.args,
        "campaigns": {"busy": BUSY, "probe": PROBE, "spread": [SPREAD[0], SPREAD[-1]]},
        "connections": CONNECTIONS,
        "per_connection": PER_CONNECTION,
        "probe_subscriptions": PROBES,
        "rate_calls_per_s": RATE,
        "seconds": SECONDS,
        "idle_seconds": IDLE_SECONDS,
        "settle_seconds": SETTLE_SECONDS,
        "probe_gap_s": list(PROBE_GAP),
        "env": ENV,
        "machine": _machine(backend),
        "source": _source(),
        "scenarios": [],
    }
    for scenario in SCENARIOS:
        async with _database(backend, dataset) as url:
            print(f"{backend}: (l) live, {scenario.name}", flush=True)
            result["scenarios"].append(await _scenario(backend, url, dataset, scenario))
    if backend == "postgresql":
        print(f"{backend}: (l) live, (5) writer throughput", flush=True)
        result["throughput"] = await _throughput(dataset)
        conn = await asyncpg.connect(postgres_dsn(LIVE_URL))
        try:
            result["machine"]["postgresql"] = await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()
    # The application's source at the end, against the start: changed meanwhile or not.
    result["source_at_end"] = _source()
    return result


def _source() -> dict[str, Any]:
    """The commit measured, and the application files changed since (uncommitted)."""

    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 (our own command)
            ["git", *args],  # noqa: S607 (git from PATH)
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    changed = git("status", "--porcelain", "--", "app").splitlines()
    head = git("rev-parse", "--short", "HEAD").strip()
    digest = hashlib.sha256()
    for path in sorted((ROOT / "app").rglob("*.py")):
        digest.update(path.read_bytes())
    found = {"head": head, "changed": [line[3:] for line in changed]}
    return found | {"app_digest": digest.hexdigest()[:12]}


def _machine(backend: str) -> dict[str, Any]:
    models = [
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    ]
    found = {"cores": os.cpu_count(), "cpu": models[0] if models else "", "python": sys.version}
    found["websockets"] = version("websockets")
    if backend == "sqlite":
        found["sqlite"] = sqlite3.sqlite_version
    return found


def save(backend: str, result: dict[str, Any], load: float) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": f".venv/bin/python -m bench.live_case --backend {backend}",
        # Other work on the machine skews timings: the 1-minute load average before and after.
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
        "result": result,
    }
    path = RESULTS / f"{backend}-live.json"
    path.write_text(json.dumps(record, indent=1, default=str))
    return path


# --- the report section


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TPS = "tps"


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def _latency(found: dict[str, Any]) -> str:
    if not found["samples"]:
        return "-"
    return f"{_ms(found['p50_ms'])} / {_ms(found['p99_ms'])}"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def _pct(value: float) -> str:
    return f"{value:.0f} %"


def _prose(text: str) -> str:
    """A paragraph written over several source lines, on one line."""
    return " ".join(text.split())


def markdown(records: dict[str, dict[str, Any]]) -> str:
    """The section for BENCHMARKS.md, from the stored results of each database."""
    lines = [
        "## (l) Live stats: 1,000 subscriptions while a dialer writes",
        "",
        _prose(f"""
        A data set of its own: `audience-stats generate OUT {" ".join(SPEC.args)}`, loaded
        with `audience-stats load` into SQLite and into `audience_stats_bench_live`; every
        scenario runs on a fresh copy. Campaign 1 (10,000 contacts) is the busy campaign,
        campaign 2 (10,000) the quiet probe campaign, campaigns 3 … 52 (1,000 each) the
        spread. One server process (`bench/live_server.py`: `audience-stats serve` plus a
        statement counter, a `before_cursor_execute` listener on SQLAlchemy's Engine, and a
        record of every live tick) with
        `AUDIENCE_STATS_CONNECTIONS_PER_TOKEN={ENV["AUDIENCE_STATS_CONNECTIONS_PER_TOKEN"]}`
        and the other settings at their defaults (`AUDIENCE_STATS_LIVE_SECONDS` and
        `AUDIENCE_STATS_COMPACT_SECONDS` 1 s). The load: 1,000 graphql-transport-ws
        `audienceStats` subscriptions, {CONNECTIONS} connections of {PER_CONNECTION}, half
        unfiltered and half `status: [INQUEUE, COMPLETED]`, from a client process of their own
        (one token). *One campaign*: all of them on campaign 1 while `audience-stats simulate
        --campaign 1 --rate {RATE:g} --seconds {SECONDS:g}` dials it (two record writes a
        call). *50 campaigns*: 20 on each of campaigns 3 … 52 (10 per filter) while one
        process runs app.simulate's dialer on each of them at {RATE / len(SPREAD):g} call/s.
        First {IDLE_SECONDS:g} s with no dialer (*idle*), then the writes (*writing*), then
        {SETTLE_SECONDS:g} s for the last pushes.
        """),
        "",
        _prose(f"""
        *Statements*: the aggregate statements (those with `GROUP BY`: the stats statement)
        the server ran during the live ticks that recomputed something (*ticks with a
        change*), against the distinct (workspace, filter) of the topics each tick recomputed;
        *outside* counts aggregates run at any other moment of the phase. *Latency*: every
        {PROBE_GAP[0]:g} to {PROBE_GAP[1]:g} s (uniform) the bench adds 1 to a record's
        duration in campaign 2, a transaction of its own, and takes CLOCK_MONOTONIC right
        after COMMIT returns; {PROBES} unfiltered subscriptions of campaign 2 (a connection
        each, in the bench process) take the same clock when a value that includes the write
        arrives; p50 / p99 (nearest rank) over all (probe, subscription) pairs. *Waves*: the
        load's pushes of one tick as its client received them (each within 250 ms of the one
        before); spread is first to last. CPU is utime + stime from `/proc/<pid>/stat` over
        the phase, in % of one core (the machine's is all its cores: 200 % is both busy). RSS
        is VmRSS after start-up, VmRSS with the subscriptions open, and VmHWM (the peak) at the
        end. *= HTTP*: the subscriptions whose last value equals `campaignAudienceStats` asked
        over HTTP after the writes. The machine has 2 cores, shared by the server, the load
        client, the probes, the dialer and the database.
        """),
        "",
        "| database | scenario | record writes/s | ticks with a change | aggregates in ticks"
        " (outside) | aggregates per changed tick | distinct filters per changed tick | ticks"
        " where aggregates ≠ filters | topics per tick | aggregate ms, median / max | pushes"
        " to the load | = HTTP |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for backend, record in records.items():
        for s in record["result"]["scenarios"]:
            work = s["writing"]["work"]
            ticks = work["ticks_with_change"]
            per_tick = work["aggregates_in_ticks"] / ticks if ticks else 0
            filters = work["distinct_filters_in_ticks"] / ticks if ticks else 0
            topics, aggregate = work["topics_per_tick"], work["aggregate_ms"]
            agree = s["agree_with_http"]
            lines.append(
                f"| {NAMES[backend]} | {s['scenario']} | {s['writer']['record_writes_per_s']:.0f}"
                f" | {ticks} | {work['aggregates_in_ticks']} ({work['aggregates_outside_ticks']})"
                f" | {per_tick:.2f} | {filters:.2f} | {work['ticks_off_by_filters']}"
                f" | {topics.get('min', 0):g} … {topics.get('max', 0):g}"
                f" | {_ms(aggregate.get('median', 0))} / {_ms(aggregate.get('max', 0))}"
                f" | {s['load']['pushes']:,} | {agree['equal']:,} / {agree['subscriptions']:,} |"
            )
    lines += [
        "",
        "| database | scenario | (probe, subscription) pairs, writing | commit → push p50 / p99"
        " ms, writing | idle | waves: pushes, median; spread ms, median / max | tick ms,"
        " median / max | server CPU idle / writing | load client | dialer | database | other"
        " work | machine | server RSS MiB: start-up / subscribed / peak |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for backend, record in records.items():
        for s in record["result"]["scenarios"]:
            writing, idle = s["writing"], s["idle"]
            lat, idle_lat = writing["latency"], idle["latency"]
            tick, waves = writing["work"]["tick_ms"], writing["waves"]
            cpu, memory = writing["cpu_percent"], s["memory_kib"]
            missed = f", {lat['missed']} missed" if lat["missed"] else ""
            lines.append(
                f"| {NAMES[backend]} | {s['scenario']} | {lat['samples']}{missed}"
                f" | {_latency(lat)} | {_latency(idle_lat)}"
                f" | {waves['pushes'].get('median', 0):g};"
                f" {_ms(waves['spread_ms'].get('median', 0))}"
                f" / {_ms(waves['spread_ms'].get('max', 0))}"
                f" | {_ms(tick['median'])} / {_ms(tick['max'])}"
                f" | {_pct(idle['cpu_percent']['server'])} / {_pct(cpu['server'])}"
                f" | {_pct(cpu['load client'])} | {_pct(s['writer']['cpu_percent'])}"
                f" | {_pct(cpu['database'] + cpu['PostgreSQL, other'])}"
                f" | {_pct(cpu['other work'])} | {_pct(cpu['machine'])}"
                f" | {_mib(memory['after start-up'])} / {_mib(memory['with the subscriptions'])}"
                f" / {_mib(memory['VmHWM (peak)'])} |"
            )
    lines += [
        "",
        _prose("""
        *Tick ms* runs from the tick's start to its return, which comes after the pushes it
        queued (they run before the tick's task resumes), so it is mostly the fan-out;
        *aggregate ms* is the statement alone (cursor execute). CPU by process, sampled from
        `/proc` every 0.5 s while writing: *database* is PostgreSQL's processes (SQLite runs
        inside the server and the dialer), *other work* every process that is neither this
        bench's nor the database's nor a kernel thread (other work on the shared machine).
        Every statement the server ran while writing, per second of the phase (verb and first
        table), and the largest other work:
        """),
        "",
    ]
    for backend, record in records.items():
        for s in record["result"]["scenarios"]:
            seconds = s["writing"]["cpu_percent"]["seconds"]
            ran = s["writing"]["work"]["statements"]
            mix = ", ".join(
                f"`{kind}` {count / seconds:.1f}"
                for kind, count in sorted(ran.items(), key=lambda item: -item[1])
            )
            others = s["writing"]["cpu_percent"]["other work, largest"]
            other = "; ".join(f"`{k}` {_pct(v)}" for k, v in others.items() if v >= 1)
            memory = s["memory_kib"]
            grown = memory["VmRSS at the end"] - memory["when the writes begin"]
            per_push = grown / s["load"]["pushes"] if s["load"]["pushes"] else 0
            lines.append(
                f"- {NAMES[backend]}, {s['scenario']}: {mix}. Other work: {other or 'none'}."
                f" Server RSS {grown / 1024:+.0f} MiB from the start of the writes to the end"
                f" ({per_push:.2f} KiB per push to the load)."
            )
    lines.append("")
    for backend, record in records.items():
        source = record["result"].get("source", {})
        changed = source.get("changed", [])
        tree = f"HEAD {source.get('head', '?')}" + (
            f" with uncommitted changes in {', '.join(changed)}" if changed else ""
        )
        end = record["result"].get("source_at_end", source)
        if end.get("app_digest") != source.get("app_digest"):
            tree += " (**app/ changed during the run**)"
        lines.append(
            f"- {NAMES[backend]}: Measured {record['measured_at']} (load average"
            f" {record['load'][0]} → {record['load'][1]}) by `{record['command']}`, on {tree}."
        )
    postgres = records.get("postgresql", {}).get("result", {}).get("throughput")
    if postgres:
        lines += ["", *_throughput_markdown(postgres)]
    return "\n".join(lines) + "\n"


def _throughput_markdown(found: dict[str, Any]) -> list[str]:
    lo, hi = found["campaign"]["ids"]
    ratio = found["signal_on_vs_no_triggers"]
    verdict = "holds" if ratio >= found["target"] else "**misses**"
    lines = [
        "### Writers with the change signal on (PostgreSQL)",
        "",
        f"pgbench, {found['writers']} writers, each transaction one `UPDATE` of a random"
        f" record of campaign 1 (ids {lo:,} … {hi:,}; (h)'s *moving* script), {found['seconds']}"
        f" s a run, {found['rounds']} rounds of the three modes in turn (each first once), after"
        f" a {found['warmup_s']} s warm-up; before every run the pending deltas are folded and"
        " a `CHECKPOINT` taken. *Signal on*: the rollup triggers on and an `audience-stats"
        " serve` running, compacting every second and NOTIFYing the campaigns it folded, with"
        f" {PROBES} subscriptions of campaign 1 open (it LISTENs and recomputes them);"
        " *no server*: triggers on, nobody compacts or notifies (the deltas pile up); *no"
        " triggers*: the rollup triggers disabled, no server ((h)'s baseline, there measured"
        f" with a server running). `{found['command']}`.",
        "",
        "| mode | updates/s per round | median updates/s | median latency ms | failed |"
        " pending deltas, most | pushes | server CPU | database CPU | other work |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for mode, runs in found["runs"].items():
        pushes = ", ".join(str(r["pushes"]) for r in runs if "pushes" in r) or "-"
        cpus = [r["cpu_percent"] for r in runs]
        server = ", ".join(_pct(c["server"]) for c in cpus) if mode == "signal on" else "-"
        database = ", ".join(_pct(c["database"] + c["PostgreSQL, other"]) for c in cpus)
        other = ", ".join(_pct(c["other work"]) for c in cpus)
        lines.append(
            f"| {mode} | {', '.join(f'{r[TPS]:,.0f}' for r in runs)}"
            f" | {found['tps'][mode]:,.0f}"
            f" | {statistics.median(r['latency_ms'] for r in runs):.2f}"
            f" | {sum(r['failed'] for r in runs)}"
            f" | {max(r['max_pending_deltas'] for r in runs):,} | {pushes} | {server}"
            f" | {database} | {other} |"
        )
    pending = max(r["max_pending_deltas"] for r in found["runs"]["no server"])
    lines += [
        "",
        _prose(f"""
        *Database CPU* is PostgreSQL's processes, *other work* every process that is neither
        this bench's, pgbench's, the database's nor a kernel thread (% of one core; the
        machine has 2). *No server* only defers the fold: up to {pending:,} deltas were
        pending at its end, which a server folds later, so its rate is an upper bound of a
        deployment's.
        """),
        "",
        f"Signal on / no server: {_pct(100 * found['signal_on_vs_no_server'])}. Signal on / no"
        f" triggers: {_pct(100 * ratio)}, against the rollup issue's target of ≥"
        f" {_pct(100 * found['target'])} of the no-trigger baseline ({verdict}; (h) measured"
        f" {_pct(100 * found['h_ratio'])}). No server / no triggers (the triggers alone):"
        f" {_pct(100 * found['no_server_vs_no_triggers'])}.",
    ]
    return lines


def write_markdown() -> Path | None:
    records = {}
    for backend in NAMES:
        path = RESULTS / f"{backend}-live.json"
        if path.exists():
            records[backend] = json.loads(path.read_text())
    if not records:
        return None
    MARKDOWN.write_text(markdown(records))
    return MARKDOWN


ROLES = {"subscribers": _subscribers, "dialers": _dialers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", choices=tuple(NAMES))
    parser.add_argument(
        "--markdown", action="store_true", help=f"only rewrite {MARKDOWN} from stored results"
    )
    parser.add_argument("--role", choices=tuple(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role:
        asyncio.run(ROLES[args.role](json.loads(args.config)))
        return 0
    if not args.markdown:
        for backend in args.backend or tuple(NAMES):
            load = os.getloadavg()[0]
            print(f"wrote {save(backend, asyncio.run(run(backend)), load)}", flush=True)
    written = write_markdown()
    if written:
        print(f"wrote {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""BENCHMARKS.md, written from the stored results of bench/run.py."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

from bench.server import ROOT

OUT = ROOT / "BENCHMARKS.md"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _verdict(holds: bool) -> str:
    return "holds" if holds else "**misses**"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _load(results: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Results by (backend, case); a large run's cases are named "<case>-large"."""
    found = {}
    for path in sorted(results.glob("*-*.json")):
        backend, case = path.stem.split("-", 1)
        if backend in NAMES:
            found[backend, case] = json.loads(path.read_text())
    return found


def _load_average(record: dict[str, Any]) -> str:
    if "load" not in record:
        return ""
    start, end = record["load"]
    return f" (load average {start} → {end})"


def _measured(record: dict[str, Any]) -> str:
    return f"Measured {record['measured_at']}{_load_average(record)} by `{record['command']}`."


def write(results: Path) -> None:
    machine = json.loads((results / "machine.json").read_text())
    found = _load(results)
    backends = [b for b in NAMES if any(key[0] == b for key in found)]
    lines = _header(machine)
    lines += _targets(found, backends)
    large = results / "machine-large.json"
    found_large = json.loads(large.read_text()) if large.exists() else None
    sections = (
        _stats,
        _pages,
        _batching,
        _throughput,
        _memory,
        _explain,
        lambda found, backends: _groups(found, backends, found_large),
        _writes,
        _loads,
        _lists,
        _breakdowns,
    )
    for section in sections:
        part = section(found, backends)
        if any(line.startswith("###") or line.startswith("|") for line in part):
            lines += part
    OUT.write_text("\n".join(lines).rstrip() + "\n")


def _header(machine: dict[str, Any]) -> list[str]:
    packages = ", ".join(f"{name} {v}" for name, v in machine["packages"].items())
    spec = machine["spec"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m bench.run`, source in `bench/`); do not",
        "edit by hand. Every figure below names the command that measures it again; those",
        "commands rewrite this file from the stored results of all cases.",
        "",
        "## Machine",
        "",
    ]
    lines += _table(
        ["", ""],
        [
            ["date", machine["date"]],
            ["cores", machine["cores"]],
            ["load average (1 min) at start / end", " / ".join(map(str, machine["load"]))],
            ["memory", f"{machine['memory_gib']} GiB"],
            ["CPU", machine["cpu"]],
            ["OS", machine["os"]],
            ["Python", machine["python"]],
            ["SQLite", machine["sqlite"]],
            ["PostgreSQL", machine["postgresql"]],
            ["wrk", machine["wrk"]],
            ["pgbench", machine.get("pgbench", "")],
            ["packages", packages],
        ],
    )
    campaigns = machine["campaigns"]
    big = ", ".join(
        f"campaign {c['id']} (workspace {(c['id'] - 1) % spec['workspaces'] + 1}) {c['audience']:,}"
        for c in sorted(campaigns, key=lambda c: c["id"])
    )
    small_count = spec["campaigns"] - len(spec["big_campaigns"])
    small = (spec["audience"] - sum(spec["big_campaigns"])) // max(small_count, 1)
    lines += [
        "## Data set and method",
        "",
        f"`audience-stats generate OUT {' '.join(machine['generate_args'])}`, loaded with "
        "`audience-stats load OUT` into SQLite and into a PostgreSQL database of the bench's "
        "own (`audience_stats_bench`). Both are used exactly as the load leaves them: the "
        "load analyses what it wrote in its transaction and, on PostgreSQL, vacuums it after "
        "committing; the bench adds no ANALYZE or VACUUM of its own, and autovacuum is off on "
        "this server. Cases that write, (h), work on copies. Both are cached under "
        "`bench/.data/` by the generate arguments and a digest of `app/generate.py`.",
        "",
        f"Contacts: {big}; campaigns {len(campaigns) + 1} … {spec['campaigns']} hold "
        f"{small:,} each (half in each workspace), and 50 of those of workspace 2 serve the "
        "batching case. Stats without a `mobileNo` filter are read from the rollup "
        "(`campaign_audience_rollup`, with `campaign_audience_delta` on PostgreSQL), which "
        "triggers keep exact; the *plain SQL statement* that the targets are measured against "
        "is the row scan a person would write (`bench/plain_sql.py`). Times are "
        "medians of repeated rounds after warm-up rounds (counts in each section); a round "
        "runs every variant of a case once, in turn, so drift touches all alike. Servers are "
        "`audience-stats serve` processes (uvicorn) on 127.0.0.1, driven by httpx (a, b, e, "
        "g, h) or wrk (d); writers are pgbench (h). The machine has only the cores above: the "
        "clients, the servers and the database share them, and other work may run beside "
        "them: each case names the 1-minute load average before and after it.",
        "",
    ]
    return lines


def _targets(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    rows = []
    for backend in backends:
        name = NAMES[backend]
        if stats := found.get((backend, "stats")):
            result = stats["result"]
            worst = max(result["rows"], key=lambda r: r["ratios"]["graphql"])
            holds = all(r["holds"] for r in result["rows"])
            rows.append(
                [
                    f"(a) GraphQL over HTTP / plain SQL statement ≤ {result['target']}",
                    name,
                    f"worst {worst['ratios']['graphql']:.2f} ({worst['case']})",
                    _verdict(holds),
                ]
            )
        if pages := found.get((backend, "pages")):
            result = pages["result"]
            worst = max(result["rows"], key=lambda r: r["ratio"])
            holds = all(r["holds"] for r in result["rows"])
            rows.append(
                [
                    f"(b) deep page / first page ≤ {result['target']}",
                    name,
                    f"worst {worst['ratio']:.2f} ({worst['ordering']})",
                    _verdict(holds),
                ]
            )
        if batching := found.get((backend, "batching")):
            result = batching["result"]
            rows.append(
                [
                    "(c) stats of 50 campaigns in one statement",
                    name,
                    f"{result['one']['aggregates']} aggregate statement(s)",
                    _verdict(result["holds"]),
                ]
            )
        if (throughput := found.get((backend, "throughput"))) and "targets" in throughput["result"]:
            rows += _throughput_target_rows(throughput["result"], name)
        for case in ("groups", "groups-large"):
            if groups := found.get((backend, case)):
                result = groups["result"]
                worst = max(result["verdicts"], key=lambda v: v["ratio"])
                rows.append(
                    [
                        f"(g) stats of {worst['largest']:,} contacts / of "
                        f"{worst['smallest']:,} ≤ {result['target']}",
                        name,
                        f"worst {worst['ratio']:.2f} ({worst['case']})",
                        _verdict(all(v["holds"] for v in result["verdicts"])),
                    ]
                )
        if (writes := found.get((backend, "writes"))) and "target" in writes["result"]:
            result = writes["result"]
            moving = next(v for v in result["variants"] if v["name"] == "moving")
            rows.append(
                [
                    f"(h) {moving['writers']} writers' updates/s with the rollup / without "
                    f"≥ {result['target']:.0%}",
                    name,
                    f"{moving['ratio']:.0%} ({moving['tps']['rollup']:,.0f} / "
                    f"{moving['tps']['no rollup']:,.0f})",
                    _verdict(moving["holds"]),
                ]
            )
        if listed := found.get((backend, "list")):
            result = listed["result"]
            rows.append(
                [
                    f"(j) REST list page {result['deep_page']:,} / page 1 ≤ {result['target']}",
                    name,
                    f"{result['ratio']:.2f} "
                    f"({result['deep_ms']:.1f} / {result['first_ms']:.1f} ms)",
                    _verdict(result["holds"]),
                ]
            )
        if breakdown := found.get((backend, "breakdown")):
            result = breakdown["result"]
            rows.append(
                [
                    f"(k) breakdown by {' and '.join(result['by'])} / stats of "
                    f"{result['campaign']['audience']:,} contacts ≤ {result['target']}",
                    name,
                    f"{result['ratio']:.2f} ({result['ms']['breakdown']:.1f} / "
                    f"{result['ms']['stats']:.1f} ms)",
                    _verdict(result["holds"]),
                ]
            )
            if day := result.get("day"):
                rows.append(
                    [
                        f"(k) breakdown by {' and '.join(day['by'])} over HTTP / plain SQL "
                        f"statement ≤ {day['target']}",
                        name,
                        f"{day['ratio']:.2f} ({day['ms']['graphql']['UTC']:.0f} / "
                        f"{day['ms']['plain']:.0f} ms)",
                        _verdict(day["holds"]),
                    ]
                )
        if (load := found.get((backend, "load"))) and load["result"]["holds"] is not None:
            result = load["result"]
            low, high = result["reference_s"]
            total = result["medians"]["rollup"]["seconds"]
            rows.append(
                [
                    f"(i) load of {result['rows']:,} rows ≤ {high} s (before the rollup: "
                    f"{low}-{high} s), aim < {result['aim_s']} s",
                    name,
                    f"{total:.1f} s",
                    _verdict(result["holds"])
                    + ("" if result["under_aim"] else f", not under {result['aim_s']} s"),
                ]
            )
    return ["## Targets", "", *_table(["target", "database", "measured", "verdict"], rows)]


def _throughput_target_rows(result: dict[str, Any], name: str) -> list[list[Any]]:
    rows = []
    for kind, target in result["targets"].items():
        graphql, plain = (
            next(r for r in result["rows"] if _is(r, *key))
            for key in (("graphql", kind, 1), ("plain", "repeated", 1))
        )
        verdict = result["verdicts"][kind]
        python = verdict["ratio_to_plain_python"]
        rows.append(
            [
                f"(d) GraphQL {kind} requests / plain route, requests/s, 1 worker ≥ {target}",
                name,
                f"{verdict['ratio']:.2f} ({graphql['rps']:,.0f} / {plain['rps']:,.0f}); "
                f"{python:.2f} against the pure-Python plain route",
                _verdict(verdict["holds"]),
            ]
        )
    return rows


WAYS = {
    "plain": "plain SQL",
    "raw": "repository's SQL",
    "repository": "repository",
    "graphql": "GraphQL",
}


def _stats(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    lines: list[str] = []
    for backend in backends:
        record = found.get((backend, "stats"))
        if not record:
            continue
        result = record["result"]
        if not lines:
            lines = [f"## (a) Stats of a {result['campaign']['audience']:,}-contact campaign", ""]
        ways = result["ways"]
        driver = "sqlite3" if backend == "sqlite" else "asyncpg"
        lines += [
            f"### {NAMES[backend]}",
            "",
            f"Campaign {result['campaign']['id']} ({result['campaign']['audience']:,} contacts); "
            f"median of {result['repeats']} rounds after {result['warmup']} warm-up rounds. "
            "*Plain SQL* is the statement a person would write over the rows, the filter as "
            "literal SQL, run on the bare driver "
            f"({driver}): `{result['rows'][1]['plain_sql']}`. "
            "*Repository's SQL* is the statement `Repository.stats` sends (captured with "
            "SQLAlchemy's `before_cursor_execute`): from the rollup's groups without a "
            "`mobileNo` filter, from the records with one; run with its parameters on the same "
            "driver. *Repository* is `Repository.stats`; *GraphQL* is `campaignAudienceStats` "
            "over HTTP to a uvicorn server process. All four give the same numbers (checked "
            "before timing). " + _measured(record),
            "",
        ]
        if backend == "postgresql":
            lines += [
                "On PostgreSQL the raw connection, like the app's (`app/db.py`), plans every "
                "statement for its parameters (`plan_cache_mode = force_custom_plan`), as psql "
                "does with literal values; (f) shows the generic plans it avoids.",
                "",
            ]
        lines += _table(
            [
                "filter",
                "matching",
                *(f"{WAYS[way]} ms" for way in ways),
                "GraphQL / repository's SQL",
                "GraphQL / plain SQL",
                f"≤ {result['target']}",
            ],
            [
                [
                    f"{r['case']} `{json.dumps(r['filter'])}`",
                    f"{r['matching']:,}",
                    *(_ms(r["ms"][way]) for way in ways),
                    f"{r['graphql_to_raw']:.2f}",
                    f"{r['ratios']['graphql']:.2f}",
                    _verdict(r["holds"]),
                ]
                for r in result["rows"]
            ],
        )
        lines += _plan_note(result)
    return lines


def _plan_note(result: dict[str, Any]) -> list[str]:
    """Name the cause of a miss: the request's fixed cost next to a fast statement."""
    missed = [r for r in result["rows"] if not r["holds"]]
    if not missed:
        return []
    cases = ", ".join(
        f"{r['case']}: {_ms(r['ms']['plain'])} ms of plain SQL, "
        f"{_ms(r['ms']['graphql'] - r['ms']['raw'])} ms of the request beyond its own "
        "statement"
        for r in missed
    )
    return [
        "A miss is the request's fixed cost next to a statement that an index makes fast "
        f"({cases}): the token lookup, the HTTP exchange and the GraphQL execution, which (d) "
        "takes apart, cost the same few milliseconds whatever the statement takes.",
        "",
    ]


def _pages(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    lines = ["## (b) Audience pages: first page and the page after 99,900 records", ""]
    for backend in backends:
        record = found.get((backend, "pages"))
        if not record:
            continue
        result = record["result"]
        lines += [
            f"### {NAMES[backend]}",
            "",
            f"`campaign(id: {result['campaign']['id']}) {{ audience(first: "
            f"{result['page_size']}, after, orderBy) }}` over HTTP with every Audience field, "
            f"each edge's cursor and pageInfo. The deep cursor comes from walking "
            f"{result['depth']:,} records page by page once (not timed; cached), and the deep "
            "page is checked against an OFFSET query. *Raw SQL* is the page's statement as the "
            "app sent it, run on the bare driver, for scale: the rest of a page's time is the "
            "app's. "
            f"Median of {result['repeats']} rounds after {result['warmup']} warm-up rounds. "
            + _measured(record),
            "",
        ]
        lines += _table(
            [
                "ordering",
                "first page ms",
                "deep page ms",
                "deep / first",
                f"≤ {result['target']}",
                "raw SQL first / deep ms",
            ],
            [
                [
                    r["ordering"],
                    _ms(r["first_ms"]),
                    _ms(r["deep_ms"]),
                    f"{r['ratio']:.2f}",
                    _verdict(r["holds"]),
                    f"{_ms(r['first_raw_ms'])} / {_ms(r['deep_raw_ms'])}",
                ]
                for r in result["rows"]
            ],
        )
    return lines


def _batching(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    lines = ["## (c) Batching: stats of 50 campaigns", ""]
    rows = []
    commands = []
    for backend in backends:
        record = found.get((backend, "batching"))
        if not record:
            continue
        result = record["result"]
        for label, key in (
            ("one query, `campaigns(first: 50)`", "one"),
            ("50 requests", "separate"),
        ):
            part = result[key]
            rows.append(
                [
                    NAMES[backend],
                    label,
                    part["statements"],
                    part["aggregates"],
                    _ms(part["ms"]),
                ]
            )
        commands.append(f"{NAMES[backend]}: " + _measured(record))
    if not rows:
        return []
    skipped = ", ".join(map(str, result.get("skipped", [])))
    lines += [
        f"50 campaigns of workspace {result['workspace']} "
        f"({result['audience'] // result['campaigns']:,} contacts each: the page starts after "
        f"the workspace's big campaign {skipped}, by its cursor), through the whole app "
        "in-process "
        "(httpx `ASGITransport`, lifespan and middleware included), counting every SQL "
        "statement with a SQLAlchemy `before_cursor_execute` listener. The 50 requests are "
        "`campaignAudienceStats`, one after another; each also looks up its token and its "
        f"campaign. Median of {result['repeats']} rounds after {result['warmup']} warm-up "
        "rounds.",
        "",
        *_table(["database", "way", "SQL statements", "of them stats aggregates", "ms"], rows),
        *[f"- {c}" for c in commands],
        "",
    ]
    return lines


def _throughput(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    lines = ["## (d) Throughput under concurrent load", ""]
    for backend in backends:
        record = found.get((backend, "throughput"))
        if not record:
            continue
        result = record["result"]
        rows = result["rows"]
        lines += [f"### {NAMES[backend]}", "", _throughput_method(result) + _measured(record), ""]
        lines += _throughput_targets(result)
        lines += _table(
            [
                "server",
                "workers",
                "requests",
                "requests/s",
                "p50 ms",
                "p99 ms",
                "ratio to plain",
                "ratio to plain, pure Python",
                "connections opened/s",
                "aiosqlite thread hops / request" if backend == "sqlite" else "pool connects/s",
            ],
            [_throughput_row(r, backend) for r in rows],
        )
        lines += _connections_note(result, backend)
        lines += _nagle_note(rows)
        if "layers" in result:  # timed one repeated request at a time
            one = next(r for r in rows if _is(r, "graphql", "repeated", 1))
            lines += _layers(result["layers"], one["rps"])
        lines += _profile(result["profile"], backend)
    return lines


def _is(row: dict[str, Any], server: str, load: str, workers: int) -> bool:
    return (row["server"], row["load"], row["workers"]) == (server, load, workers)


def _throughput_method(result: dict[str, Any]) -> str:
    wrk, distinct = result["wrk"], result["distinct"]
    fastest = max(r["rps"] for r in result["rows"] if r["server"] == "graphql")
    return (
        f"`campaignAudienceStats` (`STATS` of `bench/client.py`) under load from `wrk "
        f"--threads={wrk['threads']} --connections={wrk['connections']} "
        f"--duration={wrk['duration']}s --script=bench/wrk_post.lua` after a "
        f"{result['warmup_s']} s warm-up run, against `audience-stats serve [--workers N]`, a "
        "fresh server for each row. *Distinct*: each request another body, of a pool of "
        f"{distinct['bodies']:,}: the stats of each of the {distinct['campaigns']} small "
        "campaigns (1,000 contacts each, half of them in each workspace, each request with its "
        f"workspace's token) under each of {distinct['filters']} filters (every non-empty set "
        "of `status` values with every non-empty set of `attempt` counts 0-3), in turn, "
        "campaign by campaign: no body comes again within "
        f"{distinct['bodies']:,} requests ({distinct['bodies'] / fastest:.0f} s at the "
        "fastest rate below), so no cache can answer one. *Repeated*: the same body every "
        f"time, campaign {result['campaign']['id']}'s stats "
        f"({result['campaign']['audience']:,} contacts) without a filter, a "
        f"{result['response_bytes']}-byte answer. *Plain*: `bench/plain_app.py`, a Starlette "
        "route answering that answer's bytes as a constant, under the same uvicorn settings "
        "(httptools and uvloop, as the app's dependencies install) and the same wrk load (the "
        "repeated body): the limit of the HTTP stack. *Plain, pure Python*: the same route "
        "on uvicorn's HTTP parser and event loop in Python (h11, asyncio), one process: the "
        "stack of the plain route that issue 13's table measured (3,787-4,181 requests/s). "
        "The warm-up sends the distinct bodies from the first, the measured run from the "
        "middle of the pool, so the response cache holds none that it is sent. The script "
        'checks every answer (status 200, a `"data"` key and no `"errors"`); the case '
        "fails on any failed answer or socket error, and every row below had none. "
    )


def _throughput_targets(result: dict[str, Any]) -> list[str]:
    targets, verdicts = result["targets"], result["verdicts"]
    measured = "; ".join(
        f"{kind} {verdicts[kind]['ratio']:.2f}x, {_verdict(verdicts[kind]['holds'])}"
        for kind in targets
    )
    python = "; ".join(f"{kind} {verdicts[kind]['ratio_to_plain_python']:.2f}x" for kind in targets)
    return [
        f"Targets, with one worker: distinct requests ≥ {targets['distinct']}x the plain "
        f"route's requests/s, repeated ones ≥ {targets['repeated']}x; two workers are "
        f"reported beside them, without a target. Measured against the plain route on the "
        f"same stack: {measured}. Against the pure-Python plain route of the issue's table: "
        f"{python}.",
        "",
    ]


def _throughput_row(r: dict[str, Any], backend: str) -> list[str]:
    graphql = r["server"] == "graphql"
    seconds = r["duration_us"] / 1e6
    counted = r.get("connections") or {}
    if not graphql:
        opened, extra = "—", "—"
    elif backend == "postgresql":
        opened = f"{counted['sessions_per_s']:.1f} ({counted['sessions']} in {seconds:.0f} s)"
        extra = f"{counted['pool_connects_per_s']:.1f} ({counted['pool_connects']})"
    else:
        opened = (
            f"{counted['pool_connects_per_s']:.1f} ({counted['pool_connects']} in {seconds:.0f} s)"
        )
        extra = f"{counted['thread_hops_per_request']:.1f}"
    server = {"graphql": "GraphQL", "plain": "plain", "plain-python": "plain, pure Python"}
    return [
        server[r["server"]],
        str(r["workers"]),
        r["load"],
        f"{r['rps']:,.0f}",
        _ms(r["p50_us"] / 1000),
        _ms(r["p99_us"] / 1000),
        f"{r['ratio_to_plain']:.2f}" if graphql else "—",
        f"{r['ratio_to_plain_python']:.2f}" if graphql else "—",
        opened,
        extra,
    ]


def _connections_note(result: dict[str, Any], backend: str) -> list[str]:
    if backend == "postgresql":
        lines = [
            "*Connections opened/s*: the rise of `pg_stat_database.sessions` of the bench's "
            "database over the measured run (read just before and after it, from a session "
            "on the `postgres` database, which does not count there), per second. It counts "
            "every client session on that database, not only the pools': each server process "
            "also holds a LISTEN connection of its own (`app.changes`), opened at start-up and "
            "again only once it is lost, and the compaction task (once a second, on one "
            "process) borrows a pool connection; autovacuum is off, and its workers would not "
            "count. *Pool connects/s*: the app's own count of its pools' new connections "
            "(below), which the sessions should match.",
        ]
    else:
        lines = [
            "*Connections opened/s*: the pools' new connections during the measured run; "
            "*thread hops*: calls of aiosqlite's `Connection._execute`, each a round trip "
            "to the connection's thread (statement, fetch, cursor, commit, rollback), per "
            "request. The `PRAGMA data_version` check of `app.changes` runs on a thread of "
            "its own through plain `sqlite3`, once a tick, and is not counted.",
        ]
    lines += [
        "",
        "The GraphQL servers run through `bench/counted_server.py`: `audience-stats serve` "
        "with SQLAlchemy pool `connect`, `close` and `checkout` listeners and a count of "
        "those aiosqlite calls in each process, read on SIGUSR1 before and after the measured "
        "run; with two workers each worker counts its own, and the figures are their sums.",
        "",
    ]
    for r in result["rows"]:
        if counted := r.get("connections"):
            lines += _connections_row_note(r, counted)
    return lines + _split_note(result["rows"])


def _split_note(rows: list[dict[str, Any]]) -> list[str]:
    """How the load fell on the workers, by their pools' checkouts (one per unit of work)."""
    splits = []
    for r in rows:
        checkouts = (r.get("connections") or {}).get("pool_checkouts_by_process", [])
        if len(checkouts) > 1:
            shares = " / ".join(f"{c / max(sum(checkouts), 1):.0%}" for c in checkouts)
            splits.append(f"{r['load']} requests {shares}")
    if not splits:
        return []
    return [
        "How the measured load fell on the workers, by their pools' checkouts (a unit of "
        f"work each): {'; '.join(splits)}. uvicorn's workers accept from one shared socket, "
        "and wrk opens its connections at once, so whichever workers are awake take them; a "
        "connection stays on its worker for the run.",
        "",
    ]


def _connections_row_note(r: dict[str, Any], counted: dict[str, Any]) -> list[str]:
    """Where connections were opened during a measured run: when, by which process, and
    whether the database saw other sessions."""
    workers = f"{r['workers']} worker" + ("s" if r["workers"] > 1 else "")
    lines = []
    if counted["pool_connects"]:
        by_process = " + ".join(map(str, counted["pool_connects_by_process"]))
        lines.append(
            f"GraphQL, {r['load']} requests, {workers}: the pools opened "
            f"{counted['pool_connects']} connections in the measured run ({by_process} by "
            f"process), the last {max(counted['pool_connected_at']):.1f} s after wrk started, "
            f"and closed {counted['pool_closes']}. " + _growth(r["workers"], counted["pool_closes"])
        )
    if counted["sessions"] is not None and counted["sessions"] != counted["pool_connects"]:
        lines.append(
            f"GraphQL, {r['load']} requests, {workers}: {counted['sessions']} new sessions "
            f"against {counted['pool_connects']} pool connects: the others are sessions outside "
            "the pools (a LISTEN connection opened again, or another client of the database)."
        )
    return [line for text in lines for line in (text, "")]


def _growth(workers: int, closes: int) -> str:
    if closes:
        return "Connections were closed and opened again: churn, not only growth."
    # A pool opens one only when more statements wait at once than it holds connections.
    why = (
        "the measured run's wrk connects anew, and its connections fall on the workers "
        "otherwise than the warm-up's did, so a worker may have more requests at once"
        if workers > 1
        else "the measured run had more requests at once than the warm-up"
    )
    return (
        f"None closed: the pools grew at the start, they did not churn; {why} (a pool keeps "
        "20, opens none past them, and closes none)."
    )


def _nagle_note(rows: list[dict[str, Any]]) -> list[str]:
    """Explain a plain server that answers one request at a time far slower with more workers."""
    plain = {r["workers"]: r["one_connection_ms"] for r in rows if r["server"] == "plain"}
    slow = [w for w, ms in plain.items() if w > 1 and ms > 35 and ms > 10 * plain[1]]
    if not slow:
        return []
    return [
        f"With {slow[0]} workers even the plain route takes {_ms(plain[slow[0]])} ms a request "
        f"on a keep-alive connection, against {_ms(plain[1])} ms with one: uvicorn's "
        "multi-process mode binds its socket without `IPPROTO_TCP`, so asyncio leaves Nagle's "
        "algorithm on and each response waits for the client's delayed ACK "
        "([uvicorn#3149](https://github.com/Kludex/uvicorn/issues/3149)). The multi-worker "
        "figures measure that wait, not the app.",
        "",
    ]


def _layers(layers: dict[str, Any], rps: float) -> list[str]:
    ms = layers["ms"]
    rows = [
        ["parse (the app's parser cache included)", ms["parse"]],
        ["validate (the app's limits and validation cache included)", ms["validate"]],
        ["execute: resolvers, loaders and their database statements", ms["execute"]],
        ["… of which the campaign and stats statements (`Repository`, gathered)",
         ms["campaign + stats"]],
        ["… of which the rest of execution (derived)", layers["execution_ms"]],
        ["`schema.execute` in all", ms["schema.execute"]],
        ["`schema.execute` without the parser and validation caches (as before them)",
         ms["schema.execute, no caches"]],
        ["token lookup (`Repository.workspace_for_token`; a request finds the token "
         "remembered, app.auth.Tokens, and pays this once per token every 5 s)",
         ms["token lookup"]],
        ["JSON serialisation of the answer (`json.dumps`)", ms["serialise"]],
        ["HTTP view, middleware, ASGI (derived)", layers["http_ms"]],
        ["whole request in-process (httpx `ASGITransport`), response cache off",
         ms["request"]],
        ["whole request in-process, the answer kept by the response cache",
         ms["request, answer kept"]],
        [f"for scale: the request's {layers['statements']} statements run raw, one after "
         "another, on the bare driver", ms["raw statements"]],
    ]  # fmt: skip
    return [
        "Where one request's time goes, timed directly, one request at a time, in-process, "
        f"median of {layers['repeats']} rounds after {layers['warmup']} warm-up rounds "
        "(`bench/layers_case.py`: the GraphQL phases by an extension around the app's own); "
        f"for scale, one worker under load served {rps:,.0f} requests/s, "
        f"{1000 / rps:.2f} ms of its time each:",
        "",
        *_table(["layer", "ms"], [[name, _ms(value)] for name, value in rows]),
    ]


def _profile(profile: dict[str, Any], backend: str) -> list[str]:
    thread = (
        " Work that aiosqlite does in its own thread is not sampled: the loop waits for it, "
        "and is woken through its self-pipe when a result is ready."
        if backend == "sqlite"
        else ""
    )
    lines = [
        "Profile (uvloop's loop is C, so the loop's waits for I/O are not sampled: the "
        "shares are of busy time): "
        f"pyinstrument sampled the event loop thread of a one-process server for "
        f"{profile['duration_s']:.1f} s of the same load, {profile.get('load', 'repeated')} "
        f"requests; session in `{profile['session']}` "
        "(`.venv/bin/pyinstrument --load=<file>` shows the call tree). A sample counts for the "
        "first layer, in the order of `bench/profiling.py`, that any frame of its stack "
        f"belongs to.{thread} The profiler costs time of its own on every call "
        f"({profile['rps_under_profiler']:,.0f} requests/s under it), which inflates "
        "call-heavy code such as graphql-core's visitors; the direct timings above are the "
        "measure, the profile says where inside the layers the time goes.",
        "",
    ]
    lines += _table(
        ["layer", "share of samples", "share of busy samples"],
        [
            [
                layer["layer"],
                f"{layer['share']:.1%}",
                "" if layer["layer"] == profile["idle"] else f"{layer['busy_share']:.1%}",
            ]
            for layer in profile["layers"]
        ],
    )
    lines += ["Top functions by own time:", ""]
    lines += _table(
        ["function", "share"],
        [[f"`{t['function']}`", f"{t['share']:.1%}"] for t in profile["top_own"]],
    )
    return lines


def _peaks(peaks: dict[str, int]) -> str:
    """ "pid role" -> KiB, as "role: N MiB" (pids change from run to run)."""
    return ", ".join(f"{name.split(' ', 1)[1]} {_mib(kib)}" for name, kib in peaks.items())


def _memory(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    rows = []
    notes = []
    for backend in backends:
        if record := found.get((backend, "throughput")):
            for r in record["result"]["rows"]:
                peaks = r["peak_rss_kib"]
                kind = f"GraphQL ({r['load']} requests)" if r["server"] == "graphql" else "plain"
                workers = "1 process" if r["workers"] == 1 else f"{r['workers']} workers"
                rows.append(
                    [
                        NAMES[backend],
                        f"{kind} server, {workers}, after the wrk load (d)",
                        _peaks(peaks),
                    ]
                )
            notes.append(f"{NAMES[backend]} (d): " + _measured(record))
        if record := found.get((backend, "memory")):
            result = record["result"]
            for label, key in (
                ("at start", "peak_rss_kib_at_start"),
                (
                    f"after walking {result['pages']} pages of {result['page_size']}",
                    "peak_rss_kib_after_walk",
                ),
            ):
                rows.append(
                    [NAMES[backend], f"GraphQL server, 1 process, {label}", _peaks(result[key])]
                )
            for kind, framing in (("content_length", "Content-Length"), ("chunked", "chunked")):
                if answer := result.get("oversized_answers", {}).get(kind):
                    size = result["oversized_bytes"] // 10**6
                    label = (
                        f"then {result['oversized_clients']} clients at once sending {size} MB "
                        f"bodies ({framing}): answered {', '.join(map(str, answer['statuses']))} "
                        f"within {answer['max_seconds'] * 1000:.0f} ms"
                    )
                    peak = result["peak_rss_kib_after_oversized"][kind]
                    rows.append(
                        [NAMES[backend], f"GraphQL server, 1 process, {label}", _peaks(peak)]
                    )
            notes.append(f"{NAMES[backend]} walk and oversized bodies: " + _measured(record))
    if not rows:
        return []
    return [
        "## (e) Memory: peak resident set",
        "",
        "`VmHWM` of `/proc/<pid>/status`, the kernel's high-water mark of resident memory, for "
        "the server process and each of its child processes. The walk is "
        "10 pages of 100 records of the big campaign by cursor, ID order, every field, on a "
        "fresh server.",
        "",
        *_table(["database", "when", "peak RSS per process"], rows),
        *[f"- {n}" for n in notes],
        "",
    ]


def _explain(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    lines = [
        "## (f) Query plans",
        "",
        "Every statement of (a) and (b), exactly as the app sent it (captured in-process), "
        "run raw with its parameters, then (a)'s plain SQL statements: `EXPLAIN QUERY PLAN` "
        "on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL. The stats statements without "
        "a `mobileNo` filter read the rollup (and, on PostgreSQL, the pending deltas); the "
        "plain statements read the records.",
        "",
    ]
    for backend in backends:
        record = found.get((backend, "explain"))
        if not record:
            continue
        lines += [f"### {NAMES[backend]}", "", _measured(record), ""]
        for plan in record["result"]["plans"]:
            lines += [
                f"<details><summary>{plan['label']}</summary>",
                "",
                "```sql",
                plan["sql"],
                f"-- parameters: {', '.join(plan['params'])}",
                "```",
                "",
                "```",
                plan["plan"],
                "```",
                "",
                "</details>",
                "",
            ]
    return lines


def _groups(
    found: dict[tuple[str, str], Any], backends: list[str], large: dict[str, Any] | None
) -> list[str]:
    lines: list[str] = []
    for case in ("groups", "groups-large"):
        for backend in backends:
            record = found.get((backend, case))
            if not record:
                continue
            result = record["result"]
            sizes = " → ".join(f"{c['audience']:,}" for c in result["campaigns"])
            if not lines:
                lines = [
                    "## (g) Cost by groups: stats as a campaign grows",
                    "",
                    "`campaignAudienceStats` over HTTP (each campaign with its workspace's "
                    "token) for each filter of (a) that the rollup serves, all campaigns of a "
                    "filter interleaved in one round; beside each, the repository's statement "
                    "and the plain row-scan SQL statement of (a) on the bare driver. *Groups* "
                    "are the campaign's rows in `campaign_audience_rollup`: what the rollup "
                    "statement reads. Target: the largest campaign's GraphQL median within "
                    "the factor of the smallest's, per filter.",
                    "",
                ]
            title = NAMES[backend]
            if case == "groups-large":
                title += f", {sizes} contacts (`make bench-large`)"
            lines += [
                f"### {title}",
                "",
                f"Median of {result['repeats']} rounds after {result['warmup']} warm-up "
                f"rounds. " + _measured(record),
                "",
            ]
            if case == "groups-large" and large:
                parts = large.get("parts") or {}
                note = (
                    "; campaign "
                    + ", ".join(
                        f"{part}'s rows relabelled to campaign {owner}"
                        for part, owner in parts.items()
                    )
                    + " (the generator holds at most 7,120,000 distinct numbers a campaign, "
                    "so a bigger one is generated in parts)"
                    if parts
                    else ""
                )
                lines += [
                    f"Data set: `audience-stats generate OUT {' '.join(large['generate_args'])}`"
                    f"{note}; machine as above, run {large['date']}, load average "
                    f"{' → '.join(map(str, large['load']))}.",
                    "",
                ]
            verdicts = {v["case"]: v for v in result["verdicts"]}
            table = []
            for row in result["rows"]:
                verdict = verdicts[row["case"]]
                smallest = next(
                    r
                    for r in result["rows"]
                    if r["case"] == row["case"] and r["audience"] == verdict["smallest"]
                )
                ratio = row["ms"]["graphql"] / smallest["ms"]["graphql"]
                last = row["audience"] == verdict["largest"]
                table.append(
                    [
                        row["case"],
                        row["campaign"],
                        f"{row['audience']:,}",
                        row["groups"],
                        f"{row['matching']:,}",
                        _ms(row["ms"]["graphql"]),
                        f"{ratio:.2f}",
                        _ms(row["ms"]["raw"]),
                        _ms(row["ms"]["plain"]),
                        _verdict(verdict["holds"]) if last else "",
                    ]
                )
            lines += _table(
                [
                    "filter",
                    "campaign",
                    "contacts",
                    "groups",
                    "matching",
                    "GraphQL ms",
                    "GraphQL / smallest's",
                    "repository's SQL ms",
                    "plain SQL ms",
                    f"largest / smallest ≤ {result['target']}",
                ],
                table,
            )
    return lines


def _runs(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{run['tps']:,.0f}" for run in runs)


def _writes(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    lines: list[str] = []
    for backend in backends:
        record = found.get((backend, "writes"))
        if not record:
            continue
        result = record["result"]
        if not lines:
            lines = ["## (h) Writes under the rollup triggers", ""]
        campaign = result["campaign"]
        lo, hi = campaign["ids"]
        lines += [f"### {NAMES[backend]}", ""]
        if backend == "postgresql":
            lines += _writes_postgres(record, result, lo, hi)
        else:
            variant = result["variants"][0]
            lines += [
                "One connection with the app's pragmas (`foreign_keys`, WAL, `busy_timeout`; "  # noqa: S608 (prose)
                "synchronous left at its default), each `UPDATE campaign_audience SET "
                "call_status = ?, attempt = ?, duration = ? WHERE id = ?` its own "
                f"transaction, a random record of campaign {campaign['id']} (ids {lo:,} … "
                f"{hi:,}) and random values, for {result['seconds']} s a run, on a copy of "
                "the loaded file; *no rollup* drops the eight rollup triggers (three keep "
                "the rollup, five follow REPLACE), *rollup* "
                f"recreates them; {result['rounds']} rounds each, alternating. Afterwards "
                f"`{result['rebuild']['command']}` and `{result['check']['command']}` (exit "
                f"{result['check']['returncode']}). " + _measured(record),
                "",
            ]
            lines += _table(
                ["mode", "updates/s per round", "median updates/s", "rollup / no rollup"],
                [
                    [
                        mode,
                        _runs(variant["runs"][mode]),
                        f"{variant['tps'][mode]:,.0f}",
                        f"{variant['ratio']:.0%}" if mode == "rollup" else "",
                    ]
                    for mode in ("rollup", "no rollup")
                ],
            )
    return lines


def _writes_postgres(record: dict[str, Any], result: dict[str, Any], lo: int, hi: int) -> list[str]:
    campaign = result["campaign"]
    scripts = result["scripts"]
    lines = [
        f"pgbench on a copy of the loaded database (`CREATE DATABASE … TEMPLATE`), one "
        f"random record of campaign {campaign['id']} (ids {lo:,} … {hi:,}) per transaction, "
        f"{result['seconds']} s a run: `{result['command']}`, `SCRIPT` one of",
        "",
        "```",
        "-- moving: records move between groups",
        scripts["moving"].strip(),
        "-- hot group: every write lands in one group",
        scripts["hot"].strip(),
        "```",
        "",
        "*No rollup* disables the four rollup triggers (`ALTER TABLE campaign_audience "
        "DISABLE TRIGGER campaign_audience_rollup_{insert,update,delete,truncate}`), "
        f"*rollup* enables them; {result['rounds']} rounds each, alternating, a `CHECKPOINT` "
        "before every run. An `audience-stats serve` process runs throughout, compacting the "
        "deltas every second; *pending deltas* is the most rows of `campaign_audience_delta` "
        "that a poll every 0.1 s saw. *Failed* are the transactions pgbench counted as "
        "failed (deadlock / serialization failures); any other error would abort a client. "
        "Afterwards the triggers are enabled again, "
        f"`{result['rebuild']['command']}` rebuilds the rollup "
        f"({result['rebuild']['seconds']:.1f} s), the latency run below follows, and "
        f"`{result['check']['command']}` exits {result['check']['returncode']}. "
        + _measured(record),
        "",
    ]
    rows = []
    for variant in result["variants"]:
        for mode in ("rollup", "no rollup"):
            runs = variant["runs"][mode]
            failed = sum(r["failed"] for r in runs)
            deadlocks = sum(r["deadlock_failures"] for r in runs)
            serialization = sum(r["serialization_failures"] for r in runs)
            rows.append(
                [
                    variant["name"],
                    variant["writers"],
                    mode,
                    _runs(runs),
                    f"{variant['tps'][mode]:,.0f}",
                    _ms(statistics.median(r["latency_ms"] for r in runs)),
                    f"{failed} ({deadlocks} / {serialization})",
                    sum(r["aborted_clients"] for r in runs),
                    f"{max(r['max_pending_deltas'] for r in runs):,}",
                    f"{variant['ratio']:.0%}" if mode == "rollup" else "",
                    (_verdict(variant["holds"]) if variant["writers"] > 1 else "")
                    if mode == "rollup" and variant["name"] == "moving"
                    else "",
                ]
            )
    lines += _table(
        [
            "variant",
            "writers",
            "mode",
            "updates/s per round",
            "median updates/s",
            "median latency ms",
            "failed (deadlock / serialization)",
            "aborted clients",
            "pending deltas, most",
            "rollup / no rollup",
            f"≥ {result['target']:.0%}",
        ],
        rows,
    )
    latency = result["latency"]
    run = latency["pgbench"]
    lines += [
        f"Stats latency while {latency['writers']} writers run (the moving script, rollup on, "
        f"{latency['seconds']} s, {run['tps']:,.0f} updates/s, {run['failed']} failed): "
        f"`campaignAudienceStats` of campaign {campaign['id']} over HTTP to the compacting "
        "server, one request after another, the filters in turn; *idle* is the same for "
        f"{latency['idle_seconds']} s before the writers start. Most pending deltas seen: "
        f"{run['max_pending_deltas']:,} (polled every {latency['poll_seconds']} s). After the "
        "writers stopped, the stats equal the plain row scan: "
        + ", ".join(
            f"{k} {'yes' if v else '**no**'}" for k, v in latency["agree_with_row_scan"].items()
        )
        + ".",
        "",
    ]
    lines += _table(
        ["phase", "filter", "requests", "median ms", "worst ms"],
        [
            [phase, name, s["requests"], _ms(s["median_ms"]), _ms(s["max_ms"])]
            for phase in ("idle", "writing")
            for name, s in latency["ms"][phase].items()
        ],
    )
    sizes = result["sizes_bytes_at_end"]
    tuples = result.get("tuples_at_end", {})

    def size(name: str) -> str:
        counted = tuples.get(name)
        rows = f", {counted['live']:,} live / {counted['dead']:,} dead rows" if counted else ""
        return f"`{name}` {_mib(sizes[name] // 1024)}{rows}"

    lines += [
        "At the end (autovacuum is off on this server, so dead rows stay until a VACUUM): "
        + "; ".join(size(name) for name in sizes)
        + f"; pending deltas after the last compaction: {result['pending_at_end']}. The "
        "repository's unfiltered stats statement of the campaign, `EXPLAIN (ANALYZE, "
        "BUFFERS)`, right after the rollup was rebuilt and again after the latency run:",
        "",
    ]
    for label, plan in result.get("plans", {}).items():
        lines += [
            f"<details><summary>{label}</summary>",
            "",
            "```",
            plan["plan"],
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def _loads(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    rows = []
    notes = []
    result: dict[str, Any] = {}
    for backend in backends:
        record = found.get((backend, "load"))
        if not record:
            continue
        result = record["result"]
        low, high = result["reference_s"]
        for mode in ("rollup", "no rollup triggers"):
            medians = result["medians"][mode]
            runs = result["runs"][mode]
            total = medians["seconds"]
            verdict = ""
            if mode == "rollup" and result["holds"] is not None:
                verdict = _verdict(result["holds"]) + (
                    f", under {result['aim_s']} s"
                    if result["under_aim"]
                    else f", not under {result['aim_s']} s"
                )
            rows.append(
                [
                    NAMES[backend],
                    mode,
                    ", ".join(f"{run['seconds']:.1f}" for run in runs),
                    f"{total:.1f}",
                    f"{medians['audience upserts']:.1f}",
                    f"{medians['analyze']:.2f} ({medians['analyze'] / total:.0%})",
                    f"{medians['vacuum']:.2f} ({medians['vacuum'] / total:.0%})"
                    if backend == "postgresql"
                    else "none",
                    f"{medians['compact']:.2f}" if backend == "postgresql" else "none",
                    f"{low}-{high}" if mode == "rollup" else "",
                    verdict,
                ]
            )
        schema = [r["schema_s_before"] for r in result["runs"]["no rollup triggers"]]
        notes.append(
            f"{NAMES[backend]}: "
            + _measured(record)
            + f" Creating the schema beforehand took {statistics.median(schema):.1f} s "
            "(not in the no-trigger times); the rollup loads were followed by "
            "`audience-stats rollups check`, exit "
            + ", ".join(map(str, result["rollup_checks"]))
            + "."
        )
    if not rows:
        return []
    return [
        f"## (i) Load of {result['rows']:,} rows",
        "",
        f"`audience-stats generate OUT {' '.join(result['generate_args'])}`, then "  # noqa: S608 (prose)
        "`audience-stats "
        "load OUT` into an empty database (a new SQLite file; a new PostgreSQL database "
        "`audience_stats_bench_load`, after a `CHECKPOINT`), timed around the whole command "
        "(`bench/load_timer.py` runs the command's own `app.cli.main` and sums the time of its "
        "statements by kind). *Rollup* is the app as it is: rollup triggers, compaction before "
        "commit, ANALYZE in the transaction, VACUUM after it (PostgreSQL). *No rollup "
        "triggers*: the schema created first and the triggers dropped, the rest unchanged. "
        "*Audience upserts* are the `INSERT … SELECT … ON CONFLICT` statements from the "
        "staging table, where PostgreSQL's statement triggers and SQLite's row triggers run. "
        f"Medians of {result['rounds']} rounds each, alternating. Before the rollup the issue "
        "measured 17-18 s on SQLite and 26-31 s on PostgreSQL (README, Load speed): the "
        "target is no slower than the upper end, the aim under 30 s.",
        "",
        *_table(
            [
                "database",
                "mode",
                "s per round",
                "median s",
                "audience upserts s",
                "ANALYZE s",
                "VACUUM s",
                "compaction s",
                "before the rollup s",
                "target",
            ],
            rows,
        ),
        *[f"- {n}" for n in notes],
        "",
    ]


def _lists(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    rows, details = [], []
    for backend in backends:
        if not (record := found.get((backend, "list"))):
            continue
        result = record["result"]
        rows.append(
            [
                NAMES[backend],
                f"{result['first_ms']:.2f}",
                f"{result['deep_ms']:.2f}",
                f"{result['ratio']:.2f}",
                _verdict(result["holds"]),
            ]
        )
        details += [
            f"- {NAMES[backend]}: " + _measured(record),
            "",
            f"<details><summary>{NAMES[backend]}: the statement of page "
            f"{result['deep_page']:,}, and its plan</summary>",
            "",
            "```sql",
            result["statement"],
            f"-- parameters: {', '.join(result['parameters'])}",
            "```",
            "",
            "```",
            result["plan"].rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    if not rows:
        return []
    first = next(found[(b, "list")]["result"] for b in backends if (b, "list") in found)
    return [
        f"## (j) REST audience list: page 1 and page {first['deep_page']:,}",
        "",
        f"`GET /api/v1/global/audience-list?campaign_id={first['campaign']['id']}&limit="
        f"{first['limit']}` of the {first['campaign']['audience']:,}-contact campaign, page 1 "
        f"and page {first['deep_page']:,} (offset {(first['deep_page'] - 1) * first['limit']:,}"
        "), over HTTP to a server process; the deep page's records are checked against a plain "
        f"OFFSET over the rows first. Median of {first['repeats']} rounds after "
        f"{first['warmup']} warm-up rounds. The route skips the earlier records in the index "
        "of (campaign, id) and reads only its page's rows (a deferred join); dashboards that "
        "walk deep should use the GraphQL keyset pages of (b).",
        "",
        *_table(["database", "page 1 ms", "deep page ms", "deep / first", "≤ 3"], rows),
        "",
        *details,
    ]


def _breakdowns(found: dict[tuple[str, str], Any], backends: list[str]) -> list[str]:
    records = [(b, found[(b, "breakdown")]) for b in backends if (b, "breakdown") in found]
    if not records:
        return []
    first = records[0][1]["result"]
    days = [(b, r) for b, r in records if "day" in r["result"]]
    title = f"## (k) Breakdowns by {' and '.join(first['by'])}"
    if days:
        title += f", and by {' and '.join(days[0][1]['result']['day']['by'])}"
    rows, notes = [], []
    for backend, record in records:
        result = record["result"]
        ms = result["ms"]
        rows.append(
            [
                NAMES[backend],
                f"{result['groups']:,}",
                f"{ms['breakdown']:.2f}",
                f"{ms['stats']:.2f}",
                f"{result['ratio']:.2f}",
                _verdict(result["holds"]),
                f"{ms['plain']:.1f}",
            ]
        )
        notes.append(f"- {NAMES[backend]}: " + _measured(record))
    lines = [
        title,
        "",
        f"`campaignAudienceBreakdown(by: [{', '.join(first['by'])}])` of the "
        f"{first['campaign']['audience']:,}-contact campaign and its unfiltered "
        "`campaignAudienceStats`, both over HTTP to a server process and both read from the "
        "rollup, interleaved with the plain `GROUP BY call_status, attempt` over the rows on "
        "the bare driver; the breakdown equals that GROUP BY (checked first). Median of "
        f"{first['repeats']} rounds after {first['warmup']} warm-up rounds" + ".",
        "",
        *_table(
            [
                "database",
                "groups",
                "breakdown ms",
                "stats ms",
                "breakdown / stats",
                f"≤ {first['target']}",
                "plain GROUP BY ms",
            ],
            rows,
        ),
        *notes,
        "",
    ]
    if days:
        lines += _day_breakdowns(days)
        lines += _time_rollup(days)
    return lines


def _day_breakdowns(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    first = records[0][1]["result"]
    day = first["day"]
    zones = day["zones"]
    other = zones[1]
    plain = {NAMES[b]: r["result"]["day"]["plain_sql"] for b, r in records}
    warmups = " and ".join(f"{r['result']['warmup']} ({NAMES[b]})" for b, r in records)
    rows = []
    for backend, record in records:
        result = record["result"]["day"]
        ms = result["ms"]
        rows.append(
            [
                NAMES[backend],
                " / ".join(str(result["groups"][zone]) for zone in zones),
                f"{result['quarters']:,}",
                _ms(ms["graphql"]["UTC"]),
                _ms(ms["graphql"][other]),
                _ms(ms["plain"]),
                _ms(ms["app statement"]),
                f"{result['ratio']:.2f}",
                _verdict(result["holds"]),
                f"{result['zone_ratio']:.2f}",
                " / ".join(_ms(result["fold_ms"][zone]) for zone in zones),
            ]
        )
    lines = [
        f"### By {' and '.join(day['by'])}",
        "",
        f"`campaignAudienceBreakdown(campaignId: {first['campaign']['id']}, by: "
        f'[{", ".join(day["by"])}], timeZone: "UTC")` over HTTP (each group\'s '
        "`lastAttemptDay`, `lastAttemptBefore` and stats), and the same with "
        f'`timeZone: "{other}"`, interleaved with the plain statement a person would write '
        "for calls per UTC day, on the bare driver ("
        + "; ".join(f"{name}: `{sql}`" for name, sql in plain.items())
        + "), and with the app's own statement (captured from `Repository.breakdown`) run raw "
        "with its parameters. The app's statement groups the records by their quarter-hour of "
        "UTC and the service folds the quarter-hours into the zone's days "
        "(`app.breakdowns.in_zone`); the statement is the same for every zone. Checked before "
        "timing: the UTC days equal the plain statement's groups (its NULL day, never "
        "attempted, is the null bucket), and each zone's days, starts and ends, equal the "
        "app's quarter-hours folded into that zone. *Fold* is `in_zone` alone over those "
        f"quarter-hours, median of 25 calls. Median of {first['repeats']} rounds after "
        f"{warmups} warm-up rounds (rounds of their own, after those above).",
        "",
        *_table(
            [
                "database",
                f"days (UTC / {other})",
                "quarter-hours read",
                "GraphQL UTC ms",
                f"GraphQL {other} ms",
                "plain SQL ms",
                "app's statement ms",
                "GraphQL UTC / plain SQL",
                f"≤ {day['target']}",
                f"{other} / UTC",
                f"fold ms (UTC / {other})",
            ],
            rows,
        ),
        "The plans, `EXPLAIN QUERY PLAN` on SQLite and `EXPLAIN (ANALYZE, BUFFERS)` on "
        "PostgreSQL, run raw after the rounds (in outline here, whole below):",
        "",
    ]
    outlines = []
    for backend, record in records:
        plans = record["result"]["day"]["plans"]
        for label, key in (("app's statement", "app statement"), ("plain SQL", "plain")):
            outlines.append([NAMES[backend], label, _plan_outline(plans[key])])
    lines += _table(["database", "statement", "plan"], outlines)
    lines += _parallel_note(records)
    for backend, record in records:
        result = record["result"]["day"]
        statement = result["statement"]
        for label, sql, params, plan in (
            ("the app's statement", statement["sql"], statement["params"], "app statement"),
            ("the plain statement", result["plain_sql"], [], "plain"),
        ):
            lines += [
                f"<details><summary>{NAMES[backend]}: {label}</summary>",
                "",
                "```sql",
                sql,
                *([f"-- parameters: {', '.join(params)}"] if params else []),
                "```",
                "",
                "```",
                result["plans"][plan].rstrip(),
                "```",
                "",
                "</details>",
                "",
            ]
    return lines


def _plan_outline(plan: str) -> str:
    """A plan's nodes, outermost first: PostgreSQL's with workers, rows and execution time;
    SQLite's lines as they are."""
    lines = plan.splitlines()
    if not lines or "(cost=" not in lines[0]:
        return "; ".join(line.strip() for line in lines)
    nodes = []
    init_plan: int | None = None  # the indent of an InitPlan whose nodes are left out
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if init_plan is not None and indent > init_plan:
            continue
        init_plan = indent if line.lstrip().startswith("InitPlan") else None
        if line is lines[0] or line.lstrip().startswith("->"):
            name = line.split("  (cost=")[0].strip().removeprefix("->").strip()
            actual = re.search(r"actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)", line)
            if actual:
                loops = int(actual[2])
                name += f" ({int(actual[1]):,} rows{f' x {loops}' if loops > 1 else ''})"
            nodes.append(name)
        elif "Workers Launched:" in line:
            nodes[-1] += f", {line.split(':')[1].strip()} workers"
    outline = " ← ".join(nodes)
    if found := re.search(r"Execution Time: ([\d.]+) ms", plan):
        outline += f"; {float(found[1]):.0f} ms"
    if "JIT:" in plan:
        outline += ", JIT"
    return outline


def _parallel_note(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Why PostgreSQL's plain statement may be the slower: it runs in one process."""
    found = next((r for b, r in records if b == "postgresql"), None)
    if not found:
        return []
    plans = found["result"]["day"]["plans"]
    app, plain = plans["app statement"], plans["plain"]
    groups = re.search(r"^HashAggregate .*?rows=(\d+) ", plain)
    if "Gather" not in app or "Gather" in plain or not groups:
        return []
    return [
        "On PostgreSQL the app's statement runs in parallel workers and the plain statement "
        "in one process: the planner expects "
        f"{int(groups[1]):,} days from `date_trunc` over the campaign's rows (it knows "
        "nothing of the expression's values), so a partial aggregation in each worker "
        "looks no cheaper to it, while the app's statement, whose campaign test it "
        "underestimates, looks small enough to split. "
        + (
            "That is why GraphQL comes in under the plain statement there, not a cheaper "
            "expression."
            if found["result"]["day"]["ratio"] < 1
            else "That favours the app's statement there."
        ),
        "",
    ]


def _time_rollup(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    first = records[0][1]["result"]
    rollup = first["rollup"]
    quarters, keyed = rollup["tables"]
    lines = [
        "### Would a time bucket in the rollup pay for itself?",
        "",
        "Reads: two scratch rollups of the campaign, temporary tables of the raw connection "
        "built from its records (the loaded database does not change): "
        f"`{quarters}`, one row per (campaign, UTC quarter-hour) with its records, attempt "
        f"sum, duration sum and successful calls; and `{keyed}`, the rollup's own key "
        "(status, the three call statuses, attempt) with the quarter-hour added, which is what "
        "a time bucket in `campaign_audience_rollup` itself would be. The day breakdown's "
        "quarter-hours read from each (checked equal to the app's statement's, and the "
        "stats from the keyed one equal to the app's), and the unfiltered stats from the "
        "rollup as it is (the app's statement) and from the keyed one, run raw in the same "
        "rounds. *GraphQL, with the quarter rollup* estimates the request if it read the "
        "quarter rollup: the CALL_STATUS and ATTEMPT breakdown above (the same resolver "
        "over HTTP, reading a rollup) + the read of the quarter rollup + the fold into UTC "
        "days.",
        "",
    ]
    rows = []
    for backend, record in records:
        result = record["result"]
        day, scratch = result["day"], result["rollup"]
        ms, tables = scratch["ms"], scratch["tables"]
        rows.append(
            [
                NAMES[backend],
                f"{_ms(result['day']['ms']['app statement'])} ({day['quarters']:,} groups of "
                f"{result['campaign']['audience']:,} records)",
                f"{_ms(ms['quarter rollup'])} ({tables[quarters]['rows']:,} rows)",
                f"{_ms(ms['rollup key + quarter'])} ({tables[keyed]['rows']:,} rows)",
                f"{_ms(ms['stats, rollup'])} ({scratch['rollup_groups']:,} rows)",
                _ms(ms["stats, rollup key + quarter"]),
                _ms(day["ms"]["graphql"]["UTC"]),
                _ms(scratch["graphql_estimate_ms"]),
            ]
        )
    lines += _table(
        [
            "database",
            "quarter-hours from the records (app's statement) ms",
            f"from `{quarters}` ms",
            f"from `{keyed}` ms",
            "stats from the rollup ms",
            f"stats from `{keyed}` ms",
            "GraphQL UTC, measured ms",
            "GraphQL UTC, with the quarter rollup ms",
        ],
        rows,
    )
    lines += _time_rollup_writes(records)
    lines += _recommendation(records)
    return lines


def _time_rollup_writes(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    writes = [(b, r["result"]["writes"]) for b, r in records if "writes" in r["result"]]
    if not writes:
        return []
    any_writes = writes[0][1]
    lines = [
        f"Writes: {any_writes['records']:,} updates of `last_attempt_at` in campaign "
        f"{any_writes['campaign']['id']}, with and without a trigger that keeps a "
        "(campaign, quarter-hour) rollup of every campaign, on a copy of the loaded database "
        "(PostgreSQL `CREATE DATABASE … TEMPLATE` once the server has stopped, SQLite a copy "
        "of the file), the app's own rollup triggers as they are. *Transactions*: each "
        "updates one random record of the campaign, setting its last attempt to now, so all "
        "land in the current quarter-hour as a dialer's writes do: pgbench (`"
        + next((w["script"] for _, w in writes if "script" in w), "").strip().replace("\n", " ")
        + f"`, `--transactions` so that the writers make {any_writes['records']:,} in all) "
        "on PostgreSQL, one connection with the app's pragmas on SQLite. *One statement*: "
        f"one UPDATE moves {any_writes['records']:,} consecutive records an hour later (a "
        "window of its own each run). On PostgreSQL the rollup is kept by statement triggers "
        "with transition tables like migration 0004's, either appending each statement's "
        "changes to a delta table (*deltas*, folded in after each run: *compaction*) or "
        "upserting the rollup's rows (*upsert*); on SQLite by a row trigger that upserts "
        "it, as 0004's SQLite triggers keep the rollup. *No time rollup* is the app as it is. "
        "On PostgreSQL the app's own update trigger runs in every mode (it fires on any "
        "UPDATE; no status changes here, so it writes no delta); on SQLite its triggers do "
        "not fire for `last_attempt_at`, so the no-time-rollup runs keep no rollup at all. "
        "Both ways were checked to keep the rollup exact before timing. "
        f"{any_writes['rounds']} rounds per mode, alternating, a checkpoint before every run. "
        "Only UPDATE triggers are measured: a real one needs INSERT and DELETE (and "
        "TRUNCATE) triggers too, which every load would pay.",
        "",
    ]
    rows = []
    for backend, result in writes:
        for variant in result["variants"]:
            for mode in result["modes"]:
                runs = variant["runs"][mode]
                failed = sum(r.get("failed", 0) for r in runs)
                deltas = [r for r in runs if "pending_deltas" in r]
                rows.append(
                    [
                        NAMES[backend],
                        variant["name"]
                        if variant["writers"] == 0
                        else f"transactions, {variant['name']}",
                        mode,
                        ", ".join(f"{r['seconds']:.2f}" for r in runs),
                        f"{variant['seconds'][mode]:.2f}",
                        f"{result['records'] / variant['seconds'][mode]:,.0f}",
                        f"{variant['ratio'][mode]:.2f}",
                        failed if any("failed" in r for r in runs) else "",
                        (
                            f"{statistics.median(r['pending_deltas'] for r in deltas):,.0f} / "
                            f"{_ms(statistics.median(r['compact_ms'] for r in deltas))}"
                        )
                        if deltas
                        else "",
                    ]
                )
    lines += _table(
        [
            "database",
            "workload",
            "mode",
            "s per round",
            "median s",
            "updates/s",
            "time / no time rollup",
            "failed",
            "deltas per run / compaction ms",
        ],
        rows,
    )
    for backend, result in writes:
        lines += [
            f"<details><summary>{NAMES[backend]}: the time rollup and its triggers "
            f"({result['rows'][next(iter(result['rows']))]:,} rows for all campaigns; "
            f"`campaign_audience_rollup` holds {result['rows']['campaign_audience_rollup']:,}; "
            f"built in {result['setup_s']:.1f} s)</summary>",
            "",
            "```sql",
            *(f"{statement};" for statement in result["setup"]),
            *([f"-- compaction\n{result['compact']};"] if "compact" in result else []),
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def _per_write_ms(result: dict[str, Any]) -> tuple[str, float] | None:
    """What keeping the time rollup adds to one update of last_attempt_at, in ms, by the
    single writer's medians (no queueing): its cheaper way (deltas, with their compaction,
    on PostgreSQL), and that way's name."""
    writes = result.get("writes")
    if not writes:
        return None
    variant = next(v for v in writes["variants"] if v["writers"] == 1)
    mode = "deltas" if "deltas" in writes["modes"] else "upsert"
    added = variant["seconds"][mode] - variant["seconds"]["no time rollup"]
    compact = [r["compact_ms"] / 1000 for r in variant["runs"][mode] if "compact_ms" in r]
    if compact:
        added += statistics.median(compact)
    return mode, added * 1000 / writes["records"]


def _recommendation(records: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The verdict on a time bucket in the rollup, from the numbers above."""
    reads, writes, even = [], [], []
    for backend, record in records:
        result = record["result"]
        day, scratch = result["day"], result["rollup"]
        measured = day["ms"]["graphql"]["UTC"]
        estimate = scratch["graphql_estimate_ms"]
        reads.append(
            f"{NAMES[backend]} {_ms(measured)} → {_ms(estimate)} ms, "
            f"{measured / estimate:.0f} times faster"
        )
        for variant in result.get("writes", {}).get("variants", []):
            costs = ", ".join(
                f"{mode} {ratio:.2f}"
                for mode, ratio in variant["ratio"].items()
                if mode != "no time rollup"
            )
            writes.append(f"{NAMES[backend]} {variant['name']}: {costs}")
        if found := _per_write_ms(result):
            mode, per_write = found
            if per_write > 0:
                even.append(
                    f"{NAMES[backend]} ({mode}) one read per "
                    f"{(measured - estimate) / per_write:,.0f} writes ({measured - estimate:,.0f} "
                    f"ms / {per_write * 1000:.0f} µs)"
                )
            else:
                even.append(f"{NAMES[backend]} ({mode}): the write cost is within the noise")
    keyed = [
        f"{NAMES[b]} {_ms(r['result']['rollup']['ms']['stats, rollup'])} → "
        f"{_ms(r['result']['rollup']['ms']['stats, rollup key + quarter'])} ms"
        for b, r in records
    ]
    first = records[0][1]["result"]
    keyed_rows = first["rollup"]["tables"][next(reversed(first["rollup"]["tables"]))]["rows"]
    misses = [NAMES[b] for b, r in records if not r["result"]["day"]["holds"]]
    target = (
        "The day breakdown meets its target without it (it reads the records the plain "
        "statement reads, and folding into a zone costs a few milliseconds), so the target "
        "does not need it"
        if not misses
        else f"The day breakdown misses its target on {' and '.join(misses)} without it"
    )
    return [
        "**Recommendation.** A (campaign, quarter-hour) rollup makes the day breakdown of "  # noqa: S608 (prose)
        f"the {first['campaign']['audience']:,}-contact campaign over HTTP far faster ("
        + "; ".join(reads)
        + ") and makes every writer of `last_attempt_at` pay (time per update against the app "
        "as it is: "
        + "; ".join(writes)
        + "), besides a second set of triggers that loads pay and a compaction, rebuild and "
        f"check of its own. {target}. In time spent it pays for itself only where a "
        "campaign's day chart is read at least once per so many writes of `last_attempt_at` "
        "(read time saved / time added to a single writer's update, with compaction): "
        + "; ".join(even)
        + ". We recommend keeping the day breakdown on the records for now and adding the "
        "time bucket only when dashboards poll day charts of big campaigns that often. Then "
        "as a table of its own, kept by appended deltas on PostgreSQL and folded by the "
        "compaction loop, as the rollup is: upserting the shared quarter-hour row instead "
        "makes concurrent writers queue on it (the 8-writer upsert above). Never as a column "
        "of the rollup's key: the campaign's groups there grow to "
        f"{keyed_rows:,}, and every unfiltered stats request slows (" + "; ".join(keyed) + ").",
        "",
    ]

"""BENCHMARKS.md, written from the stored results of bench/run.py."""

from __future__ import annotations

import json
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
    found = {}
    for path in sorted(results.glob("*-*.json")):
        backend, case = path.stem.split("-", 1)
        found[backend, case] = json.loads(path.read_text())
    return found


def _measured(record: dict[str, Any]) -> str:
    return f"Measured {record['measured_at']} by `{record['command']}`."


def write(results: Path) -> None:
    machine = json.loads((results / "machine.json").read_text())
    found = _load(results)
    backends = [b for b in NAMES if any(key[0] == b for key in found)]
    lines = _header(machine)
    lines += _targets(found, backends)
    for section in (_stats, _pages, _batching, _throughput, _memory, _explain):
        part = section(found, backends)
        if any(line.startswith("###") or line.startswith("|") for line in part):
            lines += part
    OUT.write_text("\n".join(lines).rstrip() + "\n")


def _header(machine: dict[str, Any]) -> list[str]:
    packages = ", ".join(f"{name} {v}" for name, v in machine["packages"].items())
    spec = machine["spec"]
    small = (spec["audience"] - spec["big_campaign"]) // (spec["campaigns"] - 1)
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
            ["packages", packages],
        ],
    )
    lines += [
        "## Data set and method",
        "",
        f"`audience-stats generate OUT {' '.join(machine['generate_args'])}`, loaded with "
        "`audience-stats load OUT` into SQLite and into a PostgreSQL database of the bench's "
        "own (`audience_stats_bench`, then `VACUUM (ANALYZE)`, which autovacuum would soon do "
        "after a load anyway). Both are cached under `bench/.data/` by the generate arguments "
        "and a digest of `app/generate.py`; the SQLite file is used as `load` left it.",
        "",
        f"Campaign 1 holds {spec['big_campaign']:,} contacts; campaigns 2 … {spec['campaigns']} "
        f"hold {small:,} each, and the 50 of workspace 2 serve the batching case. Times are "
        "medians of repeated rounds after warm-up rounds (counts in each section); a round "
        "runs every variant of a case once, "
        "in turn, so drift touches all alike. Servers are `audience-stats serve` processes "
        "(uvicorn) on 127.0.0.1, driven by httpx (a, b, e) or wrk (d). The machine has only "
        "the cores above: wrk and the servers share them.",
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
                    f"(a) GraphQL / raw SQL ≤ {result['target']}",
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
    return ["## Targets", "", *_table(["target", "database", "measured", "verdict"], rows)]


WAYS = {
    "raw": "raw SQL",
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
        lines += [
            f"### {NAMES[backend]}",
            "",
            f"Campaign {result['campaign']['id']} ({result['campaign']['audience']:,} contacts); "
            f"median of {result['repeats']} rounds after {result['warmup']} warm-up rounds. "
            "*Raw SQL* is the statement `Repository.stats` sends (captured with SQLAlchemy's "
            "`before_cursor_execute`), run with its parameters on the bare driver "
            f"({'sqlite3' if backend == 'sqlite' else 'asyncpg'}); *repository* is "
            "`Repository.stats`; *GraphQL* is `campaignAudienceStats` over HTTP to a uvicorn "
            "server process. " + _measured(record),
            "",
        ]
        if backend == "postgresql":
            lines += [
                "On PostgreSQL the raw connection, like the app's (`app/db.py`), plans every "
                "statement for its parameters (`plan_cache_mode = force_custom_plan`), as psql "
                "does with literal values. With asyncpg's prepared statements PostgreSQL would "
                "otherwise settle on one generic plan after five executions, made for an average "
                "campaign, not for one that holds most of the table: before the app set it, that "
                "took the unfiltered stats of this campaign from 215 to 483 ms; (f) shows the "
                "generic plans.",
                "",
            ]
        lines += _table(
            [
                "filter",
                "matching",
                *(f"{WAYS[way]} ms" for way in ways),
                *(f"{WAYS[way]} / raw" for way in ways[1:]),
                f"GraphQL / raw ≤ {result['target']}",
            ],
            [
                [
                    f"{r['case']} `{json.dumps(r['filter'])}`",
                    f"{r['matching']:,}",
                    *(_ms(r["ms"][way]) for way in ways),
                    *(f"{r['ratios'][way]:.2f}" for way in ways[1:]),
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
        f"{r['case']}: {_ms(r['ms']['raw'])} ms of SQL, "
        f"{_ms(r['ms']['graphql'] - r['ms']['raw'])} ms more over HTTP"
        for r in missed
    )
    return [
        "A miss is the request's fixed cost next to a statement that an index makes fast "
        f"({cases}): the token lookup, the HTTP exchange and the GraphQL execution, which (d) "
        "takes apart, cost the same few milliseconds whatever the statement takes. The "
        "repository call itself stays within the target.",
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
    lines += [
        "The 50 campaigns of workspace 2 (1,000 contacts each), through the whole app in-process "
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
        wrk = result["wrk"]
        lines += [
            f"### {NAMES[backend]}",
            "",
            f"`campaignAudienceStats` of campaign {result['campaign']['id']} "
            f"({result['campaign']['audience']:,} contacts), a {result['response_bytes']}-byte "
            f"answer, from `wrk --threads={wrk['threads']} --connections={wrk['connections']} "
            f"--duration={wrk['duration']}s --script=bench/wrk_post.lua` after a "
            f"{result['warmup_s']} s warm-up run, against `audience-stats serve [--workers N]`; "
            "*plain* is `bench/plain_app.py`, a Starlette route answering the same bytes as a "
            "constant, under the same uvicorn settings: the limit of the HTTP stack. "
            + _measured(record),
            "",
        ]
        lines += _table(
            [
                "server",
                "workers",
                "requests/s",
                "p50 ms",
                "p99 ms",
                "GraphQL / plain requests/s",
                "one connection, one request at a time: ms",
            ],
            [
                [
                    "GraphQL" if r["server"] == "graphql" else "plain",
                    r["workers"],
                    f"{r['rps']:,.0f}",
                    _ms(r["p50_us"] / 1000),
                    _ms(r["p99_us"] / 1000),
                    f"{r['ratio_to_plain']:.2f}" if "ratio_to_plain" in r else "",
                    _ms(r["one_connection_ms"]),
                ]
                for r in result["rows"]
            ],
        )
        lines += _nagle_note(result["rows"])
        lines += _layers(result["layers"], result["rows"][0]["rps"])
        lines += _profile(result["profile"], backend)
    return lines


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
        ["token lookup in the auth middleware (`Repository.workspace_for_token`)",
         ms["token lookup"]],
        ["JSON serialisation of the answer (`json.dumps`)", ms["serialise"]],
        ["HTTP view, middleware, ASGI (derived)", layers["http_ms"]],
        ["whole request in-process (httpx `ASGITransport`)", ms["request"]],
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
        " Work that aiosqlite does in its own thread is not sampled: the loop waits for it in "
        "the selector, and is woken through its self-pipe when a result is ready."
        if backend == "sqlite"
        else ""
    )
    lines = [
        f"Profile: pyinstrument sampled the event loop thread of a one-process server for "
        f"{profile['duration_s']:.1f} s of the same load; session in `{profile['session']}` "
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
                kind = "GraphQL" if r["server"] == "graphql" else "plain"
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
            notes.append(f"{NAMES[backend]} walk: " + _measured(record))
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
        "run raw with its parameters: `EXPLAIN QUERY PLAN` on SQLite, "
        "`EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL.",
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

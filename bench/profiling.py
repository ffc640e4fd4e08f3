"""A pyinstrument session of the server under load, summarised: where the event loop thread
spends its time, by layer, and the functions with the most time of their own."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from pyinstrument.session import Session

# Layers by where a frame's code is ("function path"), in priority order: a sample belongs
# to the first layer that any frame of its task's stack belongs to. So time in asyncio, json
# or typing counts for the layer that called them, and the visitor of graphql.language
# counts for validation when validation drives it.
DRIVER = "database driver"
SQLALCHEMY = "SQLAlchemy (statement build, compile, rows)"
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (DRIVER, ("/aiosqlite/", "/asyncpg/", "/sqlite3/")),
    (SQLALCHEMY, ("/sqlalchemy/",)),
    ("GraphQL validate", ("/graphql/validation/", "/app/graphql/limits")),
    ("GraphQL parse", ("/graphql/language/parser", "/graphql/language/lexer")),
    ("JSON serialisation of the response", ("/json/encoder",)),
    (
        "GraphQL execution (resolvers, loaders, extensions)",
        (
            "/graphql/",
            "/strawberry/schema/",
            "/strawberry/types/",
            "/strawberry/extensions/",
            "/strawberry/dataloader",
            "/app/graphql/query",
            "/app/graphql/types",
            "/app/graphql/inputs",
            "/app/graphql/errors",
            "/app/loaders",
        ),
    ),
    ("auth middleware", ("/app/auth",)),
    ("app domain code (repository, filters, stats)", ("/app/",)),
    # aiosqlite's thread hands each result back through the loop's self-pipe.
    ("event loop: woken by the database thread", ("_read_from_self ",)),
    (
        "HTTP: sockets, uvicorn, h11, Starlette, the GraphQL view",
        (
            "/asyncio/selector_events",
            "/uvicorn/",
            "/h11/",
            "/starlette/",
            "/cross_web/",
            "/strawberry/",
            "/app/graphql/",
        ),
    ),
)
IDLE = "event loop: waiting for I/O (selector)"
LOOP = "event loop: scheduling"
OTHER = "other"


def _parts(frame_info: str) -> tuple[str, str, str]:
    function, path, line = [*frame_info.split("\x01")[0].split("\x00"), "", ""][:3]
    return function, path, line


def layer(stack: list[str]) -> str:
    frames = [_parts(info) for info in stack]
    # Callbacks run under Handle._run; below it is the loop itself. uvloop's loop is C, so
    # there a callback's frames start right under asyncio.run's. SQLAlchemy's greenlets have
    # stacks of their own, without the loop.
    runs = [
        i
        for i, (fn, path, _) in enumerate(frames)
        if (fn == "_run" and "asyncio/events" in path)
        or (fn == "run" and "asyncio/runners" in path)
    ]
    if runs:
        task = [f"{function} {path}" for function, path, _ in frames[runs[-1] + 1 :]]
        for name, patterns in LAYERS:
            if any(pattern in where for where in task for pattern in patterns):
                return name
        return LOOP if all("/asyncio/" in w or " <" in w for w in task) else OTHER
    paths = [path for _, path, _ in frames]
    for name, patterns in LAYERS[:2]:
        if any(pattern in path for path in paths for pattern in patterns):
            return name
    return IDLE if any("selectors" in path for path in paths) else LOOP


def _short(path: str) -> str:
    for marker in ("site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _most(seconds: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(seconds.items(), key=lambda item: -item[1])


def summarise(path: Path, top: int = 15) -> dict[str, Any]:
    session = Session.load(path)
    layers: defaultdict[str, float] = defaultdict(float)
    own: defaultdict[str, float] = defaultdict(float)
    for stack, seconds in session.frame_records:
        layers[layer(stack)] += seconds
        function, file, line = _parts(stack[-1])
        own[f"{function} ({_short(file)}:{line})"] += seconds
    total = sum(layers.values())
    busy = total - layers[IDLE]
    return {
        "duration_s": session.duration,
        "cpu_s": session.cpu_time,
        "samples": session.sample_count,
        "layers": [
            {"layer": name, "share": seconds / total, "busy_share": seconds / busy}
            for name, seconds in _most(layers)
        ],
        "top_own": [
            {"function": name, "share": seconds / total} for name, seconds in _most(own)[:top]
        ],
        "idle": IDLE,
    }

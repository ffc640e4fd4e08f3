"""The `audience-stats` command: serve | load | export-schema."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from app.db import create_engine, migrate
from app.demo import SEEDS
from app.loading import LoadError, load_directory
from app.repository import Repository
from app.settings import Settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="audience-stats", description="Campaign audience statistics over GraphQL and REST."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the API (an empty embedded database gets the demo data first)"
    )
    try:
        defaults = Settings.from_env()
    except ValueError as error:
        parser.error(str(error))
    serve.add_argument("--host", default=defaults.host, help=f"default {defaults.host}")
    serve.add_argument("--port", type=int, default=defaults.port, help=f"default {defaults.port}")
    load = commands.add_parser("load", help="create or upgrade the schema, then load CSV files")
    load.add_argument("directory", type=Path, help="folder with the load format's CSV files")
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    args = parser.parse_args(argv)

    if args.command == "serve":
        asyncio.run(_prepare(defaults))
        from app.app import create_app

        uvicorn.run(create_app(defaults), host=args.host, port=args.port)
    elif args.command == "load":
        return asyncio.run(_load(defaults, args.directory))
    else:
        from app.graphql.schema import schema

        print(schema.as_str())
    return 0


async def _prepare(settings: Settings) -> None:
    """Bring the schema up to date; an empty embedded database gets the demo data."""
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        if engine.dialect.name == "sqlite" and not await Repository(engine).has_workspaces():
            print(f"Empty database: loading the demo data from {SEEDS}", file=sys.stderr)
            await load_directory(engine, SEEDS)
    finally:
        await engine.dispose()


async def _load(settings: Settings, directory: Path) -> int:
    engine = create_engine(settings.database_url)
    started = time.perf_counter()
    try:
        counts = await load_directory(engine, directory)
    except LoadError as error:
        print(f"audience-stats load: {error}", file=sys.stderr)
        print("Nothing of this load was kept.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    summary = ", ".join(f"{rows} rows of {name}" for name, rows in counts.items())
    print(f"Loaded {summary} in {time.perf_counter() - started:.1f} s.")
    return 0

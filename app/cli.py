"""The `audience-stats` command: serve | load | generate | rollups | simulate | tokens |
export-schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import logging.config
import math
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import make_url
from tqdm import tqdm

from app import rollups, simulate, tokens
from app.db import create_engine, migrate
from app.demo import SEEDS
from app.filters import AudienceStatus
from app.generate import Plan, generate, workspace_token
from app.load_format import LoadError
from app.loading import load_directory
from app.logs import log_config
from app.progress import Progress, ProgressBar
from app.server import serve
from app.settings import Settings
from app.tables import ROLLUP_KEY

logger = logging.getLogger("app.cli")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="audience-stats", description="Campaign audience statistics over GraphQL and REST."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser(
        "serve", help="serve the API (an empty embedded database gets the demo data first)"
    )
    try:
        defaults = Settings.from_env()
    except ValueError as error:
        parser.error(str(error))
    serve_command.add_argument("--host", default=defaults.host, help=f"default {defaults.host}")
    serve_command.add_argument(
        "--port", type=int, default=defaults.port, help=f"default {defaults.port}"
    )
    serve_command.add_argument(
        "--workers",
        type=_count(1),
        default=1,
        help="worker processes (default 1); each builds the app from the environment",
    )
    load = commands.add_parser("load", help="create or upgrade the schema, then load CSV files")
    load.add_argument("directory", type=Path, help="folder with the load format's CSV files")
    load.add_argument("--quiet", action="store_true", help=_QUIET_HELP)
    generate_command = _add_generate(commands)
    rollups_command = commands.add_parser(
        "rollups", help="compare the stats rollup with the records, or rebuild it"
    )
    rollup_actions = rollups_command.add_subparsers(dest="action", required=True)
    rollup_actions.add_parser(
        "check", help="compare the rollup with a GROUP BY over the records; exit 1 on drift"
    )
    rebuild = rollup_actions.add_parser("rebuild", help="recompute the rollup from the records")
    rebuild.add_argument(
        "--campaign",
        type=_count(1),
        action="append",
        metavar="ID",
        help="only this campaign (repeatable); all campaigns when absent",
    )
    _add_simulate(commands)
    _add_tokens(commands)
    commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    args = parser.parse_args(argv)

    if args.command == "serve":
        # The server's logging from the start, so that preparing logs as serving does.
        logging.config.dictConfig(log_config(defaults.json_logs))
        asyncio.run(_prepare(defaults))
        # The factory reads the same environment (DATABASE_URL and the rest) as this did.
        serve(
            "app.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            max_message_bytes=defaults.max_body_bytes,
            workers=args.workers,
            json_logs=defaults.json_logs,
        )
    elif args.command == "load":
        return asyncio.run(_load(defaults, args.directory, _bars(args.quiet, " lines")))
    elif args.command == "rollups":
        if args.action == "check":
            return asyncio.run(_check_rollups(defaults))
        return asyncio.run(_rebuild_rollups(defaults, args.campaign))
    elif args.command == "generate":
        try:
            plan = Plan(
                workspaces=args.workspaces,
                campaigns=args.campaigns,
                audience=args.audience,
                seed=args.seed,
                big_campaigns=tuple(args.big_campaign or ()),
            )
        except ValueError as error:
            generate_command.error(str(error))
        return _generate(args.directory, plan, _bars(args.quiet, " rows"))
    elif args.command == "simulate":
        return asyncio.run(_simulate(defaults, args))
    elif args.command == "tokens":
        return asyncio.run(_tokens(defaults, args))
    else:
        from app.graphql.schema import schema

        print(schema.as_str())
    return 0


async def _prepare(settings: Settings) -> None:
    """Bring the schema up to date; a new embedded database gets the demo data.

    New means that the file is missing or empty (SQLite reads an empty file as an empty
    database). A database that a load has ever touched, even one that failed and kept no row,
    holds the schema, so it is never seeded: its data and tokens are not the demo's.
    """
    url = make_url(settings.database_url)
    new = url.get_backend_name() == "sqlite" and _is_empty(url.database)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        if new:
            logger.info("New database: loading the demo data from %s", SEEDS)
            await load_directory(engine, SEEDS, demo=True)
    finally:
        await engine.dispose()


def _is_empty(database: str | None) -> bool:
    # An in-memory SQLite database is new each time, but nobody else can read it: not seeded.
    if database in (None, "", ":memory:"):
        return False
    path = Path(database)
    return not path.exists() or path.stat().st_size == 0


_QUIET_HELP = "no progress bars (they show only on a terminal anyway)"


def _count(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number ≥ low (1_000_000 is fine)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"must be a whole number ≥ {low}, got {text!r}")
        return value

    return parse


def _positive(text: str) -> float:
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}")
    return value


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "simulate",
        help="play a running campaign into the database, as a dialer would",
        description=(
            "Call the campaign's contacts still to call (fresh or in the queue, attempts left),"
            " fewest attempts first: each call starts an attempt (RINGING) and ends it shortly"
            " after with a drawn outcome, in two transactions of plain SQL. Prints a line a"
            " second; stops after --seconds, on Ctrl-C or SIGTERM (calls still ringing end"
            " first), or when nobody is left to call. Exit 2 when the campaign does not exist"
            " or has nobody to call."
        ),
    )
    command.add_argument("--campaign", type=_count(1), required=True, metavar="ID")
    command.add_argument(
        "--rate",
        type=_positive,
        default=5.0,
        metavar="CALLS_PER_S",
        help="calls started per second; default 5",
    )
    command.add_argument(
        "--seconds", type=_positive, metavar="S", help="how long; default until Ctrl-C or SIGTERM"
    )
    command.add_argument(
        "--seed",
        type=_count(0),
        metavar="N",
        help="the same outcomes in the same order for the same seed",
    )


async def _simulate(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:  # a clean stop: no KeyboardInterrupt in the middle of a write
        loop.add_signal_handler(signum, stop.set)
    started = time.perf_counter()
    try:
        await migrate(engine)
        tally = await simulate.simulate(
            engine,
            args.campaign,
            rate=args.rate,
            seconds=args.seconds,
            seed=args.seed,
            stop=stop,
        )
    except simulate.NothingToCall as error:
        print(f"audience-stats simulate: {error}", file=sys.stderr)
        return 2
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
        await engine.dispose()
    why = "nobody is left to call" if tally.exhausted else "stopped"
    print(
        f"Campaign {args.campaign}: {_counted(tally.started, 'call')} started and"
        f" {tally.ended} ended in {time.perf_counter() - started:.1f} s; {why}."
    )
    return 0


def _add_generate(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    command = commands.add_parser(
        "generate",
        help="write a synthetic data set in the load format",
        description=(
            "Write workspaces.csv, api_tokens.csv, campaigns.csv and audience.csv: campaigns"
            " in progress, deterministic for a seed. Campaign k belongs to workspace"
            " ((k - 1) mod W) + 1; the audience is spread evenly over the campaigns, or"
            " campaigns 1, 2, … get the --big-campaign rows and the others share the rest. The"
            " token of workspace W is gen-s<SEED>-w<W>."
        ),
    )
    command.add_argument("directory", type=Path, help="folder to write (created if missing)")
    command.add_argument("--workspaces", type=_count(1), default=1, help="default 1")
    command.add_argument("--campaigns", type=_count(0), default=1, help="default 1")
    command.add_argument(
        "--audience", type=_count(0), default=10_000, help="audience rows in all; default 10000"
    )
    command.add_argument(
        "--big-campaign",
        type=_count(0),
        action="append",
        metavar="ROWS",
        help="rows of campaign 1; repeat for campaigns 2, 3, …; the others share the rest",
    )
    command.add_argument("--seed", type=_count(0), default=0, help="default 0")
    command.add_argument("--quiet", action="store_true", help=_QUIET_HELP)
    return command


def _bars(quiet: bool, unit: str) -> Progress:
    """Progress bars on stderr; tqdm leaves them out when stderr is not a terminal."""

    def bar(name: str, total: int) -> ProgressBar:
        return tqdm(
            total=total,
            desc=name,
            unit=unit,
            file=sys.stderr,
            disable=True if quiet else None,
        )

    return bar


def _generate(directory: Path, plan: Plan, progress: Progress) -> int:
    started = time.perf_counter()
    try:
        generate(directory, plan, progress)
    except OSError as error:
        print(f"audience-stats generate: cannot write {directory}: {error}", file=sys.stderr)
        return 1
    print(
        f"Wrote {_counted(plan.audience, 'audience row')} in"
        f" {_counted(plan.campaigns, 'campaign')} of {_counted(plan.workspaces, 'workspace')}"
        f" to {directory} in {time.perf_counter() - started:.1f} s."
    )
    shown = min(plan.workspaces, 5)
    tokens = ", ".join(f"{w}: {workspace_token(plan.seed, w)}" for w in range(1, shown + 1))
    more = f", … (workspace N: gen-s{plan.seed}-wN)" if plan.workspaces > shown else ""
    print(f"API tokens by workspace: {tokens}{more}")
    return 0


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


async def _load(settings: Settings, directory: Path, progress: Progress) -> int:
    engine = create_engine(settings.database_url)
    started = time.perf_counter()
    try:
        counts = await load_directory(engine, directory, progress)
    except LoadError as error:
        print(f"audience-stats load: {error}", file=sys.stderr)
        print("Nothing of this load was kept.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    summary = ", ".join(f"{rows} rows of {name}" for name, rows in counts.items())
    print(f"Loaded {summary} in {time.perf_counter() - started:.1f} s.")
    return 0


async def _check_rollups(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            drift = await rollups.check(connection)
    finally:
        await engine.dispose()
    if not drift:
        print("The rollup matches the records.")
        return 0
    for found in drift:
        named = zip(ROLLUP_KEY[1:], found.group[1:], strict=True)
        group = ", ".join(
            f"{name}={value.name if isinstance(value, AudienceStatus) else repr(value)}"
            for name, value in named
        )
        print(
            f"campaign {found.campaign_id} ({group}): records {found.records[0]} with"
            f" {found.records[1]} s, rollup {found.rollup[0]} with {found.rollup[1]} s"
        )
    campaigns = sorted({found.campaign_id for found in drift})
    print(
        f"The rollup differs from the records in {_counted(len(drift), 'group')}, of"
        f" {_counted(len(campaigns), 'campaign')} ({', '.join(map(str, campaigns))}):"
        " `audience-stats rollups rebuild [--campaign ID]` repairs it.",
        file=sys.stderr,
    )
    return 1


async def _rebuild_rollups(settings: Settings, campaign_ids: list[int] | None) -> int:
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        async with engine.begin() as connection:
            await rollups.rebuild(connection, campaign_ids)
    finally:
        await engine.dispose()
    which = "every campaign" if campaign_ids is None else f"campaigns {campaign_ids}"
    print(f"Rebuilt the rollup of {which} from the records.")
    return 0


def _add_tokens(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("tokens", help="make, list or revoke API tokens")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser(
        "create", help="make a token of a workspace and print it (only its hash is kept)"
    )
    create.add_argument("--workspace", type=_count(1), required=True, metavar="ID")
    create.add_argument("--name", default="made by audience-stats tokens create")
    listing = actions.add_parser(
        "list", help="the tokens: id, workspace, name, created, revoked (never the token)"
    )
    listing.add_argument("--workspace", type=_count(1), metavar="ID", help="only this one's")
    revoke = actions.add_parser(
        "revoke", help="revoke a token by its id, as `tokens list` shows it"
    )
    revoke.add_argument("id", help=f"the {tokens.ID_LENGTH} hex digits `tokens list` shows")


async def _tokens(settings: Settings, args: argparse.Namespace) -> int:
    await _prepare(settings)  # as serve would: a new embedded database gets the demo data
    engine = create_engine(settings.database_url)
    try:
        if args.action == "create":
            token = await tokens.create(engine, args.workspace, args.name)
            print(token)
            print(
                "Keep it now: only its SHA-256 is stored, so it cannot be shown again.",
                file=sys.stderr,
            )
        elif args.action == "list":
            for found in await tokens.listed(engine, args.workspace):
                print(_token_line(found))
        else:
            revoked = await tokens.revoke(engine, args.id)
            print(_token_line(revoked))
            print(
                f"Refused by every server within {settings.token_cache_seconds:g} s "
                "(AUDIENCE_STATS_TOKEN_CACHE_SECONDS).",
                file=sys.stderr,
            )
    except tokens.TokenError as error:
        print(f"audience-stats tokens {args.action}: {error}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    return 0


def _token_line(found: tokens.TokenInfo) -> str:
    def when(moment: datetime | None) -> str:
        return "-" if moment is None else moment.isoformat(timespec="seconds")

    return "\t".join(
        [
            found.id,
            f"workspace {found.workspace_id}",
            found.name,
            f"created {when(found.created_at)}",
            f"revoked {when(found.revoked_at)}",
        ]
    )

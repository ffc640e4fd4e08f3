"""The audience-stats command line, run as a user would."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from app import cli, server
from app.db import create_engine
from app.tables import campaign_audience, workspace
from tests.conftest import clear
from tests.server import free_port, serve

ROOT = Path(__file__).parents[1]
DEMO_TOKEN = "demo-acme-7f3c9a1e5b2d4c68"
SUCCESSFUL = {"AGENT_ENDED", "USER_ENDED", "COMPLETED", "ANSWER"}


async def _count(url: str, table: sa.Table) -> int:
    engine = create_engine(url)
    async with engine.connect() as conn:
        count = await conn.scalar(sa.select(sa.func.count()).select_from(table))
    await engine.dispose()
    return int(count or 0)


async def _clear(url: str) -> None:
    engine = create_engine(url)
    await clear(engine)
    await engine.dispose()


@pytest.fixture
def empty_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL of an empty, migrated database, as the command reads it."""
    asyncio.run(_clear(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield database_url
    asyncio.run(_clear(database_url))


def test_export_schema_prints_schema_graphql(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export-schema"]) == 0
    assert capsys.readouterr().out == (ROOT / "schema.graphql").read_text()


def test_load_seeds_twice_keeps_one_copy(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        assert cli.main(["load", str(ROOT / "seeds")]) == 0
        assert capsys.readouterr().out.startswith("Loaded ")
        assert asyncio.run(_count(empty_database, campaign_audience)) == _csv_rows("audience.csv")


def test_load_of_a_bad_file_names_the_place_and_keeps_nothing(
    empty_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "workspaces.csv").write_text("id,name\n1,Acme\nx,Globex\n")
    assert cli.main(["load", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert 'workspaces.csv, line 3, column "id"' in err
    assert "Traceback" not in err
    assert asyncio.run(_count(empty_database, workspace)) == 0


def _csv_rows(name: str) -> int:
    with (ROOT / "seeds" / name).open(newline="") as file:
        return sum(1 for _ in csv.DictReader(file))


def _first_readme_query() -> str:
    match = re.search(r"```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert match
    return match.group(1)


def _expected_readme_stats() -> dict[str, object]:
    """Campaign 2's COMPLETED and INQUEUE records, summed straight from the seed CSV."""
    with (ROOT / "seeds" / "audience.csv").open(newline="") as file:
        rows = [r for r in csv.DictReader(file) if r["campaign_id"] == "2" and r["status"] in "13"]
    return {
        "totalAudience": len(rows),
        "totalAttempt": str(sum(int(r["attempt"]) for r in rows)),
        "totalDuration": str(sum(int(r["duration"]) for r in rows)),
        "successfulCalls": sum(r["call_status"] in SUCCESSFUL for r in rows),
    }


def test_serve_seeds_an_empty_database_and_answers_the_readme_query(tmp_path: Path) -> None:
    # The default database is ./audience_stats.db in the working directory, as on a fresh clone.
    with serve(tmp_path, {"DATABASE_URL": ""}) as server:
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": _first_readme_query()},
            headers={"token": DEMO_TOKEN},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    found = body["data"]["campaign"]
    stats = found["audienceStats"]
    assert {k: stats[k] for k in _expected_readme_stats()} == _expected_readme_stats()
    assert found["audience"]["totalCount"] == stats["totalAudience"]
    durations = [edge["node"]["duration"] for edge in found["audience"]["edges"]]
    assert len(durations) == 5
    assert durations == sorted(durations, reverse=True)
    assert b"New database: loading the demo data" in server.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("quiet", [False, True], ids=["bars", "quiet"])
def test_load_shows_progress_on_a_terminal_unless_quiet(
    empty_database: str, monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    assert cli.main(["load", str(ROOT / "seeds"), *(["--quiet"] if quiet else [])]) == 0

    shown = terminal.getvalue()
    if quiet:
        assert shown == ""
    else:
        for path in ROOT.joinpath("seeds").glob("*.csv"):
            assert f"{path.name}: 100%" in shown


def test_serve_with_two_workers_uses_the_host_port_and_database_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    args = ["--workspaces", "2", "--campaigns", "3", "--audience", "900", "--seed", "9"]
    assert cli.main(["generate", str(data), *args, "--quiet"]) == 0
    database = f"sqlite+aiosqlite:///{tmp_path / 'generated.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    assert cli.main(["load", str(data), "--quiet"]) == 0
    # Campaigns of workspace 1 and their audience sizes, from the CSV files.
    with (data / "campaigns.csv").open(newline="") as file:
        ours = [int(row["id"]) for row in csv.DictReader(file) if row["workspace_id"] == "1"]
    with (data / "audience.csv").open(newline="") as file:
        sizes = Counter(int(row["campaign_id"]) for row in csv.DictReader(file))
    elsewhere = tmp_path / "elsewhere"  # so the default ./audience_stats.db would be empty
    elsewhere.mkdir()
    port = free_port()
    command = Path(sys.executable).parent / "audience-stats"
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(
        [command, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        cwd=elsewhere,
        env={**os.environ, "DATABASE_URL": database},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        # A thread drains stderr for the whole run, so the server never blocks on a full pipe.
        reader = threading.Thread(target=_drain, args=(process.stderr, lines))
        reader.start()
        try:
            workers = _started_workers(lines, 2)
            response = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": QUERY_CAMPAIGNS},
                headers={"token": "gen-s9-w1"},
            )
        finally:
            process.terminate()
            process.wait(timeout=30)
            reader.join(timeout=30)
    assert len(workers) == 2
    assert response.status_code == 200, response.text
    edges = response.json()["data"]["campaigns"]["edges"]
    found = {e["node"]["id"]: e["node"]["audienceStats"]["totalAudience"] for e in edges}
    assert found == {campaign: sizes[campaign] for campaign in ours}


QUERY_CAMPAIGNS = "{ campaigns { edges { node { id audienceStats { totalAudience } } } } }"


def _drain(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _started_workers(lines: queue.Queue[str], count: int) -> set[str]:
    """The process ids of the workers, once `count` of them have started up."""
    deadline = time.monotonic() + 60
    workers: set[str] = set()
    ready = 0
    while ready < count:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        # uvicorn logs these two lines once per worker process.
        if match := re.search(r"Started server process \[(\d+)\]", line):
            workers.add(match.group(1))
        ready += "Application startup complete" in line
    return workers


def test_worker_processes_accept_connections_without_nagle_delay() -> None:
    # Workers serve a socket the supervisor binds; the connections it accepts must have
    # TCP_NODELAY, or each keep-alive request waits for a delayed ACK.
    config = server.NoDelayConfig("app.app:create_app", factory=True, host="127.0.0.1", port=0)
    with config.bind_socket() as listener:
        listener.listen()
        with socket.create_connection(listener.getsockname()) as _client:
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_serve_caps_websocket_messages_at_the_body_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A WebSocket message over AUDIENCE_STATS_MAX_BODY_BYTES closes its connection, as a
    body over it is refused: uvicorn is configured with that cap."""
    seen: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *_: seen.append(self.config))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'ws.db'}")
    monkeypatch.setenv("AUDIENCE_STATS_MAX_BODY_BYTES", "12345")
    cli.main(["serve", "--port", str(free_port())])
    [config] = seen
    assert config.ws_max_size == 12345
    # Idle sockets are pinged, and dropped when the pong does not come.
    assert (config.ws_ping_interval, config.ws_ping_timeout) == (20, 20)

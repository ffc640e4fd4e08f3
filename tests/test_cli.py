"""The audience-stats command line, run as a user would."""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app import cli
from app.db import create_engine
from app.tables import campaign_audience, workspace
from tests.conftest import clear
from tests.server import serve

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
    assert b"demo data" in server.stderr

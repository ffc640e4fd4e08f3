"""Loading CSV directories: validation, idempotence and all-or-nothing (contract section 7)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import load_format
from app.load_format import LoadError
from app.loading import load_directory
from app.tables import (
    api_token,
    campaign,
    campaign_audience,
    campaign_audience_replaced,
    workspace,
)
from app.timestamps import as_utc
from app.tokens import hash_token
from tests.conftest import tables_of

SEEDS = Path(__file__).parent.parent / "seeds"

AUDIENCE_HEADER = (
    "id,campaign_id,mobile_no,status,call_status,first_status,last_status,"
    "attempt,duration,last_attempt_at,last_disposition,input_data"
)

# A small good data set, as the lines of each file.
GOOD: dict[str, list[str]] = {
    "workspaces.csv": ["id,name", "1,Acme Health", "2,Globex Realty"],
    "api_tokens.csv": ["token,workspace_id,name", "tok-acme-secret,1,CI", "tok-globex,2,Board"],
    "campaigns.csv": [
        "id,workspace_id,name,max_attempts,created_at",
        "10,1,Spring check-in,3,2026-03-01T09:00:00+02:00",
        "11,1,Flu shots,2,2026-03-02 08:00:00",
        "20,2,Open house,3,2026-04-01T00:00:00Z",
    ],
    "audience.csv": [
        AUDIENCE_HEADER,
        "100,10,+12025550100,1, agent_ended ,no_answer,Agent_Ended,2,95,"
        '2026-03-05T10:15:00-05:00,Interested,"{""first_name"": ""Ana"", ""tags"": [1, 2]}"',
        "101,10,+12025550101,0,,,,0,0,,,",
        '102,11,+12025551212,3,RINGING,BUSY,BUSY,1,0,2026-03-06T08:00:00,,"{""city"": ""Zürich""}"',
        "103,11,+12025550103,2,REJECTED,REJECTED,REJECTED,1,0,2026-03-06T09:00:00Z,,{}",
        "104,20,+13055550505,1,USER_ENDED,USER_ENDED,USER_ENDED,1,600,2026-04-02T12:00:00Z,,",
    ],
}


def write(directory: Path, files: dict[str, list[str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (directory / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return directory


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the rollup's too), in order; not SQLite's note of a row
    REPLACE displaces, which a skipped write may leave behind and the next insert clears."""
    async with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in await conn.execute(
                    sa.select(table).order_by(*(table.primary_key or table.c))
                )
            ]
            for table in tables_of(engine)
            if table is not campaign_audience_replaced
        }


async def test_good_load(engine: AsyncEngine, tmp_path: Path) -> None:
    directory = write(tmp_path / "data", GOOD)
    # Columns in another order, CRLF line ends and a BOM are all fine.
    with (directory / "audience.csv").open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(row[::-1] for row in csv.reader(GOOD["audience.csv"]))
    workspaces = directory / "workspaces.csv"
    workspaces.write_bytes(b"\xef\xbb\xbf" + workspaces.read_bytes())

    counts = await load_directory(engine, directory)

    assert counts == {
        "workspaces.csv": 2,
        "api_tokens.csv": 2,
        "campaigns.csv": 3,
        "audience.csv": 5,
    }
    async with engine.connect() as conn:
        names = (await conn.execute(sa.select(workspace.c.name).order_by(workspace.c.id))).all()
        assert [name for (name,) in names] == ["Acme Health", "Globex Realty"]
        tokens = (await conn.execute(sa.select(api_token))).mappings().all()
        assert {t["token_hash"]: t["workspace_id"] for t in tokens} == {
            hash_token("tok-acme-secret"): 1,
            hash_token("tok-globex"): 2,
        }
        assert all("tok-" not in str(value) for t in tokens for value in t.values())
        created = dict((await conn.execute(sa.select(campaign.c.id, campaign.c.created_at))).all())
        assert {id_: as_utc(at) for id_, at in created.items()} == {
            10: datetime(2026, 3, 1, 7, 0, tzinfo=UTC),
            11: datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            20: datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
        }
        rows = {
            row["id"]: row for row in (await conn.execute(sa.select(campaign_audience))).mappings()
        }
    first = rows[100]
    assert (first["call_status"], first["first_status"], first["last_status"]) == (
        "AGENT_ENDED",
        "NO_ANSWER",
        "AGENT_ENDED",
    )
    assert (first["status"], first["attempt"], first["duration"]) == (1, 2, 95)
    assert as_utc(first["last_attempt_at"]) == datetime(2026, 3, 5, 15, 15, tzinfo=UTC)
    assert first["input_data"] == {"first_name": "Ana", "tags": [1, 2]}
    assert first["last_disposition"] == "Interested"
    fresh = rows[101]
    assert (fresh["call_status"], fresh["first_status"], fresh["last_status"]) == (None,) * 3
    assert (fresh["last_attempt_at"], fresh["last_disposition"]) == (None, None)
    assert fresh["input_data"] == {}
    assert rows[102]["input_data"] == {"city": "Zürich"}
    assert as_utc(rows[102]["last_attempt_at"]) == datetime(2026, 3, 6, 8, 0, tzinfo=UTC)
    assert rows[104]["input_data"] == {}


async def test_loading_twice_changes_nothing(engine: AsyncEngine, tmp_path: Path) -> None:
    directory = write(tmp_path / "data", GOOD)
    first = await load_directory(engine, directory)
    before = await snapshot(engine)

    assert await load_directory(engine, directory) == first
    assert await snapshot(engine) == before
    assert len(before["campaign_audience"]) == 5


async def test_reload_updates_rows_and_keeps_revocation(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await load_directory(engine, write(tmp_path / "first", GOOD))
    async with engine.begin() as conn:
        await conn.execute(sa.update(api_token).values(revoked_at=datetime(2026, 5, 1, tzinfo=UTC)))
    changed = {
        "workspaces.csv": ["id,name", "1,Acme Health Inc."],
        "api_tokens.csv": ["token,workspace_id,name", "tok-acme-secret,1,Renamed"],
    }

    assert await load_directory(engine, write(tmp_path / "second", changed)) == {
        "workspaces.csv": 1,
        "api_tokens.csv": 1,
    }

    async with engine.connect() as conn:
        assert await conn.scalar(sa.select(workspace.c.name).where(workspace.c.id == 1)) == (
            "Acme Health Inc."
        )
        token = (
            await conn.execute(
                sa.select(api_token).where(api_token.c.token_hash == hash_token("tok-acme-secret"))
            )
        ).one()
    assert token.name == "Renamed"
    assert token.revoked_at is not None


async def test_references_may_point_at_earlier_loads(engine: AsyncEngine, tmp_path: Path) -> None:
    await load_directory(
        engine, write(tmp_path / "first", {"workspaces.csv": GOOD["workspaces.csv"]})
    )
    later = {name: GOOD[name] for name in ("campaigns.csv", "audience.csv")}

    assert await load_directory(engine, write(tmp_path / "second", later)) == {
        "campaigns.csv": 3,
        "audience.csv": 5,
    }


# Each case: the file to spoil, the line to put there (replacing that line of GOOD, or appended
# when the index is past the end), and where the error must point: line and column.
BAD_ROWS = {
    "wrong type": ("audience.csv", 6, "105,20,+1202,1,,,,two,0,,,", 7, "attempt"),
    "id not a number": ("campaigns.csv", 4, "x,2,Fall,3,2026-04-01T00:00:00Z", 5, "id"),
    "bad timestamp": ("campaigns.csv", 4, "21,2,Fall,3,yesterday", 5, "created_at"),
    "unknown status": ("audience.csv", 6, "105,20,+1202,7,,,,0,0,,,", 7, "status"),
    "negative attempt": ("audience.csv", 6, "105,20,+1202,1,,,,-1,0,,,", 7, "attempt"),
    "attempt too large": ("audience.csv", 6, "105,20,+1202,1,,,,2147483648,0,,,", 7, "attempt"),
    "negative duration": ("audience.csv", 6, "105,20,+1202,1,,,,1,-5,,,", 7, "duration"),
    "negative max_attempts": ("campaigns.csv", 4, "21,2,Fall,-1,2026-04-01", 5, "max_attempts"),
    "missing mobile_no": ("audience.csv", 6, "105,20,,1,,,,0,0,,,", 7, "mobile_no"),
    "dangling campaign_id": ("audience.csv", 6, "105,99,+1202,1,,,,0,0,,,", 7, "campaign_id"),
    "dangling workspace_id": ("campaigns.csv", 4, "21,9,Fall,3,2026-04-01", 5, "workspace_id"),
    "dangling token workspace": ("api_tokens.csv", 3, "tok-x,9,Ops", 4, "workspace_id"),
    "missing token": ("api_tokens.csv", 3, ",2,Ops", 4, "token"),
    "bad JSON": ("audience.csv", 6, '105,20,+1202,1,,,,0,0,,,"{""a"": 1"', 7, "input_data"),
    "JSON array": ("audience.csv", 6, "105,20,+1202,1,,,,0,0,,,[1]", 7, "input_data"),
    "JSON string": ("audience.csv", 6, '105,20,+1202,1,,,,0,0,,,"""a"""', 7, "input_data"),
    "JSON NaN": ("audience.csv", 6, '105,20,+1202,1,,,,0,0,,,"{""a"": NaN}"', 7, "input_data"),
    "NUL in text": ("audience.csv", 6, "105,20,+12\x0002,1,,,,0,0,,,", 7, "mobile_no"),
    "NUL in status": ("audience.csv", 6, "105,20,+1202,1,BU\x00SY,,,0,0,,,", 7, "call_status"),
    "NUL in JSON": (
        "audience.csv",
        6,
        '105,20,+1202,1,,,,0,0,,,"{""a"": ""\\u0000""}"',
        7,
        "input_data",
    ),
    "JSON number beyond a float": (
        "audience.csv",
        6,
        '105,20,+1202,1,,,,0,0,,,"{""a"": [1e400]}"',
        7,
        "input_data",
    ),
    "JSON lone surrogate": (
        "audience.csv",
        6,
        '105,20,+1202,1,,,,0,0,,,"{""a"": {""b"": ""x\\ud800""}}"',
        7,
        "input_data",
    ),
    "missing column": ("audience.csv", 0, AUDIENCE_HEADER.replace(",duration", ""), 1, "duration"),
    "unknown column": ("workspaces.csv", 0, "id,name,notes", 1, "notes"),
    "too few cells": ("audience.csv", 6, "105,20,+1202,1,,,,0,0,,", 7, None),
    "too many cells": ("workspaces.csv", 3, "3,Initech,extra", 4, None),
    "duplicate id": ("audience.csv", 6, "103,20,+1202,1,,,,0,0,,,", 7, "id"),
    "duplicate workspace id": ("workspaces.csv", 3, "2,Initech", 4, "id"),
    "duplicate token": ("api_tokens.csv", 3, "tok-globex,1,Again", 4, "token"),
    # A quoted newline: the error names the line where the bad record starts.
    "two-line record": (
        "audience.csv",
        6,
        '105,20,+1202,1,,,,0,-3,,"Call\nback",{}',
        7,
        "duration",
    ),
    # A quoted newline: the bad record starts on the line after the two-line one.
    "after a two-line record": (
        "audience.csv",
        6,
        '105,20,+1202,1,,,,0,0,,"Call\nback",{}\n106,20,+1202,1,,,,0,x,,,',
        9,
        "duration",
    ),
}


@pytest.mark.parametrize("previous_load", [False, True], ids=["empty", "loaded"])
@pytest.mark.parametrize(
    ("file", "index", "text", "line", "column"), BAD_ROWS.values(), ids=BAD_ROWS.keys()
)
async def test_bad_row_stops_the_load_and_keeps_nothing(
    engine: AsyncEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    previous_load: bool,
    file: str,
    index: int,
    text: str,
    line: int,
    column: str | None,
) -> None:
    if previous_load:
        await load_directory(engine, write(tmp_path / "good", GOOD))
    before = await snapshot(engine)
    # The bad load changes rows and adds some before the bad one, in earlier batches too.
    monkeypatch.setattr(load_format, "BATCH_SIZE", 2)
    files = {name: list(lines) for name, lines in GOOD.items()}
    files["workspaces.csv"][1] = "1,Renamed"
    files["workspaces.csv"].append("3,Initech")
    spoiled = files[file]
    if index < len(spoiled):
        spoiled[index] = text
    else:
        spoiled.append(text)

    with pytest.raises(LoadError) as raised:
        await load_directory(engine, write(tmp_path / "bad", files))

    error = raised.value
    assert (error.file, error.line, error.column) == (file, line, column)
    assert str(error).startswith(f"{file}, line {line}")
    assert await snapshot(engine) == before


async def test_error_message_names_file_line_and_column(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    files = dict(GOOD, **{"audience.csv": [*GOOD["audience.csv"], "105,20,+1202,1,,,,-1,0,,,"]})

    with pytest.raises(LoadError) as raised:
        await load_directory(engine, write(tmp_path, files))

    assert str(raised.value) == (
        'audience.csv, line 7, column "attempt": must be a whole number ≥ 0, got "-1"'
    )
    assert raised.value.message == 'must be a whole number ≥ 0, got "-1"'


async def test_invalid_utf8_names_its_line(engine: AsyncEngine, tmp_path: Path) -> None:
    directory = write(tmp_path, GOOD)
    rows = "".join(f"{id_},1,Fine,3,2026-03-01\n" for id_ in range(1, 3001))
    (directory / "campaigns.csv").write_bytes(
        b"id,workspace_id,name,max_attempts,created_at\n"
        + rows.encode()
        + b"9999,1,Caf\xe9,3,2026-03-01\n"
    )

    with pytest.raises(LoadError) as raised:
        await load_directory(engine, directory)

    assert (raised.value.file, raised.value.line) == ("campaigns.csv", 3002)
    assert raised.value.message == "not valid UTF-8"
    assert not any((await snapshot(engine)).values())


async def test_empty_file_needs_a_header(engine: AsyncEngine, tmp_path: Path) -> None:
    directory = write(tmp_path, {"workspaces.csv": []})

    with pytest.raises(LoadError) as raised:
        await load_directory(engine, directory)

    assert (raised.value.file, raised.value.line, raised.value.column) == (
        "workspaces.csv",
        1,
        None,
    )


async def test_database_error_is_a_load_error(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_directory(engine, write(tmp_path / "good", GOOD))
    before = await snapshot(engine)
    # Let a status through that only the database's CHECK constraint rejects.
    monkeypatch.setitem(load_format._STATUS_CODES, "9", 9)
    files = dict(GOOD, **{"audience.csv": [*GOOD["audience.csv"], "105,20,+1202,9,,,,0,0,,,"]})

    with pytest.raises(LoadError) as raised:
        await load_directory(engine, write(tmp_path / "bad", files))

    assert raised.value.file == "audience.csv"
    assert "lines 2-7" in raised.value.message
    assert await snapshot(engine) == before


async def test_missing_or_empty_directory(engine: AsyncEngine, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such directory"):
        await load_directory(engine, tmp_path / "nowhere")
    (tmp_path / "other.csv").write_text("id,name\n1,x\n")
    with pytest.raises(LoadError, match=r"none of workspaces\.csv"):
        await load_directory(engine, tmp_path)
    assert not any((await snapshot(engine)).values())


async def test_load_seeds(engine: AsyncEngine) -> None:
    records = {
        path.name: len(list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))) - 1
        for path in SEEDS.glob("*.csv")
    }

    counts = await load_directory(engine, SEEDS)

    assert counts == records
    assert counts["workspaces.csv"] == 2
    assert counts["campaigns.csv"] == 6
    assert 3000 <= counts["audience.csv"] <= 4000
    async with engine.connect() as conn:
        tokens = dict(
            (await conn.execute(sa.select(api_token.c.token_hash, api_token.c.workspace_id))).all()
        )
        assert tokens == {
            hash_token("demo-acme-7f3c9a1e5b2d4c68"): 1,
            hash_token("demo-globex-2b8e6d4f1a9c3e57"): 2,
        }
        # The campaign that has not started: everyone fresh, nothing attempted.
        fresh = (
            await conn.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.sum(campaign_audience.c.attempt),
                    sa.func.count(campaign_audience.c.call_status),
                    sa.func.max(campaign_audience.c.status),
                ).where(campaign_audience.c.campaign_id == 3)
            )
        ).one()
    assert fresh[0] > 0
    assert tuple(fresh)[1:] == (0, 0, 0)


class Bars:
    """Records what the progress bars of a load are told, per file."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.closed: list[str] = []

    def __call__(self, name: str, total: int) -> Bar:
        self.totals[name] = total
        self.done[name] = 0
        return Bar(self, name)


class Bar:
    def __init__(self, bars: Bars, name: str) -> None:
        self.bars = bars
        self.name = name

    def update(self, n: int, /) -> None:
        assert n >= 0
        self.bars.done[self.name] += n

    def close(self) -> None:
        self.bars.closed.append(self.name)


async def test_progress_bars_follow_each_files_lines(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_format, "BATCH_SIZE", 2)
    # A record over two lines counts two; a last line without a line end counts too.
    files = dict(GOOD, **{"audience.csv": [*GOOD["audience.csv"], '105,20,+1,1,,,,0,0,,"a\nb",']})
    directory = write(tmp_path, files)
    workspaces = directory / "workspaces.csv"
    workspaces.write_text(workspaces.read_text().rstrip("\n"))
    lines = {
        name: len((directory / name).read_text(encoding="utf-8").splitlines()) - 1 for name in files
    }
    bars = Bars()

    counts = await load_directory(engine, directory, bars)

    assert counts["audience.csv"] == 6
    assert lines["audience.csv"] == 7
    assert bars.totals == lines
    assert bars.done == lines
    assert sorted(bars.closed) == sorted(files)


async def test_progress_bar_is_closed_when_a_load_fails(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    files = dict(GOOD, **{"campaigns.csv": [*GOOD["campaigns.csv"], "x,1,Bad,3,2026-03-01"]})
    bars = Bars()

    with pytest.raises(LoadError):
        await load_directory(engine, write(tmp_path, files), bars)

    assert bars.closed == ["workspaces.csv", "api_tokens.csv", "campaigns.csv"]
    assert bars.done["campaigns.csv"] < bars.totals["campaigns.csv"]

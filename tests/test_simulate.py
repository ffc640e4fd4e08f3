"""`audience-stats simulate`: a dialer played into the database, checked against the rows."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import cli, rollups
from app.db import create_engine
from app.simulate import simulate
from app.stats import SUCCESSFUL_CALL_STATUSES
from app.tables import campaign_audience
from tests.conftest import BACKENDS, clear
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

T = TypeVar("T")
FRESH, COMPLETED, HALTED, INQUEUE = 0, 1, 2, 3
Rows = dict[int, dict[str, Any]]  # id -> the record's columns


async def _campaign(engine: AsyncEngine, max_attempts: int, rows: list[dict[str, Any]]) -> None:
    """Campaign 1, of workspace 1, with these records."""
    await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1, max_attempts=max_attempts)
    await add_audience(engine, rows)


def _fresh(first_id: int, count: int, campaign_id: int) -> list[dict[str, Any]]:
    return [audience_row(i, campaign_id) for i in range(first_id, first_id + count)]


async def _mixed(engine: AsyncEngine) -> None:
    """Campaign 1 (max_attempts 3) in progress: fresh contacts, contacts in the queue, some
    done; campaign 2 beside it, which no call may touch."""
    called = datetime(2026, 3, 1, 12, tzinfo=UTC)
    tried = {"last_attempt_at": called, "first_status": "NO_ANSWER", "last_status": "BUSY"}
    rows = [
        *_fresh(1, 20, 1),
        *(audience_row(i, 1, status=INQUEUE, attempt=1, call_status="BUSY", **tried)
          for i in range(21, 26)),
        *(audience_row(i, 1, status=INQUEUE, attempt=2, call_status="BUSY", **tried)
          for i in range(26, 29)),
        audience_row(29, 1, status=COMPLETED, attempt=1, duration=95, call_status="ANSWER",
                     last_disposition="Interested", **tried),
        audience_row(30, 1, status=HALTED, attempt=3, call_status="FAILED", **tried),
        # In the queue with no attempt left (on a call of another dialer): not to call.
        audience_row(31, 1, status=INQUEUE, attempt=3, call_status="IN_PROGRESS", **tried),
    ]  # fmt: skip
    await _campaign(engine, 3, rows)
    await add_campaign(engine, 2, 1, max_attempts=3)
    await add_audience(engine, _fresh(101, 5, 2))


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL of an empty, migrated database, as the command reads it. (The `engine`
    fixture belongs to pytest-asyncio's event loop, which these tests do not run in.)"""
    asyncio.run(_on(database_url, clear))
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield database_url
    asyncio.run(_on(database_url, clear))


async def _on(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """The work done on an engine of its own."""
    engine = create_engine(url)
    try:
        return await work(engine)
    finally:
        await engine.dispose()


async def _rows(engine: AsyncEngine, campaign_id: int | None = None) -> Rows:
    stmt = sa.select(campaign_audience)
    if campaign_id is not None:
        stmt = stmt.where(campaign_audience.c.campaign_id == campaign_id)
    async with engine.connect() as conn:
        return {row.id: row._asdict() for row in await conn.execute(stmt)}


async def _drift(engine: AsyncEngine) -> list[rollups.Drift]:
    async with engine.connect() as conn:
        return await rollups.check(conn)


async def _watch(engine: AsyncEngine, max_attempts: int, done: asyncio.Event) -> int:
    """Read the campaign again and again while calls are made: every record only moves
    forward, and the rollup matches the records at every moment. How many reads it made."""
    before = await _rows(engine, 1)
    reads = 0
    while not done.is_set():
        now = await _rows(engine, 1)
        for i, row in now.items():
            was = before[i]
            assert was["attempt"] <= row["attempt"] <= max_attempts, (was, row)
            assert row["duration"] >= was["duration"], (was, row)
            if was["status"] in (COMPLETED, HALTED):
                assert row == was  # nobody calls a contact that is done
        assert await _drift(engine) == []
        before, reads = now, reads + 1
        await asyncio.sleep(0.02)
    return reads


async def test_a_run_to_the_end_moves_every_contact_forward(engine: AsyncEngine) -> None:
    await _mixed(engine)
    before = await _rows(engine)
    began = datetime.now(UTC)
    done = asyncio.Event()
    watcher = asyncio.create_task(_watch(engine, 3, done))
    try:
        tally = await asyncio.wait_for(simulate(engine, 1, rate=500, seed=3, ring=0.05), 30)
    finally:
        done.set()
    assert await watcher > 0

    after = await _rows(engine)
    assert {i: after[i] for i in range(101, 106)} == {i: before[i] for i in range(101, 106)}
    assert tally.exhausted
    assert tally.started == tally.ended == sum(after[i]["attempt"] - before[i]["attempt"]
                                               for i in after)  # fmt: skip
    for i in range(1, 32):
        was, row = before[i], after[i]
        # Nobody is left to call.
        assert row["status"] in (COMPLETED, HALTED) or row["attempt"] == 3, row
        assert row["attempt"] >= was["attempt"]
        if row["attempt"] == was["attempt"]:
            assert row == was  # never called
            continue
        assert row["status"] != FRESH
        assert row["last_attempt_at"] is not None
        assert row["last_attempt_at"] >= began
        assert row["call_status"] == row["last_status"] != "RINGING"
        if was["attempt"] == 0:
            assert row["first_status"] is not None
        else:
            assert row["first_status"] == was["first_status"]
        talk = row["duration"] - was["duration"]
        if row["call_status"] in SUCCESSFUL_CALL_STATUSES:
            # Answered: done, with talk time and the agent's label; called no more.
            assert row["status"] == COMPLETED
            assert 20 <= talk <= 600
            assert row["last_disposition"] is not None
        else:
            assert talk == 0
            assert row["last_disposition"] == was["last_disposition"]
            assert row["status"] == (HALTED if row["attempt"] == 3 else INQUEUE)
        if row["status"] == HALTED:
            assert row["attempt"] == 3
    assert await _drift(engine) == []


async def _one_call_each(engine: AsyncEngine, seed: int) -> list[tuple[Any, ...]]:
    """What each contact of a campaign with one attempt each got, for that seed."""
    async with engine.begin() as conn:
        await conn.execute(sa.delete(campaign_audience))
        await conn.execute(sa.insert(campaign_audience), _fresh(1, 12, 1))
    tally = await simulate(engine, 1, rate=1000, seed=seed, ring=0.01)
    assert (tally.started, tally.ended, tally.exhausted) == (12, 12, True)
    rows = await _rows(engine)
    return [
        (r["status"], r["call_status"], r["duration"], r["last_disposition"])
        for _, r in sorted(rows.items())
    ]


async def test_the_seed_repeats_the_outcomes(engine: AsyncEngine) -> None:
    await _campaign(engine, 1, [])
    first = await _one_call_each(engine, seed=11)
    assert await _one_call_each(engine, seed=11) == first
    assert await _one_call_each(engine, seed=12) != first
    # One attempt each: an unanswered call halts its contact.
    assert {status for status, call_status, *_ in first
            if call_status not in SUCCESSFUL_CALL_STATUSES} == {HALTED}  # fmt: skip


def test_an_unknown_campaign_or_one_with_nobody_to_call_exits_2(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    done = [audience_row(1, 1, status=COMPLETED, attempt=1, call_status="ANSWER"),
            audience_row(2, 1, status=INQUEUE, attempt=2, call_status="BUSY")]  # fmt: skip
    asyncio.run(_on(database, lambda engine: _campaign(engine, 2, done)))

    assert cli.main(["simulate", "--campaign", "99"]) == 2
    out, err = capsys.readouterr()
    assert err == "audience-stats simulate: campaign 99 does not exist\n"
    assert out == ""

    assert cli.main(["simulate", "--campaign", "1"]) == 2
    _, err = capsys.readouterr()
    assert err == "audience-stats simulate: campaign 1 has nobody left to call\n"


def test_the_command_exits_0_once_nobody_is_left_to_call(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_on(database, lambda engine: _campaign(engine, 1, _fresh(1, 4, 1))))

    assert cli.main(["simulate", "--campaign", "1", "--rate", "100", "--seed", "5"]) == 0
    out, _ = capsys.readouterr()
    assert out.splitlines()[-1].startswith("Campaign 1: 4 calls started and 4 ended in ")
    assert out.endswith("; nobody is left to call.\n")
    rows = asyncio.run(_on(database, _rows))
    assert {(r["attempt"], r["status"] in (COMPLETED, HALTED)) for r in rows.values()} == {
        (1, True)
    }
    assert cli.main(["rollups", "check"]) == 0


def test_the_command_runs_for_its_seconds_then_the_rollup_checks(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_on(database, lambda engine: _campaign(engine, 3, _fresh(1, 200, 1))))

    args = ["--campaign", "1", "--rate", "40", "--seconds", "1.3"]
    assert cli.main(["simulate", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    # One line a second, then the summary; 40 a second for 1.3 s is 52 calls, at most.
    assert lines[0].startswith("1 s: ")
    assert lines[0].endswith(" ended")
    assert lines[-1].endswith("; stopped.")
    started = int(lines[-1].split(": ")[1].split(" call")[0])
    assert 26 <= started <= 53
    rows = asyncio.run(_on(database, _rows))
    assert sum(r["attempt"] for r in rows.values()) == started
    assert all(r["call_status"] != "RINGING" for r in rows.values())
    assert cli.main(["rollups", "check"]) == 0
    assert capsys.readouterr().out == "The rollup matches the records.\n"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_a_signal_ends_the_calls_in_flight_and_exits_0(
    engine: AsyncEngine, database_url: str, signum: signal.Signals
) -> None:
    await _campaign(engine, 3, _fresh(1, 300, 1))
    command = Path(sys.executable).parent / "audience-stats"
    process = await asyncio.create_subprocess_exec(
        command,
        *["simulate", "--campaign", "1", "--rate", "50"],
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # Calls are under way (some still ringing: each lasts up to a second).
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            rows = await _rows(engine)
            if sum(r["attempt"] for r in rows.values()) >= 10:
                break
            await asyncio.sleep(0.02)
        process.send_signal(signum)
        out, err = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    assert err == b""
    summary = out.decode().splitlines()[-1]
    assert summary.endswith("; stopped.")
    rows = await _rows(engine)
    attempts = sum(r["attempt"] for r in rows.values())
    assert attempts >= 10
    assert f": {attempts} calls started and {attempts} ended in " in summary
    assert all(r["call_status"] != "RINGING" for r in rows.values())
    assert await _drift(engine) == []


# SQLSTATEs are PostgreSQL's.
@pytest.mark.parametrize("database_url", [b for b in BACKENDS if b == "postgresql"], indirect=True)
async def test_a_serialization_failure_is_retried(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """Under REPEATABLE READ, a call that starts on a contact another transaction is updating
    fails with SQLSTATE 40001 once that one commits; the simulation runs it again."""
    caplog.set_level(logging.INFO, logger="app.simulate")
    await _campaign(engine, 1, _fresh(1, 1, 1))
    repeatable = engine.execution_options(isolation_level="REPEATABLE READ")
    audience = campaign_audience
    async with engine.connect() as other:
        await other.execute(
            sa.update(audience).where(audience.c.id == 1).values(mobile_no=audience.c.mobile_no)
        )
        run = asyncio.create_task(simulate(repeatable, 1, rate=100, ring=0.01))
        await _until_a_lock_wait(engine)
        await other.commit()
        tally = await asyncio.wait_for(run, 10)
    assert (tally.started, tally.ended, tally.exhausted) == (1, 1, True)
    assert "Retrying a transaction after SQLSTATE 40001" in caplog.text
    [row] = (await _rows(engine)).values()
    assert row["attempt"] == 1
    assert row["call_status"] != "RINGING"
    assert await _drift(engine) == []


async def _until_a_lock_wait(engine: AsyncEngine) -> None:
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(500):
        async with engine.connect() as conn:
            if await conn.scalar(waiting):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the simulation never waited for the row lock")

"""Synthetic data sets: deterministic, loadable, and realistic by the rules of the domain."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from app import cli
from app.generate import Plan, generate
from app.loading import load_directory
from app.tables import api_token, campaign_audience
from app.tokens import hash_token

FILES = ("workspaces.csv", "api_tokens.csv", "campaigns.csv", "audience.csv")
AUDIENCE_COLUMNS = [
    "id", "campaign_id", "mobile_no", "status", "call_status", "first_status", "last_status",
    "attempt", "duration", "last_attempt_at", "last_disposition", "input_data",
]  # fmt: skip
# Contract section 1: the successful call statuses, and the known ones.
SUCCESSFUL = {"AGENT_ENDED", "USER_ENDED", "COMPLETED", "ANSWER"}
LIVE = {"IN_PROGRESS", "RINGING"}
KNOWN = SUCCESSFUL | LIVE | {"NO_ANSWER", "BUSY", "FAILED", "REJECTED", "CANCELED", "NOT_REACHABLE"}
FRESH, COMPLETED, HALTED, INQUEUE = "0", "1", "2", "3"
# +1, a North American area code and exchange (neither starts with 0 or 1), four digits.
E164_US = re.compile(r"\+1[2-9]\d\d[2-9]\d{6}")


def read(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five campaigns of a thousand contacts over two workspaces."""
    directory = tmp_path_factory.mktemp("sample")
    generate(directory, Plan(workspaces=2, campaigns=5, audience=5000, seed=11))
    return directory


def test_same_plan_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    plan = Plan(workspaces=3, campaigns=4, audience=2000, seed=5)
    generate(tmp_path / "a", plan)
    generate(tmp_path / "b", plan)
    generate(tmp_path / "c", Plan(workspaces=3, campaigns=4, audience=2000, seed=6))

    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in ("api_tokens.csv", "campaigns.csv", "audience.csv"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name


def test_a_campaign_does_not_depend_on_the_others(tmp_path: Path) -> None:
    generate(tmp_path / "alone", Plan(workspaces=1, campaigns=1, audience=300, seed=3))
    generate(
        tmp_path / "among",
        Plan(workspaces=2, campaigns=4, audience=600, seed=3, big_campaigns=(300,)),
    )

    def first(directory: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
        audience = [row for row in read(directory, "audience.csv") if row["campaign_id"] == "1"]
        return audience, read(directory, "campaigns.csv")[0]

    assert first(tmp_path / "alone") == first(tmp_path / "among")


def test_files_rows_and_spread(sample: Path) -> None:
    workspaces = read(sample, "workspaces.csv")
    campaigns = read(sample, "campaigns.csv")
    audience = read(sample, "audience.csv")
    with (sample / "audience.csv").open(encoding="utf-8") as file:
        assert next(csv.reader(file)) == AUDIENCE_COLUMNS

    assert [w["id"] for w in workspaces] == ["1", "2"]
    assert all(w["name"] for w in workspaces)
    assert [c["id"] for c in campaigns] == ["1", "2", "3", "4", "5"]
    # Round robin: workspace 1 gets campaigns 1, 3, 5 and workspace 2 gets 2, 4.
    per_workspace = Counter(c["workspace_id"] for c in campaigns)
    assert per_workspace == {"1": 3, "2": 2}
    assert [int(c["max_attempts"]) >= 1 for c in campaigns] == [True] * 5
    assert sorted(int(a["id"]) for a in audience) == list(range(1, 5001))
    assert Counter(a["campaign_id"] for a in audience) == {str(k): 1000 for k in range(1, 6)}


def test_tokens_follow_the_documented_pattern(sample: Path) -> None:
    tokens = read(sample, "api_tokens.csv")
    assert [(t["token"], t["workspace_id"]) for t in tokens] == [
        ("gen-s11-w1", "1"),
        ("gen-s11-w2", "2"),
    ]


@pytest.mark.parametrize(
    ("plan", "sizes"),
    [
        (Plan(workspaces=1, campaigns=3, audience=10), [4, 3, 3]),
        (
            Plan(workspaces=2, campaigns=4, audience=1000, big_campaigns=(700,)),
            [700, 100, 100, 100],
        ),
        (Plan(workspaces=1, campaigns=3, audience=701, big_campaigns=(700,)), [700, 1, 0]),
        (
            Plan(workspaces=1, campaigns=4, audience=1000, big_campaigns=(500, 300)),
            [500, 300, 100, 100],
        ),
        (Plan(workspaces=1, campaigns=1, audience=50, big_campaigns=(50,)), [50]),
        (Plan(workspaces=3, campaigns=0, audience=0), []),
    ],
)
def test_campaign_sizes(tmp_path: Path, plan: Plan, sizes: list[int]) -> None:
    generate(tmp_path, plan)
    counts = Counter(int(a["campaign_id"]) for a in read(tmp_path, "audience.csv"))
    campaigns = [int(c["id"]) for c in read(tmp_path, "campaigns.csv")]
    assert [counts[k] for k in campaigns] == sizes
    assert len(read(tmp_path, "workspaces.csv")) == plan.workspaces


def test_every_row_is_consistent(sample: Path) -> None:
    campaigns = {c["id"]: c for c in read(sample, "campaigns.csv")}
    numbers: dict[str, set[str]] = defaultdict(set)
    for row in read(sample, "audience.csv"):
        where = f"row {row['id']}"
        campaign = campaigns[row["campaign_id"]]
        status, attempt, duration = row["status"], int(row["attempt"]), int(row["duration"])
        call, first, last = row["call_status"], row["first_status"], row["last_status"]
        assert E164_US.fullmatch(row["mobile_no"]), where
        assert row["mobile_no"] not in numbers[row["campaign_id"]], where
        numbers[row["campaign_id"]].add(row["mobile_no"])
        data = json.loads(row["input_data"])
        assert isinstance(data, dict)
        assert 1 <= len(data) <= 5, where
        assert status in {FRESH, COMPLETED, HALTED, INQUEUE}, where
        if status == FRESH:
            assert (attempt, duration) == (0, 0), where
            assert (call, first, last, row["last_attempt_at"], row["last_disposition"]) == (
                ("",) * 5
            ), where
            continue
        assert 1 <= attempt <= int(campaign["max_attempts"]), where
        assert {call, first, last} <= KNOWN, where
        assert not {first, last} & LIVE, where
        assert at(row["last_attempt_at"]) >= at(campaign["created_at"]), where
        answered = last in SUCCESSFUL
        # Talk time only for an answered call, a plausible length.
        assert (10 <= duration <= 3600) if answered else duration == 0, where
        if row["last_disposition"]:
            assert answered, where
        if call in LIVE:
            # The next attempt is ringing: counted, while the finished ones were not answered.
            assert (status, attempt >= 2, answered) == (INQUEUE, True, False), where
        else:
            assert call == last, where
            if attempt == 1:
                assert first == last, where
        if status == INQUEUE:
            assert not answered, where
        if status == COMPLETED and not answered:
            assert attempt == int(campaign["max_attempts"]), where  # retries used up


def test_proportions_look_like_campaigns_in_progress(sample: Path) -> None:
    rows = read(sample, "audience.csv")
    share = Counter(row["status"] for row in rows)
    called = [row for row in rows if row["status"] != FRESH]
    total = len(rows)

    assert 0.05 <= share[FRESH] / total <= 0.45
    assert 0.3 <= share[COMPLETED] / total <= 0.8
    assert 0 < share[HALTED] / total <= 0.15
    assert 0.02 <= share[INQUEUE] / total <= 0.35
    attempts = Counter(int(row["attempt"]) for row in called)
    assert (attempts[1] + attempts[2]) / len(called) >= 0.7
    assert attempts[1] > attempts[2]
    answered = sum(row["call_status"] in SUCCESSFUL for row in called)
    assert 0.35 <= answered / len(called) <= 0.85
    live = sum(row["call_status"] in LIVE for row in called)
    assert 0 < live / len(called) <= 0.1
    assert len(Counter(row["call_status"] for row in called)) >= 8
    days = {row["last_attempt_at"][:10] for row in called}
    assert len(days) >= 3


async def test_the_data_set_loads(engine: AsyncEngine, sample: Path) -> None:
    audience = read(sample, "audience.csv")

    counts = await load_directory(engine, sample)

    assert counts == {name: len(read(sample, name)) for name in FILES}
    async with engine.connect() as conn:
        stored = {
            row.campaign_id: tuple(row[1:])
            for row in await conn.execute(
                sa.select(
                    campaign_audience.c.campaign_id,
                    sa.func.count(),
                    sa.func.sum(campaign_audience.c.attempt),
                    sa.func.sum(campaign_audience.c.duration),
                    sa.func.count(sa.distinct(campaign_audience.c.mobile_no)),
                ).group_by(campaign_audience.c.campaign_id)
            )
        }
        tokens = dict(
            (await conn.execute(sa.select(api_token.c.token_hash, api_token.c.workspace_id))).all()
        )
    expected: dict[int, tuple[int, ...]] = {}
    for campaign_id in {int(row["campaign_id"]) for row in audience}:
        rows = [row for row in audience if int(row["campaign_id"]) == campaign_id]
        expected[campaign_id] = (
            len(rows),
            sum(int(row["attempt"]) for row in rows),
            sum(int(row["duration"]) for row in rows),
            len(rows),
        )
    assert stored == expected
    assert tokens == {hash_token("gen-s11-w1"): 1, hash_token("gen-s11-w2"): 2}


class Bars:
    """Records what a progress display is told."""

    def __init__(self) -> None:
        self.made: list[tuple[str, int]] = []
        self.updates: list[int] = []
        self.closed = 0

    def __call__(self, name: str, total: int) -> Bars:
        self.made.append((name, total))
        return self

    def update(self, n: int, /) -> None:
        self.updates.append(n)

    def close(self) -> None:
        self.closed += 1


def test_progress_counts_the_audience_rows(tmp_path: Path) -> None:
    bars = Bars()

    generate(tmp_path, Plan(workspaces=1, campaigns=3, audience=45_000, seed=1), bars)

    assert bars.made == [("audience.csv", 45_000)]
    assert sum(bars.updates) == 45_000
    assert len(bars.updates) > 1  # it moves while the file is written
    assert bars.closed == 1


def test_generate_command_writes_the_files_and_prints_the_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--workspaces", "7", "--campaigns", "8", "--audience", "1_000", "--seed", "4"]

    assert cli.main(["generate", str(tmp_path / "out"), *args, "--quiet"]) == 0

    out, err = capsys.readouterr()
    assert "1000 audience rows in 8 campaigns of 7 workspaces" in out
    assert "1: gen-s4-w1" in out
    assert "gen-s4-wN" in out  # the pattern of the workspaces not listed
    assert err == ""
    assert len(read(tmp_path / "out", "audience.csv")) == 1000
    assert len(read(tmp_path / "out", "workspaces.csv")) == 7


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "-5"], "argument --audience: must be a whole number ≥ 0, got '-5'"),
        (["--campaigns", "-1"], "argument --campaigns: must be a whole number ≥ 0, got '-1'"),
        (["--workspaces", "0"], "argument --workspaces: must be a whole number ≥ 1, got '0'"),
        (["--seed", "x"], "argument --seed: must be a whole number ≥ 0, got 'x'"),
        (["--audience", "1.5"], "argument --audience: must be a whole number ≥ 0, got '1.5'"),
        (["--campaigns", "0", "--audience", "5"], "an audience needs at least 1 campaign"),
        (
            ["--campaigns", "3", "--audience", "5", "--big-campaign", "9"],
            "the big campaign (9 rows) cannot be larger than the audience (5 rows)",
        ),
        (
            ["--campaigns", "1", "--audience", "5", "--big-campaign", "2"],
            "add campaigns for the other 3 rows",
        ),
        (["--audience", "8000000"], "fit (distinct phone numbers); add campaigns"),
    ],
)
def test_generate_command_refuses_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main(["generate", str(tmp_path / "out"), *args])

    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: audience-stats generate")
    assert message in err
    assert not (tmp_path / "out").exists()

"""`audience-stats tokens`: tokens made without a CSV, listed without their secret, and
revoked within the bound the README states."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from app import cli
from app.app import create_app
from app.db import create_engine
from app.settings import Settings
from app.tables import api_token
from app.tokens import ID_LENGTH, hash_token
from tests.test_cli import ROOT, _clear

BOUND = 0.3  # the servers' token cache in this test (AUDIENCE_STATS_TOKEN_CACHE_SECONDS)
STATS = "{ campaignAudienceStats(campaignId: 1) { totalAudience } }"


@pytest.fixture
def seeded(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """DATABASE_URL of the demo data, as the command reads it."""
    asyncio.run(_clear(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert cli.main(["load", "--quiet", str(ROOT / "seeds")]) == 0
    yield database_url
    asyncio.run(_clear(database_url))


async def _statuses(url: str, token: str, meanwhile: list[str] | None = None) -> list[int]:
    """The status of a stats request with the token; then, after the command `meanwhile`
    (run as the user would, beside the server) and the token bound, of another."""
    settings = Settings(database_url=url, token_cache_seconds=BOUND)
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            first = await client.post("/graphql", json={"query": STATS}, headers={"token": token})
            if meanwhile is not None:
                assert await asyncio.to_thread(cli.main, meanwhile) == 0
                await asyncio.sleep(BOUND)
            then = await client.post("/graphql", json={"query": STATS}, headers={"token": token})
    return [first.status_code, then.status_code]


async def _stored(url: str) -> list[tuple[str, ...]]:
    engine = create_engine(url)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(api_token))).all()
    await engine.dispose()
    return [tuple(str(value) for value in row) for row in rows]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["tokens", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_made_token_works_is_stored_hashed_and_is_refused_once_revoked(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "create", "--workspace", "1", "--name", "wallboard")
    assert code == 0, err
    token = out.strip()
    assert len(token) >= 40
    assert "only its SHA-256 is stored" in err
    stored = asyncio.run(_stored(seeded))
    assert not any(token in value for row in stored for value in row)
    assert any(hash_token(token) in row for row in stored)
    assert asyncio.run(_statuses(seeded, token)) == [200, 200]

    code, out, _ = _run(capsys, "list")
    assert code == 0
    assert token not in out
    [line] = [line for line in out.splitlines() if "wallboard" in line]
    token_id, where, name, created, revoked = line.split("\t")
    assert token_id == hash_token(token)[:ID_LENGTH]
    assert (where, name, revoked) == ("workspace 1", "wallboard", "revoked -")
    assert created.startswith("created 20")
    # The demo tokens came from a load: no creation time.
    assert sum("created -" in line for line in out.splitlines()) == 2

    # Revoked while a server knows the token: refused there once the bound has passed.
    revoke = ["tokens", "revoke", token_id]
    assert asyncio.run(_statuses(seeded, token, revoke)) == [200, 401]
    out, err = capsys.readouterr()
    assert out.split("\t")[0] == token_id
    assert "revoked 20" in out
    assert "within 5 s" in err
    _, out, _ = _run(capsys, "list", "--workspace", "1")
    assert all(line.startswith(("10c7", token_id)) for line in out.splitlines()), out


def test_token_commands_refuse_what_they_cannot_do(
    seeded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "create", "--workspace", "99")
    assert (code, out) == (1, "")
    assert "workspace 99 does not exist" in err
    for given in ("zz", "abc", "0" * ID_LENGTH):
        code, out, err = _run(capsys, "revoke", given)
        assert code == 1, given
        assert out == ""
        assert err.startswith("audience-stats tokens revoke: "), err
    _, out, _ = _run(capsys, "list", "--workspace", "2")
    assert [line.split("\t")[1] for line in out.splitlines()] == ["workspace 2"]

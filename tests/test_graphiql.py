"""The self-hosted GraphiQL page, its files, its default document and the asset fetch."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values
from sqlalchemy.ext.asyncio import AsyncEngine

from app.graphiql import assets
from app.graphiql.assets import Asset, AssetError, fetch, stale
from app.graphiql.page import render
from app.graphql.schema import schema
from app.loading import load_directory
from app.tables import api_token
from app.tokens import hash_token
from tests import reference
from tests.demo import demo_audience, demo_token
from tests.factories import add_campaign, add_workspace

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "seeds"
PAGE_HEADERS = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


class Page(HTMLParser):
    """The URLs a page loads, and the text of its scripts by id."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.urls += [url for name, url in attrs if name in ("src", "href") and url]
        if tag == "script":
            self._script = values.get("id") or f"script-{len(self.scripts)}"
            self.scripts[self._script] = ""

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    @property
    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = json.loads(self.scripts["graphiql-config"])
        return config


async def _page(client: httpx.AsyncClient) -> Page:
    response = await client.get("/graphql", headers=PAGE_HEADERS)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


async def test_page_loads_without_a_token_and_only_from_this_server(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await add_workspace(engine, 1)
    response = await client.get("/graphql", headers=PAGE_HEADERS)
    assert response.status_code == 200, response.text
    assert not re.search(r"https?://", response.text), "the page names another host"
    page = Page(response.text)
    loaded = [url for url in page.urls if not url.startswith("data:")]
    assert loaded, page.urls
    assert all(url.startswith("/graphql/static/") for url in loaded), loaded
    # It may hold a token: other sites may not frame it.
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("suffix", "content_types"),
    [(".js", {"text/javascript", "application/javascript"}), (".css", {"text/css"})],
)
async def test_page_files_are_served_without_a_token(
    engine: AsyncEngine, client: httpx.AsyncClient, suffix: str, content_types: set[str]
) -> None:
    page = await _page(client)
    urls = [url for url in page.urls if url.endswith(suffix)]
    assert urls
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] in content_types, url
        # The version is in the path, so a browser may keep the file for good.
        assert "immutable" in response.headers["cache-control"]
        assert len(response.content) > 1000, url


async def test_default_document_is_valid_against_the_schema(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    config = (await _page(client)).config
    document = parse(config["query"])
    assert validate(schema._schema, document) == []
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    variables = get_variable_values(
        schema._schema, operation.variable_definitions or (), json.loads(config["variables"])
    )
    assert not isinstance(variables, list), variables  # a list holds the coercion errors


async def test_default_document_answers_the_demo_stats_with_the_prefilled_headers(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load_directory(engine, SEEDS)
    config = (await _page(client)).config
    variables = json.loads(config["variables"])
    response = await client.post(
        config["endpoint"],
        json={"query": config["query"], "variables": variables},
        headers=json.loads(config["headers"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    found = body["data"]["campaign"]
    rows = demo_audience(variables["campaignId"])
    expected = reference.stats(rows, variables["filter"])
    stats = found["audienceStats"]
    assert stats["totalAudience"] == expected.total_audience
    assert stats["totalAttempt"] == str(expected.total_attempt)
    assert stats["totalDuration"] == str(expected.total_duration)
    assert stats["successfulCalls"] == expected.successful_calls
    assert Decimal(str(stats["coverage"])) == expected.coverage
    assert found["audience"]["totalCount"] == expected.total_audience
    matching = [row for row in rows if reference.matches(row, variables["filter"])]
    longest = sorted(matching, key=lambda row: (row["duration"], row["id"]), reverse=True)
    ids = [edge["node"]["id"] for edge in found["audience"]["edges"]]
    assert ids == [row["id"] for row in longest[: len(ids)]]
    assert len(ids) == min(5, len(matching))


async def test_demo_token_is_prefilled_on_the_demo_database(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load_directory(engine, SEEDS)
    config = (await _page(client)).config
    assert json.loads(config["headers"]) == {"token": demo_token()}


async def test_nothing_is_prefilled_on_another_database(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await add_workspace(engine, 1)
    await add_campaign(engine, 2, 1)
    response = await client.get("/graphql", headers=PAGE_HEADERS)
    assert Page(response.text).config["headers"] is None
    assert demo_token() not in response.text


async def test_nothing_is_prefilled_when_the_demo_token_is_revoked(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await load_directory(engine, SEEDS)
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(api_token)
            .where(api_token.c.token_hash == hash_token(demo_token()))
            .values(revoked_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    response = await client.get("/graphql", headers=PAGE_HEADERS)
    assert Page(response.text).config["headers"] is None
    assert demo_token() not in response.text


def test_subscriptions_run_over_a_websocket_to_the_page_s_own_host() -> None:
    # The page names no host (see above): the WebSocket URL is the page's own, ws: next to
    # http: and wss: next to https:, at the endpoint's path.
    (script,) = [body for body in Page(render(None)).scripts.values() if "createFetcher" in body]
    assert 'location.protocol === "https:" ? "wss:" : "ws:"' in script
    assert 'subscriptionUrl: socketScheme + "//" + location.host + config.endpoint' in script


def test_values_in_the_page_cannot_end_its_script() -> None:
    hostile = '</script><script>alert("x")</script><!-- & </SCRIPT>'
    text = render({"token": hostile})
    assert "<script>alert" not in text
    assert "</SCRIPT>" not in text
    page = Page(text)
    assert json.loads(page.config["headers"]) == {"token": hostile}
    # Nothing leaked out of the config element into a script of its own.
    assert all(
        "alert" not in body for name, body in page.scripts.items() if name != "graphiql-config"
    )


async def test_missing_files_page_says_how_to_fetch_them(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    response = await client.get("/graphql", headers=PAGE_HEADERS)
    assert response.status_code == 503
    assert "make install" in response.text
    assert "python -m app.graphiql.assets" in response.text
    assert "graphiql.min.js" in response.text


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/graphql?query=%7B__typename%7D", PAGE_HEADERS),
        ("GET", "/graphql", {"Accept": "application/json"}),
        ("POST", "/graphql", {"Accept": "text/html"}),
        ("POST", "/graphql/static/graphiql-3.8.3/graphiql.min.js", {}),
        ("GET", "/graphql/staticfiles", PAGE_HEADERS),
        ("GET", "/api/v1/global/campaign-audience-stats?campaign_id=1", PAGE_HEADERS),
    ],
)
async def test_everything_but_the_page_and_its_files_needs_a_token(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    await load_directory(engine, SEEDS)
    kwargs: dict[str, Any] = {"json": {"query": "{ __typename }"}} if method == "POST" else {}
    response = await client.request(method, path, headers=headers, **kwargs)
    assert response.status_code == 401, response.text


async def test_no_file_but_the_fetched_ones_is_served(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Encoded dots reach the app as "..": the public prefix must not lead out of the folder
    # (to app/graphiql/page.py here).
    for path in ("/graphql/static/nope.js", "/graphql/static/%2e%2e/page.py"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert "import" not in response.text


# The asset fetch, on tarballs made here: an npm tarball holds its files under package/.


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


TARBALL_FILES = {
    "dist/widget.min.js": b"window.Widget = {};",
    "LICENSE": b"MIT",
    "src/widget.ts": b"export {}",
}
TARBALL = _tarball(TARBALL_FILES)
WIDGET = Asset("widget", "1.2.3", ("dist/widget.min.js", "LICENSE"), _integrity(TARBALL))
REGISTRY = "https://registry.example"


class Registry:
    def __init__(self, tarball: bytes) -> None:
        self.tarball = tarball
        self.downloads: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.downloads.append(url)
        return self.tarball


def test_fetch_extracts_only_the_pinned_files_and_skips_them_once_verified(
    tmp_path: Path,
) -> None:
    registry = Registry(TARBALL)
    assert fetch(tmp_path, registry, [WIDGET], REGISTRY) == [WIDGET]
    assert registry.downloads == [f"{REGISTRY}/widget/-/widget-1.2.3.tgz"]
    folder = tmp_path / "widget-1.2.3"
    assert sorted(path.name for path in folder.iterdir()) == ["LICENSE", "widget.min.js"]
    assert (folder / "widget.min.js").read_bytes() == TARBALL_FILES["dist/widget.min.js"]
    assert assets.missing_files(tmp_path, [WIDGET]) == []

    assert fetch(tmp_path, registry, [WIDGET], REGISTRY) == []
    assert len(registry.downloads) == 1


def test_fetch_refuses_a_tarball_that_is_not_the_pinned_one(tmp_path: Path) -> None:
    tampered = _tarball({**TARBALL_FILES, "dist/widget.min.js": b"steal(document.cookie)"})
    with pytest.raises(AssetError, match="sha512"):
        fetch(tmp_path, Registry(tampered), [WIDGET], REGISTRY)
    assert not (tmp_path / "widget-1.2.3").exists()


def test_fetch_replaces_a_changed_file_and_drops_other_versions(tmp_path: Path) -> None:
    registry = Registry(TARBALL)
    fetch(tmp_path, registry, [WIDGET], REGISTRY)
    (tmp_path / "widget-1.2.3" / "widget.min.js").write_bytes(b"edited")
    (tmp_path / "widget-1.2.2").mkdir()
    assert stale(tmp_path, [WIDGET]) == [WIDGET]

    assert fetch(tmp_path, registry, [WIDGET], REGISTRY) == [WIDGET]
    assert (tmp_path / "widget-1.2.3" / "widget.min.js").read_bytes() == b"window.Widget = {};"
    assert not (tmp_path / "widget-1.2.2").exists()


def test_fetch_names_a_pinned_file_the_tarball_lacks(tmp_path: Path) -> None:
    tarball = _tarball({"LICENSE": b"MIT"})
    pinned = Asset("widget", "1.2.3", ("dist/widget.min.js",), _integrity(tarball))
    with pytest.raises(AssetError, match=r"dist/widget\.min\.js"):
        fetch(tmp_path, Registry(tarball), [pinned], REGISTRY)


def test_pins_are_exact_versions_with_sha512_integrity() -> None:
    for asset in assets.ASSETS:
        assert re.fullmatch(r"\d+\.\d+\.\d+", asset.version), asset
        digest = base64.b64decode(asset.integrity.removeprefix("sha512-"), validate=True)
        assert asset.integrity.startswith("sha512-"), asset
        assert len(digest) == 64, asset


def test_installed_files_are_the_pinned_ones() -> None:
    # `make install` fetches them; this fails until it has (or after a file was edited).
    assert stale(assets.STATIC_DIR) == [], "run: .venv/bin/python -m app.graphiql.assets"

"""GraphiQL in a real browser, against a real server on the demo data, with no internet.

Drives Debian's chromium (`make chromium`) through Playwright; nothing downloads a browser.
Saves artifacts/graphiql.png; with UPDATE_GRAPHIQL_SCREENSHOT=1 also docs/graphiql.png.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, ViewportSize, sync_playwright

from app.graphiql.page import DEFAULT_VARIABLES
from tests import reference
from tests.demo import demo_audience, demo_token
from tests.server import Server, serve

ROOT = Path(__file__).parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1400, "height": 900}
ARTIFACT = ROOT / "artifacts" / "graphiql.png"
DOCS_SCREENSHOT = ROOT / "docs" / "graphiql.png"
TIMEOUT_MS = 30_000

QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESPONSE_EDITOR = ".graphiql-response .CodeMirror"
# The variables and headers editors share one pane; the hidden one has the class `hidden`.
TOOL_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RUN_BUTTON = ".graphiql-execute-button"

STALE_HEADERS = '{"token": "stale-token-of-an-earlier-session"}'
RESTORED_QUERY = "query Typename { __typename }"

# A campaign the other tests leave alone: the subscription test changes its records. The
# document names it, so the default variables (of another campaign) go unused.
LIVE_CAMPAIGN = 3
LIVE_SUBSCRIPTION = f"""subscription LiveStats {{
  audienceStats(campaignId: {LIVE_CAMPAIGN}) {{
    totalAudience
    totalAttempt
    totalDuration
    successfulCalls
    coverage
  }}
}}
"""
# Pushes come at most once per AUDIENCE_STATS_LIVE_SECONDS; the test waits TIMEOUT_MS.
LIVE_SECONDS = "0.2"


def _expected_overview() -> dict[str, Any]:
    """What the default document must answer, computed from the seed CSV by the reference."""
    campaign_id = DEFAULT_VARIABLES["campaignId"]
    audience_filter = DEFAULT_VARIABLES["filter"]
    assert isinstance(audience_filter, dict)
    rows = demo_audience(campaign_id)
    stats = reference.stats(rows, audience_filter)
    matching = [row for row in rows if reference.matches(row, audience_filter)]
    # The document asks for 5 records by duration, longest first, ties by id descending.
    page = sorted(matching, key=lambda row: (row["duration"], row["id"]), reverse=True)[:5]
    return {
        "stats": {
            "totalAudience": stats.total_audience,
            "totalAttempt": str(stats.total_attempt),
            "totalDuration": str(stats.total_duration),
            "successfulCalls": stats.successful_calls,
            "coverage": stats.coverage,
        },
        "totalCount": stats.total_audience,
        "hasNextPage": len(matching) > 5,
        "ids": [row["id"] for row in page],
    }


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite file, which `serve` fills with the demo data."""
    database = tmp_path_factory.mktemp("serve") / "demo.db"
    database.touch()
    return database


@pytest.fixture(scope="module")
def server(database: Path) -> Iterator[Server]:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "AUDIENCE_STATS_LIVE_SECONDS": LIVE_SECONDS,
    }
    with serve(database.parent, env) as running:
        yield running


@dataclass
class Browser:
    page: Page
    # Requests for anything but the server under test: each is refused, and a failure.
    foreign_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def browser(server: Server, tmp_path: Path) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium package"
        # CI installs it and must run this test; a workstation without it may go without.
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    own_host = urlsplit(server.url).netloc
    with sync_playwright() as playwright:
        # A fresh profile: no state from another run, no stored GraphiQL tabs or headers.
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        context.set_default_timeout(TIMEOUT_MS)
        state = Browser(context.pages[0] if context.pages else context.new_page())

        def guard(route: Route) -> None:
            if urlsplit(route.request.url).netloc == own_host:
                route.continue_()
            else:
                state.foreign_requests.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        state.page.on("pageerror", lambda error: state.errors.append(str(error)))
        state.page.on(
            "console",
            lambda message: state.errors.append(message.text) if message.type == "error" else None,
        )
        try:
            yield state
        finally:
            context.close()
    assert state.foreign_requests == [], "the page loaded something from another host"
    assert state.errors == [], "the page logged errors"


def _open_graphiql(browser: Browser, url: str) -> None:
    browser.page.goto(f"{url}/graphql")
    browser.page.wait_for_selector(QUERY_EDITOR)
    # GraphiQL fetches the schema once it is up; a user runs a query after that.
    browser.page.wait_for_load_state("networkidle")


def _editor_value(page: Page, selector: str) -> str:
    value: str = page.eval_on_selector(selector, "element => element.CodeMirror.getValue()")
    return value


def _tool_tab(page: Page, name: str) -> None:
    page.click(f'.graphiql-editor-tools button[data-name="{name}"]')


def _run_and_wait(page: Page) -> dict[str, Any]:
    page.click(RUN_BUTTON)
    return _wait_for_response(page)


def _wait_for_response(page: Page) -> dict[str, Any]:
    page.wait_for_function(
        """selector => {
            const editor = document.querySelector(selector);
            return editor !== null && editor.CodeMirror.getValue().trim().startsWith("{");
        }""",
        arg=RESPONSE_EDITOR,
    )
    body: dict[str, Any] = json.loads(_editor_value(page, RESPONSE_EDITOR))
    return body


def _write(database: Path, sql: str, parameters: tuple[object, ...]) -> None:
    """One statement committed to the served database by another writer, as a dialler's."""
    connection = sqlite3.connect(database, timeout=30)
    try:
        with connection:
            assert connection.execute(sql, parameters).rowcount == 1
    finally:
        connection.close()


def test_default_query_shows_the_demo_stats(server: Server, browser: Browser) -> None:
    page = browser.page
    expected = _expected_overview()
    _open_graphiql(browser, server.url)

    _tool_tab(page, "headers")
    assert json.loads(_editor_value(page, TOOL_EDITOR)) == {"token": demo_token()}
    _tool_tab(page, "variables")
    assert json.loads(_editor_value(page, TOOL_EDITOR)) == DEFAULT_VARIABLES

    body = _run_and_wait(page)
    assert "errors" not in body, body
    found = body["data"]["campaign"]
    stats = {**found["audienceStats"], "coverage": Decimal(str(found["audienceStats"]["coverage"]))}
    assert stats == expected["stats"]
    assert found["audience"]["totalCount"] == expected["totalCount"]
    assert found["audience"]["pageInfo"]["hasNextPage"] == expected["hasNextPage"]
    assert [edge["node"]["id"] for edge in found["audience"]["edges"]] == expected["ids"]
    # And the numbers are on screen, not only in the editor's model.
    shown = page.inner_text(".graphiql-response")
    assert f'"totalAudience": {expected["stats"]["totalAudience"]}' in shown
    assert f'"totalDuration": "{expected["stats"]["totalDuration"]}"' in shown

    ARTIFACT.parent.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACT)
    if os.environ.get("UPDATE_GRAPHIQL_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(ARTIFACT, DOCS_SCREENSHOT)


def test_headers_stored_by_an_earlier_page_do_not_hide_the_demo_token(
    server: Server, browser: Browser
) -> None:
    page = browser.page
    _open_graphiql(browser, server.url)
    # What an earlier GraphiQL on this origin could have left: Strawberry's stock page keeps
    # "graphiql:*" keys with persisted headers; ours are prefixed, and may hold tabs too.
    tabs = {
        "activeTabIndex": 0,
        "tabs": [
            {
                "id": "restored",
                "hash": None,
                "title": "Typename",
                "query": RESTORED_QUERY,
                "variables": None,
                "headers": STALE_HEADERS,
                "operationName": "Typename",
                "response": None,
            }
        ],
    }
    stored = {
        "query": RESTORED_QUERY,
        "headers": STALE_HEADERS,
        "shouldPersistHeaders": "true",
        "tabState": json.dumps(tabs),
    }
    page.evaluate(
        """stored => {
            localStorage.clear();
            for (const [key, value] of Object.entries(stored)) {
                localStorage.setItem("graphiql:" + key, value);
                localStorage.setItem("audience-stats:graphiql:" + key, value);
            }
        }""",
        stored,
    )
    _open_graphiql(browser, server.url)

    # The stored tab is restored (this is not a first visit), with the demo token in force.
    assert _editor_value(page, QUERY_EDITOR) == RESTORED_QUERY
    _tool_tab(page, "headers")
    assert json.loads(_editor_value(page, TOOL_EDITOR)) == {"token": demo_token()}
    result = _run_and_wait(page)
    assert result["data"] == {"__typename": "Query"}
    assert result["extensions"]["cost"]["requestedQueryCost"] == 0  # GraphiQL shows the cost
    # Headers are not persisted: the stale ones are cleared from our keys, and the demo token
    # is not stored in their place. ("graphiql:" keys belong to the other page: left alone.)
    stored_now = page.evaluate(
        """() => [localStorage.getItem("audience-stats:graphiql:headers"),
                  localStorage.getItem("audience-stats:graphiql:tabState")]"""
    )
    headers_now, tabs_now = stored_now
    assert headers_now is None
    assert RESTORED_QUERY in tabs_now  # the tabs are still stored, without their headers
    assert "stale-token" not in tabs_now
    assert demo_token() not in tabs_now


def test_a_subscription_shows_each_new_value(
    server: Server, database: Path, browser: Browser
) -> None:
    page = browser.page
    rows = demo_audience(LIVE_CAMPAIGN)
    _open_graphiql(browser, server.url)

    # Typed into the query editor, in place of the default document, and run with Ctrl-Enter.
    page.click(QUERY_EDITOR)
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(LIVE_SUBSCRIPTION)
    assert _editor_value(page, QUERY_EDITOR) == LIVE_SUBSCRIPTION
    # GraphiQL reads the operation's name from an edit 100 ms later, then stores the tab; a run
    # before that would ask for the default document's operation.
    page.wait_for_function(
        """() => {
            const state = JSON.parse(localStorage.getItem("audience-stats:graphiql:tabState"));
            return state?.tabs[state.activeTabIndex]?.operationName === "LiveStats";
        }"""
    )
    page.keyboard.press("Control+Enter")

    first = _wait_for_response(page)
    assert "errors" not in first, first
    assert reference.exact_coverage(first["data"]["audienceStats"]) == reference.graphql_stats(
        reference.stats(rows, None)
    )

    # A record that was not answered gets a 7 s longer answered call, through plain SQL.
    row = next(row for row in rows if row["call_status"] not in reference.SUCCESSFUL_CALL_STATUSES)
    changed = {**row, "duration": row["duration"] + 7, "call_status": "ANSWER"}
    expected = reference.graphql_stats(
        reference.stats([changed if r is row else r for r in rows], None)
    )
    update = "UPDATE campaign_audience SET duration = duration + 7, call_status = ? WHERE id = ?"
    _write(database, update, ("ANSWER", row["id"]))
    try:
        # The pushed value replaces the first in the result pane, with no further click.
        page.wait_for_function(
            """([selector, duration]) => {
                const text = document.querySelector(selector).CodeMirror.getValue();
                try {
                    return JSON.parse(text).data.audienceStats.totalDuration === duration;
                } catch {
                    return false;
                }
            }""",
            arg=[RESPONSE_EDITOR, expected["totalDuration"]],
        )
        pushed = json.loads(_editor_value(page, RESPONSE_EDITOR))
        assert reference.exact_coverage(pushed["data"]["audienceStats"]) == expected
        shown = page.inner_text(".graphiql-response")
        assert f'"totalDuration": "{expected["totalDuration"]}"' in shown
        assert f'"successfulCalls": {expected["successfulCalls"]}' in shown

        # Still running: the button that ran it stops it.
        assert page.get_attribute(RUN_BUTTON, "aria-label") == "Stop query (Ctrl-Enter)"
        page.click(RUN_BUTTON)
        page.wait_for_selector(f'{RUN_BUTTON}[aria-label="Execute query (Ctrl-Enter)"]')
    finally:
        undo = "UPDATE campaign_audience SET duration = ?, call_status = ? WHERE id = ?"
        _write(database, undo, (row["duration"], row["call_status"], row["id"]))

"""The GraphiQL page, with a default document, and the files it loads, served by the app."""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from app.demo import demo_token
from app.graphiql import assets
from app.repository import Repository
from app.routes import GRAPHQL_PATH

ASSETS_PATH = f"{GRAPHQL_PATH}/static"

DEFAULT_QUERY = """\
# Stats of a campaign next to the first page of its
# audience, both narrowed by the filter in the
# variables below. Run it: Ctrl-Enter or the ▶ button.
#
# Every request needs a workspace token, set in the
# Headers tab below: {"token": "..."}

query CampaignOverview(
  $campaignId: Int!
  $filter: AudienceFilter
) {
  campaign(id: $campaignId) {
    name
    maxAttempts
    audienceStats(filter: $filter) {
      totalAudience
      totalAttempt
      totalDuration
      successfulCalls
      coverage
    }
    audience(
      filter: $filter
      first: 5
      orderBy: {field: DURATION, direction: DESC}
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          mobileNo
          status
          callStatus
          attempt
          duration
          lastAttemptAt
          inputData
        }
      }
    }
  }
}
"""
DEFAULT_VARIABLES: dict[str, object] = {
    "campaignId": 2,
    "filter": {"status": ["COMPLETED", "INQUEUE"]},
}

_TEMPLATE = Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))
_STYLESHEETS = [f"{assets.GRAPHIQL.folder}/graphiql.min.css"]
# In load order: GraphiQL's UMD bundle expects React and ReactDOM as globals.
_SCRIPTS = [
    f"{assets.REACT.folder}/react.production.min.js",
    f"{assets.REACT_DOM.folder}/react-dom.production.min.js",
    f"{assets.GRAPHIQL.folder}/graphiql.min.js",
]
_MISSING = """<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>audience-stats · GraphiQL is not installed</title></head>
  <body style="font-family: sans-serif; max-width: 44em; margin: 3em auto; line-height: 1.5">
    <h1>GraphiQL's files are not installed</h1>
    <p>This server serves GraphiQL itself, from files fetched at install time, and some are
    missing: {missing}.</p>
    <p>In a checkout, run <code>make install</code>; elsewhere, run
    <code>{command}</code> with the Python this server runs on. Then reload this page.</p>
    <p>The API itself works: POST queries to <code>{endpoint}</code> with a token.</p>
  </body>
</html>
"""


def script_json(value: object) -> str:
    """JSON to embed in a <script> element: `</script>` or `<!--` in a value cannot end it."""
    # "<", ">" and "&" only ever occur inside JSON strings, where \u escapes mean the same.
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(headers: dict[str, str] | None) -> str:
    """The page; `headers` pre-fill GraphiQL's headers editor (None leaves it empty)."""

    def url(path: str) -> str:
        return html.escape(f"{ASSETS_PATH}/{path}", quote=True)

    config = {
        "endpoint": GRAPHQL_PATH,
        "query": DEFAULT_QUERY,
        "variables": _editor_json(DEFAULT_VARIABLES),
        "headers": None if headers is None else _editor_json(headers),
    }
    return _TEMPLATE.substitute(
        stylesheets="\n".join(
            f'    <link rel="stylesheet" href="{url(p)}" />' for p in _STYLESHEETS
        ),
        scripts="\n".join(f'    <script src="{url(p)}"></script>' for p in _SCRIPTS),
        config=script_json(config),
    )


def _editor_json(value: Mapping[str, object]) -> str:
    """A JSON object with one key a line: short enough for the editor, yet readable."""
    lines = ",\n".join(f"  {json.dumps(key)}: {json.dumps(item)}" for key, item in value.items())
    return f"{{\n{lines}\n}}"


def render_missing(missing: list[str]) -> str:
    """A page that says how to fetch GraphiQL's files, instead of a blank one."""
    return _MISSING.format(
        missing=html.escape(", ".join(missing)),
        command=html.escape(assets.FETCH_COMMAND),
        endpoint=html.escape(GRAPHQL_PATH),
    )


async def prefilled_token(repository: Repository) -> str | None:
    """The demo token when this database holds it, valid and unrevoked; else None.

    That is what "runs on the demo database" means: the documented token works here.
    """
    token = demo_token()
    if token is None or await repository.workspace_for_token(token) is None:
        return None
    return token


# The page may hold a token: no other site may frame it (clickjacking) or learn its URL.
_PAGE_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


async def graphiql_page(request: Request) -> Response:
    missing = assets.missing_files()
    if missing:
        return HTMLResponse(render_missing(missing), status_code=503, headers=_PAGE_HEADERS)
    token = await prefilled_token(request.state.repository)
    return HTMLResponse(render(None if token is None else {"token": token}), headers=_PAGE_HEADERS)


class AssetFiles(StaticFiles):
    """The fetched files; their URLs carry the package version, so they never change."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def graphiql_assets() -> AssetFiles:
    # The folder may be missing until fetched; the page then says how to fetch it.
    return AssetFiles(directory=assets.STATIC_DIR, check_dir=False)

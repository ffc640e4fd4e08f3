"""Documents are parsed and validated once, and the caches change no answer."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from app.graphql.caches import ParserCache, ValidationCache
from tests.api import error_codes, graphql
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

STATS = "query CachedStats($id: Int!) { campaignAudienceStats(campaignId: $id) { totalAudience } }"
UNKNOWN_FIELD = "query CachedUnknown { campaignAudienceStats(campaignId: 1) { nothing } }"
SYNTAX_ERROR = "query CachedBroken { campaignAudienceStats(campaignId: 1) {"
TOO_DEEP = "query CachedDeep { " + "__schema { types { " * 11 + "}" * 22 + " }"


async def test_a_repeated_document_is_parsed_and_validated_once(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 1, 1)
    await add_audience(engine, [audience_row(i, 1) for i in (1, 2, 3)])
    parsed = ParserCache().cached_parse_document.cache_info()
    validated = ValidationCache().cached_validate_document.cache_info()

    answers = [await graphql(client, STATS, {"id": 1}, token=token) for _ in range(3)]

    assert answers == [{"data": {"campaignAudienceStats": {"totalAudience": 3}}}] * 3
    assert ParserCache().cached_parse_document.cache_info().hits - parsed.hits >= 2
    assert ValidationCache().cached_validate_document.cache_info().hits - validated.hits >= 2


async def test_bad_documents_keep_their_errors_and_codes_when_repeated(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await add_workspace(engine, 1)
    for document, needle in (
        (UNKNOWN_FIELD, "nothing"),
        (SYNTAX_ERROR, "Syntax Error"),
        (TOO_DEEP, "deep"),
    ):
        for _ in range(2):
            body = await graphql(client, document, token=token)
            assert body.get("data") is None, body
            assert set(error_codes(body)) == {"BAD_USER_INPUT"}, body
            assert any(needle in error["message"] for error in body["errors"]), body

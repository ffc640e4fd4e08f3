"""The REST twins: campaignAudienceStats (contract section 5) and the audience list."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from urllib.parse import parse_qsl

from graphql import DocumentNode, parse
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse

from app import breakdowns, listing
from app.breakdowns import Dimension
from app.errors import BadInput, NotFound
from app.filters import FILTER_FIELDS, LIST_FIELDS, RANGE_FIELDS, AudienceFilter, AudienceStatus
from app.graphql.cost import requested_cost
from app.graphql.schema import schema
from app.loaders import Loaders
from app.pagination import PAGE_SIZES
from app.repository import Repository
from app.stats import AudienceStats
from app.values import ID32, shown, whole_number

PAGES = ID32  # page numbers: 1 … the largest 32-bit whole number

# Each route costs what the GraphQL operation it mirrors costs, from the same rate budget.
_STATS_TWIN = parse("{ campaignAudienceStats(campaignId: 1) { totalAudience } }")
_BREAKDOWN_TWIN = parse(
    "query ($by: [AudienceDimension!]!) { campaignAudienceBreakdown(campaignId: 1, by: $by) "
    "{ stats { totalAudience } } }"
)
_LIST_TWIN = parse(
    "query ($limit: Int) { campaign(id: 1) { audienceStats { totalAudience } "
    "audience(first: $limit) { edges { node { id } } } } }"
)


async def _charge(
    request: Request, twin: DocumentNode, variables: dict[str, object] | None = None
) -> None:
    cost = requested_cost(schema._schema, twin, None, variables)
    assert cost is not None
    await request.state.budget.charge(cost)


async def campaign_audience_stats(request: Request) -> JSONResponse:
    """GET /api/v1/global/campaign-audience-stats?campaign_id=…&status=…"""
    params = _query(request)
    campaign_id, audience_filter = _campaign_id(params), _filter(params)
    await _charge(request, _STATS_TWIN)
    loaders = Loaders(request.state.repository, request.state.workspace_id)
    return JSONResponse(_stats(await loaders.campaign_stats(campaign_id, audience_filter)))


async def campaign_audience_breakdown(request: Request) -> JSONResponse:
    """GET /api/v1/global/campaign-audience-breakdown?campaign_id=…&by=call_status,attempt&…

    The groups of campaignAudienceBreakdown, in its order; each key names its dimensions'
    columns, statuses as the REST filter's numeric codes."""
    params = _query(request)
    campaign_id, audience_filter = _campaign_id(params), _filter(params)
    by = breakdowns.dimensions(_dimension(name) for name in _list(params, "by"))
    try:
        zone = breakdowns.time_zone(_single(params, "time_zone") or "UTC")
    except ValueError as error:
        raise BadInput("time_zone", str(error)) from None
    await _charge(request, _BREAKDOWN_TWIN, {"by": [d.name for d in by]})
    loaders = Loaders(request.state.repository, request.state.workspace_id)
    groups = await loaders.campaign_breakdown(campaign_id, audience_filter, by, zone)
    timed = any(d.is_time for d in by)
    return JSONResponse(
        {
            "groups": [
                {
                    "key": {d.value: _key(v) for d, v in zip(by, group.key, strict=True)},
                    **({"last_attempt_before": _key(group.until)} if timed else {}),
                    **_stats(group.stats),
                }
                for group in groups
            ]
        }
    )


def _key(value: object) -> object:
    """A group's value as JSON: a status by its code, a time by its ISO 8601 text."""
    if isinstance(value, AudienceStatus):
        return int(value)
    return value.isoformat() if isinstance(value, datetime) else value


def _stats(stats: AudienceStats) -> dict[str, object]:
    return {
        "total_audience": stats.total_audience,
        "coverage": float(stats.coverage),
        "total_attempt": stats.total_attempt,
        "total_duration": stats.total_duration,
        "successful_calls": stats.successful_calls,
    }


def _dimension(name: str) -> Dimension:
    try:
        return Dimension(name.strip().lower())
    except ValueError:
        known = ", ".join(d.value for d in Dimension)
        raise BadInput("by", f"unknown dimension {shown(name)}; known: {known}") from None


async def audience_list(request: Request) -> JSONResponse:
    """GET /api/v1/global/audience-list?campaign_id=…&page=…&limit=…&is_new=…&status=…

    totalRecords is the stats' totalAudience, from the same aggregate; the page skips the
    records of the pages before it, by id.
    """
    params = _query(request)
    campaign_id, audience_filter = _campaign_id(params), _filter(params)
    page = _number(params, "page", PAGES, default=1)
    limit = _number(params, "limit", PAGE_SIZES, default=10)
    simplified = _boolean(params, "is_new")
    await _charge(request, _LIST_TWIN, {"limit": limit})
    repository: Repository = request.state.repository
    loaders = Loaders(repository, request.state.workspace_id)
    stats, campaign = await asyncio.gather(
        loaders.campaign_stats(campaign_id, audience_filter), loaders.campaign.load(campaign_id)
    )
    if campaign is None:  # gone between the two statements
        raise NotFound(f"campaign {campaign_id} not found")
    offset, total = (page - 1) * limit, stats.total_audience
    records = []
    if offset < total:  # a page past the end is empty, with the true totals
        records = await repository.audience_slice(
            request.state.workspace_id, campaign_id, audience_filter, limit, offset
        )
    return JSONResponse(
        {
            "datalist": [
                listing.raw(r) if simplified else listing.displayed(r, campaign) for r in records
            ],
            "headers": listing.headers(simplified),
            "pagination": {
                "totalRecords": total,
                "totalPages": -(-total // limit),
                "currentPage": page,
                "limit": limit,
            },
        }
    )


def _query(request: Request) -> QueryParams:
    """The query parameters, percent-escapes decoded as UTF-8 strictly: Starlette's own
    would replace bytes that are not UTF-8, and then match nothing in silence."""
    try:
        pairs = parse_qsl(
            request.scope["query_string"].decode("latin-1"), keep_blank_values=True, errors="strict"
        )
    except UnicodeDecodeError:
        raise BadInput("query", "the parameters are not valid UTF-8 once decoded") from None
    return QueryParams(pairs)


def _campaign_id(params: QueryParams) -> int:
    return _number(params, "campaign_id", ID32)


def _filter(params: QueryParams) -> AudienceFilter:
    def value(name: str) -> object:
        if name in LIST_FIELDS:
            return _list(params, name)
        if name in RANGE_FIELDS:
            return (_instant(params, f"{name}_from"), _instant(params, f"{name}_to"))
        return _single(params, name)

    try:
        return AudienceFilter.parse(**{name: value(name) for name in FILTER_FIELDS})
    except BadInput as error:
        if error.field in RANGE_FIELDS:  # REST spells a range as two parameters
            raise BadInput(f"{error.field}_from/_to", error.detail) from None
        raise


_PLUS_AS_SPACE = re.compile(r" ([0-9]{2}(:?[0-9]{2})?)$")


def _instant(params: QueryParams, name: str) -> str | None:
    """An ISO 8601 parameter; a `+` of its offset sent unescaped arrives as a space."""
    text = _single(params, name)
    return None if text is None else _PLUS_AS_SPACE.sub(r"+\1", text.strip())


def _number(params: QueryParams, name: str, within: range, default: int | None = None) -> int:
    """A whole-number parameter; required unless it has a default."""
    text = (_single(params, name, required=default is None) or "").strip()
    if not text and default is not None:
        return default
    try:
        return whole_number(text, within)
    except ValueError as error:
        raise BadInput(name, str(error)) from None


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False, "": False}


def _boolean(params: QueryParams, name: str) -> bool:
    """A boolean parameter: true / false (or 1 / 0, any case); false when absent."""
    text = (_single(params, name) or "").strip().lower()
    if text not in _BOOLEANS:
        raise BadInput(name, f"expected true or false, got {shown(text)}")
    return _BOOLEANS[text]


def _single(params: QueryParams, name: str, *, required: bool = False) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadInput(name, "give this parameter once")
    if required and not (values and values[0].strip()):
        raise BadInput(name, "this parameter is required")
    return values[0] if values else None


def _list(params: QueryParams, name: str) -> list[str]:
    """Values of `name=a&name=b`, `name[]=a&name[]=b` or `name=a,b`; blanks dropped. The
    others are kept as given: the filter trims what it compares trimmed (not dispositions)."""
    return [
        item
        for value in params.getlist(name) + params.getlist(f"{name}[]")
        for item in value.split(",")
        if item.strip()
    ]

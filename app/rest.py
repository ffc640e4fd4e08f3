"""The REST twin of campaignAudienceStats (contract section 5)."""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.errors import BadInput
from app.filters import FILTER_FIELDS, LIST_FIELDS, AudienceFilter
from app.loaders import Loaders
from app.values import ID32, whole_number


async def campaign_audience_stats(request: Request) -> JSONResponse:
    """GET /api/v1/global/campaign-audience-stats?campaign_id=…&status=…"""
    params = request.query_params
    campaign_id = _campaign_id(_single(params, "campaign_id", required=True) or "")
    audience_filter = AudienceFilter.parse(
        **{
            name: _list(params, name) if name in LIST_FIELDS else _single(params, name)
            for name in FILTER_FIELDS
        }
    )
    loaders = Loaders(request.state.repository, request.state.workspace_id)
    stats = await loaders.campaign_stats(campaign_id, audience_filter)
    return JSONResponse(
        {
            "total_audience": stats.total_audience,
            "coverage": float(stats.coverage),
            "total_attempt": stats.total_attempt,
            "total_duration": stats.total_duration,
            "successful_calls": stats.successful_calls,
        }
    )


def _campaign_id(text: str) -> int:
    try:
        return whole_number(text.strip(), ID32)
    except ValueError as error:
        raise BadInput("campaign_id", str(error)) from None


def _single(params: QueryParams, name: str, *, required: bool = False) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadInput(name, "give this parameter once")
    if required and not (values and values[0].strip()):
        raise BadInput(name, "this parameter is required")
    return values[0] if values else None


def _list(params: QueryParams, name: str) -> list[str]:
    """Values of `name=a&name=b`, `name[]=a&name[]=b` or `name=a,b`; blanks dropped."""
    return [
        item.strip()
        for value in params.getlist(name) + params.getlist(f"{name}[]")
        for item in value.split(",")
        if item.strip()
    ]

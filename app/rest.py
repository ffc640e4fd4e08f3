"""The REST twin of campaignAudienceStats (contract section 5)."""

from __future__ import annotations

import re

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.errors import AppError, BadInput, NotFound, rest_error_body
from app.filters import AudienceFilter
from app.repository import Repository
from app.stats import NO_AUDIENCE

_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,10}")  # int() of very long text is slow
_INT32 = range(-(2**31), 2**31)


async def campaign_audience_stats(request: Request) -> JSONResponse:
    """GET /api/v1/global/campaign-audience-stats?campaign_id=…&status=…"""
    repository: Repository = request.state.repository
    workspace_id: int = request.state.workspace_id
    params = request.query_params
    try:
        campaign_id = _whole_number("campaign_id", _single(params, "campaign_id", required=True))
        audience_filter = AudienceFilter.parse(
            mobile_no=_single(params, "mobile_no"),
            status=[_whole_number("status", v) for v in _list(params, "status")],
            call_status=_list(params, "call_status"),
            first_status=_list(params, "first_status"),
            last_status=_list(params, "last_status"),
            attempt=[_whole_number("attempt", v) for v in _list(params, "attempt")],
        )
        if not await repository.campaigns(workspace_id, [campaign_id]):
            raise NotFound(f"campaign {campaign_id} not found")
    except AppError as error:
        return JSONResponse(rest_error_body(error.code, error.message), error.http_status)
    found = await repository.stats(workspace_id, [campaign_id], audience_filter)
    stats = found.get(campaign_id, NO_AUDIENCE)
    return JSONResponse(
        {
            "total_audience": stats.total_audience,
            "coverage": float(stats.coverage),
            "total_attempt": stats.total_attempt,
            "total_duration": stats.total_duration,
            "successful_calls": stats.successful_calls,
        }
    )


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


def _whole_number(name: str, text: str | None) -> int:
    text = (text or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text) or int(text) not in _INT32:
        raise BadInput(name, f"expected a whole number, got {text!r}")
    return int(text)

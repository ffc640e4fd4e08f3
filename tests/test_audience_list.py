"""`GET /api/v1/global/audience-list`, the REST list twin of the stats route.

Written from the contract (/work/shared/CONTRACT.md) and the README's "REST" section alone,
as an independent check of app/rest.py and app/listing.py: every expectation here is
computed from the rows the test inserts (through tests/reference.py for the filter, and the
README's format rules below for the records), never from the route's own output.
"""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from app.app import create_app
from app.settings import Settings
from tests import reference
from tests.api import LIST_ENCODINGS, rest_filter
from tests.conftest import StatementLog, clear
from tests.factories import add_audience, add_campaign, add_workspace, audience_row, token_of
from tests.reference import AUDIENCE_STATUS_CODES, KNOWN_CALL_STATUSES

LIST_PATH = "/api/v1/global/audience-list"
STATS_PATH = "/api/v1/global/campaign-audience-stats"

# The README's headers, in its order, with its labels.
DISPLAY_HEADERS = [
    {"key": "mobile_no", "label": "Mobile Number"},
    {"key": "status", "label": "Lead Status"},
    {"key": "total_attempt", "label": "Total Attempts"},
    {"key": "duration", "label": "Duration"},
    {"key": "last_attempt", "label": "Last Attempt"},
    {"key": "last_call_status", "label": "Last Call Status"},
    {"key": "last_disposition", "label": "Last Disposition"},
    {"key": "updated_by", "label": "Updated By"},
]
SIMPLE_HEADERS = [
    {"key": "mobile_no", "label": "Mobile Number"},
    {"key": "status", "label": "Lead Status"},
    {"key": "call_status", "label": "Call Status"},
    {"key": "first_status", "label": "First Status"},
    {"key": "last_status", "label": "Last Status"},
    {"key": "attempt", "label": "Attempts"},
    {"key": "duration", "label": "Duration (s)"},
    {"key": "last_attempt_at", "label": "Last Attempt (UTC)"},
    {"key": "last_disposition", "label": "Last Disposition"},
]
DISPLAY_KEYS = {"id", "input_data", *(header["key"] for header in DISPLAY_HEADERS)}
SIMPLE_KEYS = {
    "id",
    "mobile_no",
    "status",
    "call_status",
    "first_status",
    "last_status",
    "attempt",
    "duration",
    "last_attempt_at",
    "last_disposition",
    "input_data",
}
STATUS_LABELS = {0: "Fresh", 1: "Completed", 2: "Halted", 3: "Inqueue"}
STATUS_NAMES = {code: name for name, code in AUDIENCE_STATUS_CODES.items()}
INT32_MAX = 2**31 - 1

# `is_new` spellings of each format ("absent": the parameter left out).
SIMPLE_SPELLINGS = ("true", "1", "TRUE", "True", "tRuE")
DISPLAY_SPELLINGS = ("absent", "false", "0", "FALSE", "False")

# The README's display rules, as a model.


def duration_text(seconds: int) -> str:
    """Talk time with every unit below the largest shown: 0s, 59s, 2m 0s, 1h 2m 5s."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


def utc_text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def utc_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def display_record(row: dict[str, Any], max_attempts: int) -> dict[str, Any]:
    return {
        "id": row["id"],
        "mobile_no": row["mobile_no"],
        "input_data": row["input_data"],
        "total_attempt": f"{row['attempt']}/{max_attempts}",
        "duration": duration_text(row["duration"]),
        "last_attempt": utc_text(row["last_attempt_at"]),
        "last_disposition": row["last_disposition"],
        "last_call_status": row["call_status"],
        "status": STATUS_LABELS[row["status"]],
        "updated_by": None,
    }


def simple_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "mobile_no": row["mobile_no"],
        "status": STATUS_NAMES[row["status"]],
        "call_status": row["call_status"],
        "first_status": row["first_status"],
        "last_status": row["last_status"],
        "attempt": row["attempt"],
        "duration": row["duration"],
        "last_attempt_at": utc_iso(row["last_attempt_at"]),
        "last_disposition": row["last_disposition"],
        "input_data": row["input_data"],
    }


def pagination(total: int, page: int, limit: int) -> dict[str, int]:
    return {
        "totalRecords": total,
        "totalPages": math.ceil(total / limit),
        "currentPage": page,
        "limit": limit,
    }


def matching_ids(rows: list[dict[str, Any]], audience_filter: dict[str, Any] | None) -> list[int]:
    """The ids the filter matches, in the route's order (id ascending)."""
    return sorted(row["id"] for row in rows if reference.matches(row, audience_filter))


async def get(
    client: httpx.AsyncClient, params: Any, token: str | None, path: str = LIST_PATH
) -> httpx.Response:
    headers = {"token": token} if token is not None else {}
    return await client.get(path, params=params, headers=headers)


async def listing(
    client: httpx.AsyncClient, params: Any, token: str, status: int = 200
) -> dict[str, Any]:
    response = await get(client, params, token)
    assert response.status_code == status, (params, response.text)
    body: dict[str, Any] = response.json()
    if status == 200:
        assert set(body) == {"datalist", "headers", "pagination"}, body
    return body


async def stats_total(client: httpx.AsyncClient, params: Any, token: str) -> int:
    response = await get(client, params, token, STATS_PATH)
    assert response.status_code == 200, (params, response.text)
    total: int = response.json()["total_audience"]
    return total


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The REST error body: exactly {"error": {"code": ..., "message": ...}}."""
    assert response.status_code == status, (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str), body
    assert body["error"]["message"], body
    return body


# A fixed data set: campaign 1 (workspace 1, max_attempts 4) is asked about, campaign 2
# (workspace 1, max_attempts 2) is its sibling, campaign 3 belongs to workspace 2. Ids
# interleave across campaigns and rows are inserted out of id order.

TARGET, SIBLING, FOREIGN = 1, 2, 3
MISSING = 999_999
TARGET_MAX_ATTEMPTS = 4
CALLS = ("COMPLETED", "NO_ANSWER", "BUSY", None, "ANSWER", "VOICEMAIL")
MOMENT = datetime(2026, 3, 1, 1, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def _fixed_rows() -> list[dict[str, Any]]:
    rows = []
    for n in range(1, 70):
        campaign_id = (TARGET, TARGET, SIBLING, FOREIGN)[n % 4]
        rows.append(
            audience_row(
                7 * n + (n % 3),
                campaign_id,
                mobile_no=f"+1202555{n:04d}" if n % 5 else f"+4420%_{n:04d}",
                status=n % 4,
                call_status=CALLS[n % 6],
                first_status=CALLS[(n + 1) % 6],
                last_status=CALLS[(n + 2) % 6],
                attempt=n % 5,
                duration=(n * 97) % 4000,
                last_attempt_at=None if n % 7 == 0 else MOMENT + timedelta(minutes=n),
                last_disposition=None if n % 3 else "Interested",
                input_data={"n": n, "city": "Zürich"},
            )
        )
    random.Random(7).shuffle(rows)
    return rows


FIXED_ROWS = _fixed_rows()
TARGET_ROWS = [row for row in FIXED_ROWS if row["campaign_id"] == TARGET]
BY_ID = {row["id"]: row for row in FIXED_ROWS}


async def _seed_fixed(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_workspace(engine, 2)
    await add_campaign(engine, TARGET, 1, max_attempts=TARGET_MAX_ATTEMPTS)
    await add_campaign(engine, SIBLING, 1, max_attempts=2)
    await add_campaign(engine, FOREIGN, 2, max_attempts=5)
    await add_audience(engine, FIXED_ROWS)
    return token


# Page walks, defaults, totals


async def test_page_walks_visit_every_record_once_in_id_order(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_fixed(engine)
    filters: list[tuple[dict[str, Any] | None, list[tuple[str, str]]]] = [
        (None, []),
        ({"status": ["COMPLETED", "HALTED"]}, [("status", "1,2")]),
        ({"mobileNo": "555-00"}, [("mobile_no", "555-00")]),
    ]
    for audience_filter, filter_params in filters:
        expected = matching_ids(TARGET_ROWS, audience_filter)
        assert 5 < len(expected) <= len(TARGET_ROWS)
        base = [("campaign_id", str(TARGET)), *filter_params]
        assert await stats_total(client, base, token) == len(expected)
        for limit in (1, 2, 3, 7, 10, len(expected) - 1, len(expected), len(expected) + 1, 100):
            pages = math.ceil(len(expected) / limit)
            seen: list[int] = []
            for page in range(1, pages + 2):
                params = [*base, ("page", str(page)), ("limit", str(limit))]
                body = await listing(client, params, token)
                assert body["pagination"] == pagination(len(expected), page, limit), params
                ids = [record["id"] for record in body["datalist"]]
                if page < pages:
                    assert len(ids) == limit, params
                elif page == pages:
                    assert 1 <= len(ids) <= limit, params
                else:  # past the end: empty, with the true totals
                    assert ids == [], params
                seen += ids
            assert seen == expected, (audience_filter, limit)


async def test_defaults_are_page_1_limit_10_display_format(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_fixed(engine)
    expected = matching_ids(TARGET_ROWS, None)
    assert len(expected) > 10
    body = await listing(client, {"campaign_id": TARGET}, token)
    assert body["pagination"] == pagination(len(expected), 1, 10)
    assert body["pagination"]["totalPages"] == math.ceil(len(expected) / 10)
    assert body["headers"] == DISPLAY_HEADERS
    assert body["datalist"] == [
        display_record(BY_ID[i], TARGET_MAX_ATTEMPTS) for i in expected[:10]
    ]
    for spelling in DISPLAY_SPELLINGS[1:]:
        params = {"campaign_id": TARGET, "is_new": spelling}
        assert await listing(client, params, token) == body, spelling
    explicit = {"campaign_id": TARGET, "page": 1, "limit": 10}
    assert await listing(client, explicit, token) == body


async def test_no_matching_record_is_an_empty_list_with_zero_totals(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_fixed(engine)
    await add_campaign(engine, 4, 1)  # no audience at all
    cases: list[tuple[dict[str, Any], int, int]] = [
        ({"campaign_id": 4}, 1, 10),
        ({"campaign_id": 4, "is_new": "true"}, 1, 10),
        ({"campaign_id": TARGET, "call_status": "UNHEARD_OF"}, 1, 10),
        ({"campaign_id": TARGET, "call_status": "UNHEARD_OF", "page": 3, "limit": 1}, 3, 1),
    ]
    for params, page, limit in cases:
        body = await listing(client, params, token)
        assert body["datalist"] == [], params
        assert body["pagination"] == pagination(0, page, limit), params
        assert body["pagination"]["totalPages"] == 0
        headers = SIMPLE_HEADERS if "is_new" in params else DISPLAY_HEADERS
        assert body["headers"] == headers


# Filters: each parameter, each list encoding


FIXED_FILTERS: list[dict[str, Any]] = [
    {"mobileNo": "(202) 555-001"},
    {"mobileNo": "%_"},  # literal characters, never wildcards
    {"mobileNo": "+1202555"},
    {"status": ["FRESH", "INQUEUE"]},
    {"callStatus": ["no_answer", "Voicemail"]},
    {"firstStatus": ["busy", "COMPLETED"]},
    {"lastStatus": ["answer", "no_answer"]},
    {"attempt": [0, 3]},
    {"status": ["COMPLETED", "HALTED"], "callStatus": ["no_answer", "busy"], "attempt": [1, 2]},
    {"mobileNo": "555", "status": [], "callStatus": [], "attempt": []},
]


async def test_each_filter_parameter_in_each_list_encoding(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_fixed(engine)
    for audience_filter in FIXED_FILTERS:
        expected = matching_ids(TARGET_ROWS, audience_filter)
        assert expected, audience_filter
        assert len(expected) < len(TARGET_ROWS) or audience_filter.get("status") == []
        for encoding in LIST_ENCODINGS:
            params = [
                ("campaign_id", str(TARGET)),
                *rest_filter(audience_filter, encoding),
                ("limit", "100"),
            ]
            body = await listing(client, params, token)
            assert [record["id"] for record in body["datalist"]] == expected, params
            assert body["pagination"] == pagination(len(expected), 1, 100), params
            assert await stats_total(client, params, token) == len(expected), params


# Bounds


REFUSED: list[list[tuple[str, str]]] = [
    [("limit", "0")],
    [("limit", "101")],
    [("limit", "-1")],
    [("limit", "abc")],
    [("limit", "1.5")],
    [("limit", "10"), ("limit", "20")],
    [("page", "0")],
    [("page", "-1")],
    [("page", "abc")],
    [("page", "2.0")],
    [("page", "1e3")],
    [("page", "2147483648")],
    [("page", "1"), ("page", "2")],
    [("page", "2"), ("page", "2")],
    [("is_new", "yes")],
    [("is_new", "2")],
    [("is_new", "truee")],
    [("is_new", "true"), ("is_new", "true")],
    # The filter's bounds hold on this route too (contract section 3).
    [("status", "9")],
    [("status", "x")],
    [("attempt", "1001")],
    [("attempt", "-1")],
    [("mobile_no", "1" * 33)],
    [("mobile_no", "1"), ("mobile_no", "2")],
    [("call_status", ",".join(f"S{i}" for i in range(101)))],
]


async def test_bad_parameters_are_400_with_the_rest_error_body(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_fixed(engine)
    failures = []
    for extra in REFUSED:
        for campaign_id in (TARGET, FOREIGN, MISSING):
            params = [("campaign_id", str(campaign_id)), *extra]
            response = await get(client, params, token)
            try:
                assert_error(response, 400, "BAD_USER_INPUT")
            except AssertionError as error:
                failures.append(f"{params}: {error}")
    for params in (
        [],
        [("campaign_id", "abc")],
        [("campaign_id", "2147483648")],
        [("campaign_id", "1"), ("campaign_id", "1")],
    ):
        response = await get(client, params, token)
        try:
            assert_error(response, 400, "BAD_USER_INPUT")
        except AssertionError as error:
            failures.append(f"{params}: {error}")
    assert failures == [], "\n".join(failures)


async def test_extreme_accepted_bounds(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token = await _seed_fixed(engine)
    expected = matching_ids(TARGET_ROWS, None)
    total = len(expected)
    base = {"campaign_id": TARGET}

    body = await listing(client, {**base, "limit": 1}, token)
    assert [r["id"] for r in body["datalist"]] == expected[:1]
    assert body["pagination"] == pagination(total, 1, 1)

    body = await listing(client, {**base, "limit": 100}, token)
    assert [r["id"] for r in body["datalist"]] == expected
    assert body["pagination"] == pagination(total, 1, 100)

    for limit in (1, 10, 100):
        for is_new in ("false", "true"):
            params = {**base, "page": INT32_MAX, "limit": limit, "is_new": is_new}
            body = await listing(client, params, token)
            assert body["datalist"] == [], params
            assert body["pagination"] == pagination(total, INT32_MAX, limit), params

    body = await listing(client, {**base, "page": total, "limit": 1}, token)
    assert [r["id"] for r in body["datalist"]] == expected[-1:]


# Tenancy and authentication


async def test_another_workspace_s_campaign_answers_like_a_missing_one(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_fixed(engine)
    foreign_rows = [row for row in FIXED_ROWS if row["campaign_id"] == FOREIGN]
    assert foreign_rows
    for extra in (
        {},
        {"is_new": "true", "page": 2, "limit": 1},
        {"status": "1,2", "page": 1, "limit": 100},
        {"mobile_no": "555"},
    ):
        answers = []
        for campaign_id in (FOREIGN, MISSING):
            response = await get(client, {"campaign_id": campaign_id, **extra}, token)
            body = assert_error(response, 404, "NOT_FOUND")
            message = body["error"]["message"].replace(str(campaign_id), "N")
            answers.append(
                ({**body["error"], "message": message}, response.headers["content-type"])
            )
        assert answers[0] == answers[1], extra

    # The foreign workspace's own token sees its campaign, and none of workspace 1's records.
    other = token_of(2)
    body = await listing(client, {"campaign_id": FOREIGN, "limit": 100}, other)
    assert [r["id"] for r in body["datalist"]] == sorted(row["id"] for row in foreign_rows)
    response = await get(client, {"campaign_id": TARGET}, other)
    assert_error(response, 404, "NOT_FOUND")

    # Neither the sibling's nor the foreign campaign's records ever show in the target's list.
    body = await listing(client, {"campaign_id": TARGET, "limit": 100}, token)
    ids = {r["id"] for r in body["datalist"]}
    assert ids == {row["id"] for row in TARGET_ROWS}


async def test_without_a_valid_token_is_401(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token = await _seed_fixed(engine)
    revoked_workspace = 5
    revoked = await add_workspace(engine, revoked_workspace, revoked=True)
    await add_campaign(engine, 50, revoked_workspace)
    for campaign_id in (TARGET, MISSING, 50):
        params = {"campaign_id": campaign_id}
        for headers in (
            {},
            {"token": "not-a-token"},
            {"Authorization": "Bearer not-a-token"},
            {"token": revoked},
        ):
            response = await client.get(LIST_PATH, params=params, headers=headers)
            assert_error(response, 401, "UNAUTHENTICATED")
            assert response.headers.get("www-authenticate", "").startswith("Bearer"), headers
    # A bad parameter without a token is still a 401.
    response = await client.get(LIST_PATH, params={"campaign_id": TARGET, "limit": 0})
    assert_error(response, 401, "UNAUTHENTICATED")
    # The documented token headers work.
    for headers in ({"Authorization": f"Bearer {token}"}, {"Authorization": token}):
        response = await client.get(LIST_PATH, params={"campaign_id": TARGET}, headers=headers)
        assert response.status_code == 200, response.text


# Formats


EDGE_MAX_ATTEMPTS = 3
PLUS_0530 = timezone(timedelta(hours=5, minutes=30))
MINUS_0800 = timezone(timedelta(hours=-8))
NESTED_INPUT = {
    "first_name": "Zoë",
    "city": "São Paulo",
    "tags": ["a", 1, None, True, {"deep": {"x": -5}}],
    "empty": "",
    "big": 12345678901234,
    "nothing": None,
}
BIG_ID = 2**40 + 3


def _edge_rows() -> list[dict[str, Any]]:
    return [
        audience_row(BIG_ID, 10, mobile_no="+19995550000", duration=86_400, attempt=3, status=1),
        audience_row(1, 10, duration=0, attempt=0, status=0),  # never attempted, all NULL
        audience_row(
            2,
            10,
            mobile_no="+12025550002",
            duration=59,
            attempt=1,
            status=1,
            call_status="COMPLETED",
            first_status="NO_ANSWER",
            last_status="COMPLETED",
            last_attempt_at=datetime(2026, 3, 1, 1, 15, 30, tzinfo=PLUS_0530),
            last_disposition="Interested",
            input_data=NESTED_INPUT,
        ),
        audience_row(
            3,
            10,
            duration=60,
            attempt=2,
            status=2,
            call_status="BUSY",
            last_status="BUSY",
            last_attempt_at=datetime(2025, 12, 31, 20, 0, 5, tzinfo=MINUS_0800),
        ),
        audience_row(
            4,
            10,
            duration=3725,
            attempt=3,
            status=3,
            call_status="IN_PROGRESS",
            first_status="BUSY",
            last_attempt_at=datetime(2026, 7, 4, 23, 59, 59, tzinfo=UTC),
            last_disposition="Call back later",
        ),
        audience_row(5, 10, duration=INT32_MAX, attempt=1000, status=1),
        audience_row(6, 10, duration=3600, attempt=1, status=2, call_status="SOMETHING_NEW"),
        audience_row(7, 10, duration=61, status=0),
        audience_row(8, 10, duration=3599, status=0),
        # The other campaign of the workspace, another max_attempts: never shown here.
        audience_row(9, 11, duration=1, attempt=1, status=1),
    ]


EDGE_ROWS = _edge_rows()

# The README's display format, written out by hand for each record, id ascending.
EDGE_DISPLAY: list[dict[str, Any]] = [
    {
        "id": 1,
        "mobile_no": "+12025550001",
        "input_data": {},
        "total_attempt": "0/3",
        "duration": "0s",
        "last_attempt": None,
        "last_disposition": None,
        "last_call_status": None,
        "status": "Fresh",
        "updated_by": None,
    },
    {
        "id": 2,
        "mobile_no": "+12025550002",
        "input_data": NESTED_INPUT,
        "total_attempt": "1/3",
        "duration": "59s",
        "last_attempt": "2026-02-28 19:45:30",
        "last_disposition": "Interested",
        "last_call_status": "COMPLETED",
        "status": "Completed",
        "updated_by": None,
    },
    {
        "id": 3,
        "mobile_no": "+12025550003",
        "input_data": {},
        "total_attempt": "2/3",
        "duration": "1m 0s",
        "last_attempt": "2026-01-01 04:00:05",
        "last_disposition": None,
        "last_call_status": "BUSY",
        "status": "Halted",
        "updated_by": None,
    },
    {
        "id": 4,
        "mobile_no": "+12025550004",
        "input_data": {},
        "total_attempt": "3/3",
        "duration": "1h 2m 5s",
        "last_attempt": "2026-07-04 23:59:59",
        "last_disposition": "Call back later",
        "last_call_status": "IN_PROGRESS",
        "status": "Inqueue",
        "updated_by": None,
    },
    {
        "id": 5,
        "mobile_no": "+12025550005",
        "input_data": {},
        "total_attempt": "1000/3",
        "duration": "596523h 14m 7s",
        "last_attempt": None,
        "last_disposition": None,
        "last_call_status": None,
        "status": "Completed",
        "updated_by": None,
    },
    {
        "id": 6,
        "mobile_no": "+12025550006",
        "input_data": {},
        "total_attempt": "1/3",
        "duration": "1h 0m 0s",
        "last_attempt": None,
        "last_disposition": None,
        "last_call_status": "SOMETHING_NEW",
        "status": "Halted",
        "updated_by": None,
    },
    {
        "id": 7,
        "mobile_no": "+12025550007",
        "input_data": {},
        "total_attempt": "0/3",
        "duration": "1m 1s",
        "last_attempt": None,
        "last_disposition": None,
        "last_call_status": None,
        "status": "Fresh",
        "updated_by": None,
    },
    {
        "id": 8,
        "mobile_no": "+12025550008",
        "input_data": {},
        "total_attempt": "0/3",
        "duration": "59m 59s",
        "last_attempt": None,
        "last_disposition": None,
        "last_call_status": None,
        "status": "Fresh",
        "updated_by": None,
    },
    {
        "id": BIG_ID,
        "mobile_no": "+19995550000",
        "input_data": {},
        "total_attempt": "3/3",
        "duration": "24h 0m 0s",
        "last_attempt": None,
        "last_disposition": None,
        "last_call_status": None,
        "status": "Completed",
        "updated_by": None,
    },
]

# The simplified format of records 1 … 5, by hand.
EDGE_SIMPLE_HEAD: list[dict[str, Any]] = [
    {
        "id": 1,
        "mobile_no": "+12025550001",
        "status": "FRESH",
        "call_status": None,
        "first_status": None,
        "last_status": None,
        "attempt": 0,
        "duration": 0,
        "last_attempt_at": None,
        "last_disposition": None,
        "input_data": {},
    },
    {
        "id": 2,
        "mobile_no": "+12025550002",
        "status": "COMPLETED",
        "call_status": "COMPLETED",
        "first_status": "NO_ANSWER",
        "last_status": "COMPLETED",
        "attempt": 1,
        "duration": 59,
        "last_attempt_at": "2026-02-28T19:45:30+00:00",
        "last_disposition": "Interested",
        "input_data": NESTED_INPUT,
    },
    {
        "id": 3,
        "mobile_no": "+12025550003",
        "status": "HALTED",
        "call_status": "BUSY",
        "first_status": None,
        "last_status": "BUSY",
        "attempt": 2,
        "duration": 60,
        "last_attempt_at": "2026-01-01T04:00:05+00:00",
        "last_disposition": None,
        "input_data": {},
    },
    {
        "id": 4,
        "mobile_no": "+12025550004",
        "status": "INQUEUE",
        "call_status": "IN_PROGRESS",
        "first_status": "BUSY",
        "last_status": None,
        "attempt": 3,
        "duration": 3725,
        "last_attempt_at": "2026-07-04T23:59:59+00:00",
        "last_disposition": "Call back later",
        "input_data": {},
    },
    {
        "id": 5,
        "mobile_no": "+12025550005",
        "status": "COMPLETED",
        "call_status": None,
        "first_status": None,
        "last_status": None,
        "attempt": 1000,
        "duration": INT32_MAX,
        "last_attempt_at": None,
        "last_disposition": None,
        "input_data": {},
    },
]


async def _seed_edges(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, 10, 1, max_attempts=EDGE_MAX_ATTEMPTS)
    await add_campaign(engine, 11, 1, max_attempts=7)
    await add_audience(engine, EDGE_ROWS)
    return token


def test_the_format_model_agrees_with_the_hand_written_records() -> None:
    rows = sorted((row for row in EDGE_ROWS if row["campaign_id"] == 10), key=lambda r: r["id"])
    assert [display_record(row, EDGE_MAX_ATTEMPTS) for row in rows] == EDGE_DISPLAY
    assert [simple_record(row) for row in rows[:5]] == EDGE_SIMPLE_HEAD
    assert [duration_text(s) for s in (0, 59, 60, 120, 3725)] == [
        "0s",
        "59s",
        "1m 0s",
        "2m 0s",
        "1h 2m 5s",
    ]


async def test_display_format_on_edge_values(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_edges(engine)
    body = await listing(client, {"campaign_id": 10, "limit": 100}, token)
    assert body["headers"] == DISPLAY_HEADERS
    assert body["pagination"] == pagination(len(EDGE_DISPLAY), 1, 100)
    for record in body["datalist"]:
        assert set(record) == DISPLAY_KEYS, record
    assert body["datalist"] == EDGE_DISPLAY


async def test_simplified_format_on_edge_values(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed_edges(engine)
    params = {"campaign_id": 10, "limit": 5, "is_new": "true"}
    body = await listing(client, params, token)
    assert body["headers"] == SIMPLE_HEADERS
    assert body["pagination"] == pagination(len(EDGE_DISPLAY), 1, 5)
    for record in body["datalist"]:
        assert set(record) == SIMPLE_KEYS, record
        if record["last_attempt_at"] is not None:
            moment = datetime.fromisoformat(record["last_attempt_at"])
            assert moment.utcoffset() == timedelta(0), record
    assert body["datalist"] == EDGE_SIMPLE_HEAD
    # Typed values: JSON numbers, not strings.
    assert all(
        isinstance(r["attempt"], int) and isinstance(r["duration"], int) for r in body["datalist"]
    )
    for spelling in SIMPLE_SPELLINGS:
        again = await listing(client, {**params, "is_new": spelling}, token)
        assert again == body, spelling

    # The same page in the display format: the same records and pagination.
    display = await listing(client, {"campaign_id": 10, "limit": 5}, token)
    assert display["pagination"] == body["pagination"]
    assert [r["id"] for r in display["datalist"]] == [r["id"] for r in body["datalist"]]


# Statement budget


@pytest.fixture
async def quiet_client(engine: AsyncEngine, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The `client` fixture's app without PostgreSQL's background compaction, whose
    statements would be recorded beside the request's."""
    app = create_app(Settings(database_url=database_url, compact_seconds=3600.0))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def _kind(statement: str) -> str:
    text = " ".join(statement.split())
    if "api_token" in text:
        return "token"
    if "campaign_audience_rollup" in text:
        return "aggregate"
    if "campaign_audience" in text:
        return "audience"
    return "campaign" if "campaign" in text else "other"


async def _recorded(
    client: httpx.AsyncClient, log: StatementLog, params: Any, token: str
) -> tuple[dict[str, Any], list[str]]:
    """The answer and the statements of one request, sent once before to warm the pool (and
    the process's memory of the token: app.auth.Tokens)."""
    warm = await listing(client, params, token)
    start = len(log.statements)
    body = await listing(client, params, token)
    recorded = log.statements[start:]
    assert body == warm
    return body, recorded


async def test_a_page_costs_campaign_aggregate_and_one_page_statement(
    engine: AsyncEngine, quiet_client: httpx.AsyncClient, statements: StatementLog
) -> None:
    token = await _seed_fixed(engine)
    total = len(TARGET_ROWS)
    for extra in (
        {},
        {"page": 3, "limit": 5},
        {"page": 2, "limit": 3, "is_new": "true"},
        {"status": "1,2", "call_status[]": "no_answer", "page": 2, "limit": 2},
    ):
        params = {"campaign_id": TARGET, **extra}
        body, recorded = await _recorded(quiet_client, statements, params, token)
        assert body["datalist"], params
        # Without mobile_no the aggregate reads the rollup, the page the records.
        kinds = sorted(_kind(s) for s in recorded)
        assert kinds == ["aggregate", "audience", "campaign"], (params, recorded)

    # A mobile_no filter: the aggregate reads the records too; still three statements.
    params = {"campaign_id": TARGET, "mobile_no": "555", "page": 2, "limit": 3}
    body, recorded = await _recorded(quiet_client, statements, params, token)
    assert body["datalist"], params
    kinds = sorted(_kind(s) for s in recorded)
    assert kinds == ["audience", "audience", "campaign"], (params, recorded)

    # A page past the end: the README promises at most the aggregate plus one page statement.
    params = {"campaign_id": TARGET, "page": INT32_MAX, "limit": 10}
    body, recorded = await _recorded(quiet_client, statements, params, token)
    assert body["datalist"] == []
    assert body["pagination"]["totalRecords"] == total
    kinds = sorted(_kind(s) for s in recorded)
    assert kinds in (["aggregate", "audience", "campaign"], ["aggregate", "campaign"]), (
        params,
        recorded,
    )


# Properties: random rows and filters, against the reference model

MOBILE_ALPHABET = "0129+%_\\"
SEPARATORS = " -.()"
STATUS_TEXTS = (*KNOWN_CALL_STATUSES, "VOICEMAIL")
FILTER_STATUS_TEXTS = (*STATUS_TEXTS, "UNHEARD_OF")
OFFSETS = (UTC, PLUS_0530, MINUS_0800, timezone(timedelta(hours=14)))
ABSENT = object()

moments = st.none() | st.builds(
    lambda moment, offset: moment.replace(tzinfo=UTC).astimezone(offset),
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.sampled_from(OFFSETS),
)
json_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
input_data = st.dictionaries(
    st.text("abcxyz_", min_size=1, max_size=5),
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | json_text,
    max_size=3,
)
nullable_statuses = st.none() | st.sampled_from(STATUS_TEXTS)
row_values = st.fixed_dictionaries(
    {
        "mobile_no": st.text(MOBILE_ALPHABET, min_size=1, max_size=10),
        "status": st.integers(0, 3),
        "call_status": nullable_statuses,
        "first_status": nullable_statuses,
        "last_status": nullable_statuses,
        "attempt": st.integers(0, 4) | st.integers(0, 1000),
        "duration": st.sampled_from((0, 59, 60, 61, 3599, 3600, 3725, INT32_MAX))
        | st.integers(0, 100_000),
        "last_attempt_at": moments,
        "last_disposition": st.none() | st.sampled_from(("Interested", "", "Call back ✓")),
        "input_data": input_data,
    }
)


@st.composite
def list_filter(
    draw: st.DrawFn,
    others: st.SearchStrategy[Any],
    anchor: Any,
    spell: Callable[[Any], st.SearchStrategy[Any]] | None = None,
) -> Any:
    """Absent, null or empty, or a list of values that mostly holds the anchor row's value
    (`spell` writes a value as the filter takes it). An anchor that is NULL matches no list,
    so such a field seldom gets one."""
    choice = draw(st.integers(0, 5 if anchor is not None else 20))
    if choice <= 2 or choice > 5:
        return ABSENT
    if choice == 3:
        return draw(st.sampled_from(([], None)))
    values = draw(st.lists(others, max_size=2))
    # Hypothesis favours small numbers: 0 … 3 take the anchor.
    if anchor is not None and draw(st.integers(0, 4)) < 4:
        values.insert(draw(st.integers(0, len(values))), anchor)
    if not values:
        values = [draw(others)]
    if spell is None:
        return values
    return [draw(spell(value)) for value in values]


def any_case(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from((text, text.lower(), text.title()))


@st.composite
def mobile_filter(draw: st.DrawFn, anchor: str | None) -> Any:
    choice = draw(st.integers(0, 5))
    if choice <= 1:
        return ABSENT
    if choice == 4:
        return draw(st.sampled_from(("", None, " ( ) ")))
    if choice == 5 or anchor is None:
        return draw(st.text(MOBILE_ALPHABET, min_size=1, max_size=4))
    start = draw(st.integers(0, len(anchor) - 1))
    end = draw(st.integers(start + 1, len(anchor)))
    text = ""
    for char in anchor[start:end]:
        text += draw(st.sampled_from(("", "", "", *SEPARATORS))) + char
    return text


@st.composite
def audience_filters(draw: st.DrawFn, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A filter, its values mostly taken from one of the rows so that it matches some."""
    anchor = draw(st.sampled_from(rows)) if rows else {}
    texts = st.sampled_from(FILTER_STATUS_TEXTS)
    status = anchor.get("status")
    fields = {
        "mobileNo": draw(mobile_filter(anchor.get("mobile_no"))),
        "status": draw(
            list_filter(
                st.sampled_from(sorted(AUDIENCE_STATUS_CODES)),
                None if status is None else STATUS_NAMES[status],
            )
        ),
        "callStatus": draw(list_filter(texts, anchor.get("call_status"), any_case)),
        "firstStatus": draw(list_filter(texts, anchor.get("first_status"), any_case)),
        "lastStatus": draw(list_filter(texts, anchor.get("last_status"), any_case)),
        "attempt": draw(list_filter(st.integers(0, 1000), anchor.get("attempt"))),
    }
    return {name: value for name, value in fields.items() if value is not ABSENT}


@dataclass(frozen=True)
class Scenario:
    rows: list[dict[str, Any]]
    max_attempts: int
    audience_filter: dict[str, Any]

    @property
    def target_rows(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["campaign_id"] == TARGET]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    sizes = {
        TARGET: draw(st.integers(0, 30)),
        SIBLING: draw(st.integers(0, 8)),
        FOREIGN: draw(st.integers(0, 8)),
    }
    ids = draw(
        st.lists(
            st.integers(1, 60) | st.integers(1, 2**40),
            min_size=sum(sizes.values()),
            max_size=sum(sizes.values()),
            unique=True,
        )
    )
    rows = []
    for campaign_id, size in sizes.items():
        for _ in range(size):
            rows.append(audience_row(ids.pop(), campaign_id, **draw(row_values)))
    rows = draw(st.permutations(rows))  # inserted in no particular order
    target_rows = [row for row in rows if row["campaign_id"] == TARGET]
    return Scenario(
        rows=rows,
        max_attempts=draw(st.integers(0, 5)),
        audience_filter=draw(audience_filters(target_rows)),
    )


async def _load(engine: AsyncEngine, scenario: Scenario) -> str:
    await clear(engine)
    token = await add_workspace(engine, 1)
    await add_workspace(engine, 2)
    await add_campaign(engine, TARGET, 1, max_attempts=scenario.max_attempts)
    await add_campaign(engine, SIBLING, 1, max_attempts=scenario.max_attempts + 1)
    await add_campaign(engine, FOREIGN, 2)
    await add_audience(engine, scenario.rows)
    return token


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios(), data=st.data())
async def test_pages_equal_the_reference_for_random_rows_and_filters(
    engine: AsyncEngine, client: httpx.AsyncClient, scenario: Scenario, data: st.DataObject
) -> None:
    token = await _load(engine, scenario)
    by_id = {row["id"]: row for row in scenario.target_rows}
    expected = matching_ids(scenario.target_rows, scenario.audience_filter)
    limit = data.draw(st.sampled_from((1, 2, 3, 10, 100)) | st.integers(1, 100), "limit")
    page = data.draw(st.integers(1, math.ceil(len(expected) / limit) + 2), "page")
    wanted = expected[(page - 1) * limit : page * limit]

    for encoding in LIST_ENCODINGS:
        spelling = data.draw(st.sampled_from(SIMPLE_SPELLINGS + DISPLAY_SPELLINGS), "is_new")
        filter_params = [
            ("campaign_id", str(TARGET)),
            *rest_filter(scenario.audience_filter, encoding),
        ]
        params = [*filter_params, ("page", str(page)), ("limit", str(limit))]
        if spelling != "absent":
            params.append(("is_new", spelling))
        body = await listing(client, params, token)

        assert body["pagination"] == pagination(len(expected), page, limit), params
        assert await stats_total(client, filter_params, token) == len(expected), params
        if spelling in SIMPLE_SPELLINGS:
            assert body["headers"] == SIMPLE_HEADERS
            assert body["datalist"] == [simple_record(by_id[i]) for i in wanted], params
        else:
            assert body["headers"] == DISPLAY_HEADERS
            records = [display_record(by_id[i], scenario.max_attempts) for i in wanted]
            assert body["datalist"] == records, params

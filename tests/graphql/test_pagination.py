"""Keyset pages of Campaign.audience and Query.campaigns, and the nodes they carry (section 4)."""

from __future__ import annotations

import base64
import binascii
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.api import error_codes, graphql
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

AUDIENCE_PAGE = """
query AudiencePage(
  $id: Int!, $first: Int, $after: String, $orderBy: AudienceOrder, $filter: AudienceFilter
) {
  campaign(id: $id) {
    audience(first: $first, after: $after, orderBy: $orderBy, filter: $filter) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id attempt duration lastAttemptAt } }
    }
  }
}
"""

AUDIENCE_DEFAULT_PAGE = """
query AudienceDefaultPage($id: Int!) {
  campaign(id: $id) {
    audience {
      pageInfo { hasNextPage endCursor }
      edges { node { id } }
    }
  }
}
"""

COUNTS = """
query Counts($id: Int!, $filter: AudienceFilter) {
  campaign(id: $id) {
    audienceStats(filter: $filter) { totalAudience }
    audience(filter: $filter, first: 1) { totalCount }
  }
  campaignAudienceStats(campaignId: $id, filter: $filter) { totalAudience }
}
"""

AUDIENCE_NODES = """
query AudienceNodes($id: Int!) {
  campaign(id: $id) {
    audience(first: 100) {
      edges {
        node {
          id mobileNo status callStatus firstStatus lastStatus
          attempt duration lastAttemptAt lastDisposition inputData
        }
      }
    }
  }
}
"""

CAMPAIGN = """
query Campaign($id: Int!) {
  campaign(id: $id) { id name maxAttempts createdAt }
}
"""

CAMPAIGN_WITH_AUDIENCE = """
query CampaignWithAudience($id: Int!) {
  campaign(id: $id) { id audience(first: 5) { totalCount edges { node { id } } } }
}
"""

CAMPAIGNS_PAGE = """
query CampaignsPage($first: Int, $after: String) {
  campaigns(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}
"""

CAMPAIGN_ID = 7
OTHER_CAMPAIGN_ID = 8
FIELDS = ["ID", "ATTEMPT", "DURATION", "LAST_ATTEMPT_AT"]
DIRECTIONS = ["ASC", "DESC"]
ORDERINGS = [
    {"field": field, "direction": direction} for field in FIELDS for direction in DIRECTIONS
]
COLUMN_OF = {
    "ID": "id",
    "ATTEMPT": "attempt",
    "DURATION": "duration",
    "LAST_ATTEMPT_AT": "last_attempt_at",
}
STATUS_NAMES = ["FRESH", "COMPLETED", "HALTED", "INQUEUE"]

Row = dict[str, Any]

# The filter under which the walks are repeated, and the same rule in plain Python.
WALK_FILTER: dict[str, Any] = {
    "status": ["COMPLETED", "INQUEUE"],
    "attempt": [1, 2, 3],
    "callStatus": ["no_answer", "Completed"],
}


def _matches_walk_filter(row: Row) -> bool:
    return (
        row["status"] in (1, 3)
        and row["attempt"] in (1, 2, 3)
        and row["call_status"] in ("NO_ANSWER", "COMPLETED")
    )


def _everything(_row: Row) -> bool:
    return True


FILTERS: list[tuple[dict[str, Any] | None, Callable[[Row], bool]]] = [
    (None, _everything),
    (WALK_FILTER, _matches_walk_filter),
]


def _rows() -> tuple[list[Row], list[Row]]:
    """Rows of the paged campaign and of a sibling campaign, full of ties and NULL timestamps.

    Ids are shuffled against every sort key and both campaigns' ids interleave.
    """
    rng = random.Random(20260105)
    ids = rng.sample(range(1, 1000), 72)
    times = [
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 9, 0, 1, tzinfo=UTC),
        datetime(2026, 3, 2, 17, 30, tzinfo=UTC),
        datetime(2026, 4, 11, 23, 59, 59, tzinfo=UTC),
    ]
    rows = [
        audience_row(
            record_id,
            CAMPAIGN_ID if n < 60 else OTHER_CAMPAIGN_ID,
            status=rng.randrange(4),
            call_status=rng.choice([None, "COMPLETED", "NO_ANSWER", "BUSY"]),
            attempt=rng.choice([0, 1, 1, 2, 3, 3]),
            duration=rng.choice([0, 0, 30, 45, 45, 600]),
            last_attempt_at=rng.choice([None, None, *times]),
        )
        for n, record_id in enumerate(ids)
    ]
    return rows[:60], rows[60:]


def _expected_ids(rows: list[Row], field: str, direction: str) -> list[int]:
    """The contract's order: by the key, NULLs last in both directions, ties by id alike."""
    column = COLUMN_OF[field]
    descending = direction == "DESC"
    present = [row for row in rows if row[column] is not None]
    missing = [row for row in rows if row[column] is None]
    present.sort(key=lambda row: (row[column], row["id"]), reverse=descending)
    missing.sort(key=lambda row: row["id"], reverse=descending)
    return [row["id"] for row in present + missing]


# A connection with nothing in it, as a client sees it.
EMPTY_CONNECTION = {
    "totalCount": 0,
    "pageInfo": {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    },
    "edges": [],
}


async def _seed(engine: AsyncEngine) -> tuple[str, list[Row]]:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, CAMPAIGN_ID, 1)
    await add_campaign(engine, OTHER_CAMPAIGN_ID, 1)
    rows, other_rows = _rows()
    await add_audience(engine, rows + other_rows)
    return token, rows


async def _page(client: httpx.AsyncClient, token: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await graphql(client, AUDIENCE_PAGE, {"id": CAMPAIGN_ID, **variables}, token=token)
    assert "errors" not in body, body
    connection: dict[str, Any] = body["data"]["campaign"]["audience"]
    return connection


def _check_page_info(connection: dict[str, Any], *, first: int, after: str | None) -> None:
    edges = connection["edges"]
    info = connection["pageInfo"]
    assert len(edges) <= first
    if edges:
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
    else:
        assert info["startCursor"] is None
        assert info["endCursor"] is None
        assert info["hasNextPage"] is False
    if info["hasNextPage"]:
        assert len(edges) == first, "a page followed by more records must be full"
    if after is None:
        assert info["hasPreviousPage"] is False


async def _walk(
    client: httpx.AsyncClient,
    token: str,
    *,
    first: int,
    order_by: dict[str, str] | None,
    audience_filter: dict[str, Any] | None,
    expected_total: int,
) -> list[int]:
    """Ids of every page from the first, following endCursor while hasNextPage."""
    seen: list[int] = []
    after: str | None = None
    for _ in range(expected_total + 2):
        connection = await _page(
            client,
            token,
            {"first": first, "after": after, "orderBy": order_by, "filter": audience_filter},
        )
        assert connection["totalCount"] == expected_total
        _check_page_info(connection, first=first, after=after)
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            if expected_total:
                # The last page holds the last record: no trailing empty page is needed.
                assert connection["edges"], "hasNextPage was true before an empty page"
            return seen
        after = connection["pageInfo"]["endCursor"]
    pytest.fail(f"walk did not end after {expected_total + 2} pages; saw {seen}")


@pytest.mark.parametrize("first", [1, 3, 100])
@pytest.mark.parametrize("filter_case", FILTERS, ids=["unfiltered", "filtered"])
@pytest.mark.parametrize(
    "order_by", ORDERINGS, ids=[f"{o['field']}-{o['direction']}" for o in ORDERINGS]
)
async def test_walk_visits_every_matching_record_once_in_order(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    order_by: dict[str, str],
    filter_case: tuple[dict[str, Any] | None, Callable[[Row], bool]],
    first: int,
) -> None:
    token, rows = await _seed(engine)
    audience_filter, matches = filter_case
    expected = _expected_ids(
        [row for row in rows if matches(row)], order_by["field"], order_by["direction"]
    )
    assert len(expected) >= 5, "the data set must exercise several pages"

    seen = await _walk(
        client,
        token,
        first=first,
        order_by=order_by,
        audience_filter=audience_filter,
        expected_total=len(expected),
    )

    assert seen == expected


async def test_nodes_follow_the_ordering_keys(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token, rows = await _seed(engine)
    by_id = {row["id"]: row for row in rows}
    connection = await _page(
        client, token, {"first": 100, "orderBy": {"field": "LAST_ATTEMPT_AT", "direction": "DESC"}}
    )
    for edge in connection["edges"]:
        node = edge["node"]
        row = by_id[node["id"]]
        assert node["attempt"] == row["attempt"]
        assert node["duration"] == row["duration"]
        assert _instant(node["lastAttemptAt"]) == row["last_attempt_at"]


@pytest.mark.parametrize(
    ("order_by", "expected_field", "expected_direction"),
    [
        (None, "ID", "ASC"),
        ({}, "ID", "ASC"),
        ({"field": "ATTEMPT"}, "ATTEMPT", "ASC"),
        ({"direction": "DESC"}, "ID", "DESC"),
    ],
)
async def test_order_defaults_to_id_ascending(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    order_by: dict[str, str] | None,
    expected_field: str,
    expected_direction: str,
) -> None:
    token, rows = await _seed(engine)
    seen = await _walk(
        client, token, first=7, order_by=order_by, audience_filter=None, expected_total=len(rows)
    )
    assert seen == _expected_ids(rows, expected_field, expected_direction)


async def test_default_page_size_is_ten(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token, rows = await _seed(engine)
    body = await graphql(client, AUDIENCE_DEFAULT_PAGE, {"id": CAMPAIGN_ID}, token=token)
    assert "errors" not in body, body
    connection = body["data"]["campaign"]["audience"]
    assert [edge["node"]["id"] for edge in connection["edges"]] == sorted(
        row["id"] for row in rows
    )[:10]
    assert connection["pageInfo"]["hasNextPage"] is True


async def test_empty_pages_have_null_cursors(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token, rows = await _seed(engine)
    nothing = await _page(client, token, {"first": 5, "filter": {"mobileNo": "+999999"}})
    assert nothing == EMPTY_CONNECTION

    # After the very last record: an empty page that still counts all records.
    everything = await _page(client, token, {"first": 100})
    last_cursor = everything["pageInfo"]["endCursor"]
    assert everything["pageInfo"]["hasNextPage"] is False
    beyond = await _page(client, token, {"first": 5, "after": last_cursor})
    assert beyond["edges"] == []
    assert beyond["totalCount"] == len(rows)
    assert beyond["pageInfo"]["hasNextPage"] is False
    assert beyond["pageInfo"]["startCursor"] is None
    assert beyond["pageInfo"]["endCursor"] is None


async def test_cursor_of_explicit_id_ascending_serves_the_default_order(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token, rows = await _seed(engine)
    explicit = await _page(
        client, token, {"first": 4, "orderBy": {"field": "ID", "direction": "ASC"}}
    )
    following = await _page(client, token, {"first": 4, "after": explicit["pageInfo"]["endCursor"]})
    ids = sorted(row["id"] for row in rows)
    assert [edge["node"]["id"] for edge in following["edges"]] == ids[4:8]


@pytest.mark.parametrize(
    "audience_filter",
    [
        None,
        {},
        WALK_FILTER,
        {"status": ["FRESH"]},
        {"attempt": [0]},
        {"callStatus": ["busy"], "attempt": [1, 3]},
        {"mobileNo": "+1202555"},
        {"mobileNo": "no such number"},
    ],
)
async def test_total_count_equals_total_audience(
    engine: AsyncEngine, client: httpx.AsyncClient, audience_filter: dict[str, Any] | None
) -> None:
    token, _rows = await _seed(engine)
    body = await graphql(
        client, COUNTS, {"id": CAMPAIGN_ID, "filter": audience_filter}, token=token
    )
    assert "errors" not in body, body
    campaign = body["data"]["campaign"]
    total = campaign["audienceStats"]["totalAudience"]
    assert campaign["audience"]["totalCount"] == total
    assert body["data"]["campaignAudienceStats"]["totalAudience"] == total


async def test_total_count_counts_the_filtered_records(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token, rows = await _seed(engine)
    body = await graphql(client, COUNTS, {"id": CAMPAIGN_ID, "filter": WALK_FILTER}, token=token)
    assert "errors" not in body, body
    assert body["data"]["campaign"]["audience"]["totalCount"] == sum(
        1 for row in rows if _matches_walk_filter(row)
    )


@pytest.mark.parametrize("first", [0, 101, -1, 1000])
async def test_first_out_of_range_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient, first: int
) -> None:
    token, _rows = await _seed(engine)
    body = await graphql(client, AUDIENCE_PAGE, {"id": CAMPAIGN_ID, "first": first}, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    assert "first" in body["errors"][0]["message"].lower()

    body = await graphql(client, CAMPAIGNS_PAGE, {"first": first}, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    assert "first" in body["errors"][0]["message"].lower()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


MALFORMED_CURSORS = [
    "not a cursor",
    "",
    " ",
    "%%%%",
    "x" * 2000,
    _b64(b"junk"),
    _b64(b"\x00\xff\xfe\x80garbage"),
    _b64(b"null"),
    _b64(b"[]"),
    _b64(b"{}"),
    _b64(b"[1, 2, 3]"),
    _b64(b'"a string"'),
    _b64(b"[" + b"9" * 400 + b"]"),
]


def _forged(cursor: str) -> list[str]:
    """Cursors forged from a real one: cut, reversed, padded, and, when it is base64 of a JSON
    list, with each item replaced."""
    forged = [cursor[: len(cursor) // 2], cursor[::-1], cursor + "AAAAAAAA", cursor + "!"]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        return forged
    if not isinstance(decoded, list):
        return forged
    for index in range(len(decoded)):
        for junk in (10**30, -(10**30), "junk", 1.5, [], {}, True):
            copy = list(decoded)
            copy[index] = junk
            forged.append(_b64(json.dumps(copy).encode()))
    forged.append(_b64(json.dumps(decoded[:-1]).encode()))
    forged.append(_b64(json.dumps([*decoded, 1]).encode()))
    return forged


@pytest.mark.parametrize("cursor", MALFORMED_CURSORS)
async def test_malformed_cursor_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient, cursor: str
) -> None:
    token, _rows = await _seed(engine)
    for order_by in (None, {"field": "LAST_ATTEMPT_AT", "direction": "DESC"}):
        await _assert_refused(client, token, cursor, order_by)
    body = await graphql(client, CAMPAIGNS_PAGE, {"first": 3, "after": cursor}, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"], (cursor, body)


async def _assert_refused(
    client: httpx.AsyncClient, token: str, cursor: str, order_by: dict[str, str] | None
) -> None:
    variables = {"id": CAMPAIGN_ID, "first": 3, "after": cursor, "orderBy": order_by}
    body = await graphql(client, AUDIENCE_PAGE, variables, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"], (cursor, order_by, body)


@pytest.mark.parametrize(
    "order_by", ORDERINGS, ids=[f"{o['field']}-{o['direction']}" for o in ORDERINGS]
)
async def test_forged_cursor_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient, order_by: dict[str, str]
) -> None:
    token, _rows = await _seed(engine)
    real = await _page(client, token, {"first": 3, "orderBy": order_by})
    for cursor in _forged(real["pageInfo"]["endCursor"]):
        await _assert_refused(client, token, cursor, order_by)


@pytest.mark.parametrize(
    "made_for", ORDERINGS, ids=[f"{o['field']}-{o['direction']}" for o in ORDERINGS]
)
async def test_cursor_of_another_ordering_is_bad_user_input(
    engine: AsyncEngine, client: httpx.AsyncClient, made_for: dict[str, str]
) -> None:
    token, _rows = await _seed(engine)
    page = await _page(client, token, {"first": 3, "orderBy": made_for})
    cursor = page["pageInfo"]["endCursor"]
    assert cursor
    for order_by in ORDERINGS:
        if order_by == made_for:
            continue
        await _assert_refused(client, token, cursor, order_by)


async def _seed_campaigns(engine: AsyncEngine) -> tuple[str, str, list[int], list[int]]:
    mine = await add_workspace(engine, 1)
    theirs = await add_workspace(engine, 2)
    my_ids = [3, 5, 6, 10, 11, 14, 20, 31, 32]
    their_ids = [1, 4, 9, 12, 21, 40]
    for campaign_id in my_ids:
        await add_campaign(engine, campaign_id, 1)
    for campaign_id in their_ids:
        await add_campaign(engine, campaign_id, 2)
    return mine, theirs, my_ids, their_ids


async def _walk_campaigns(client: httpx.AsyncClient, token: str, first: int) -> list[int]:
    seen: list[int] = []
    after: str | None = None
    for _ in range(50):
        body = await graphql(client, CAMPAIGNS_PAGE, {"first": first, "after": after}, token=token)
        assert "errors" not in body, body
        connection = body["data"]["campaigns"]
        _check_page_info(connection, first=first, after=after)
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return seen
        after = connection["pageInfo"]["endCursor"]
    pytest.fail(f"campaign walk did not end; saw {seen}")


@pytest.mark.parametrize("first", [1, 2, 4, 100])
async def test_campaigns_walk_shows_each_own_campaign_once(
    engine: AsyncEngine, client: httpx.AsyncClient, first: int
) -> None:
    mine, theirs, my_ids, their_ids = await _seed_campaigns(engine)

    seen = await _walk_campaigns(client, mine, first)
    assert len(seen) == len(set(seen))
    assert sorted(seen) == my_ids

    seen = await _walk_campaigns(client, theirs, first)
    assert len(seen) == len(set(seen))
    assert sorted(seen) == their_ids


async def test_campaigns_total_count_is_the_workspace_s(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    mine, theirs, my_ids, their_ids = await _seed_campaigns(engine)
    for token, ids in ((mine, my_ids), (theirs, their_ids)):
        body = await graphql(client, CAMPAIGNS_PAGE, {"first": 2}, token=token)
        assert "errors" not in body, body
        assert body["data"]["campaigns"]["totalCount"] == len(ids)


async def test_campaigns_of_an_empty_workspace(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    await _seed_campaigns(engine)
    lonely = await add_workspace(engine, 3)
    body = await graphql(client, CAMPAIGNS_PAGE, {}, token=lonely)
    assert body == {"data": {"campaigns": EMPTY_CONNECTION}}


async def test_campaign_of_another_workspace_or_missing_is_null(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    mine, _theirs, my_ids, their_ids = await _seed_campaigns(engine)
    await add_audience(engine, [audience_row(1, their_ids[0], attempt=1)])
    for campaign_id in (their_ids[0], 999, 0, -1):
        for query in (CAMPAIGN, CAMPAIGN_WITH_AUDIENCE):
            body = await graphql(client, query, {"id": campaign_id}, token=mine)
            assert body == {"data": {"campaign": None}}, (campaign_id, body)
    body = await graphql(client, CAMPAIGN, {"id": my_ids[0]}, token=mine)
    assert body["data"]["campaign"]["id"] == my_ids[0]


async def test_campaign_fields_round_trip(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token = await add_workspace(engine, 1)
    created_at = datetime(2025, 12, 31, 23, 59, 58, tzinfo=UTC)
    await add_campaign(
        engine, 42, 1, name="Spring wellness check-in ✓", max_attempts=5, created_at=created_at
    )
    body = await graphql(client, CAMPAIGN, {"id": 42}, token=token)
    assert "errors" not in body, body
    campaign = body["data"]["campaign"]
    assert {key: campaign[key] for key in ("id", "name", "maxAttempts")} == {
        "id": 42,
        "name": "Spring wellness check-in ✓",
        "maxAttempts": 5,
    }
    assert _instant(campaign["createdAt"]) == created_at


def _instant(text: str | None) -> datetime | None:
    """An ISO 8601 timestamp, which must carry a UTC offset."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    assert value.utcoffset() == timedelta(0), f"{text!r} is not marked as UTC"
    return value


FULL_ROW: Row = {
    "mobile_no": "+12025550123",
    "status": 2,
    "call_status": "NO_ANSWER",
    "first_status": "BUSY",
    "last_status": "USER_ENDED",
    "attempt": 3,
    "duration": 125,
    "last_attempt_at": datetime(2026, 3, 13, 10, 46, 7, tzinfo=UTC),
    "last_disposition": "Interested",
    "input_data": {
        "first_name": "Jamal",
        "city": "Austin",
        "age": 41,
        "score": 0.5,
        "opted_in": True,
        "tags": ["a", "b"],
        "notes": None,
        "address": {"zip": "78701", "lines": ["1 Main St"]},
        "unicode": "Zoë ☎",
    },
}


async def test_audience_fields_round_trip(engine: AsyncEngine, client: httpx.AsyncClient) -> None:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, CAMPAIGN_ID, 1)
    rows = [
        audience_row(1, CAMPAIGN_ID, **FULL_ROW),
        # Every nullable column NULL, an empty input_data.
        audience_row(2, CAMPAIGN_ID, mobile_no="+442071234567", status=0),
        audience_row(3, CAMPAIGN_ID, status=1, attempt=1000, duration=2**31 - 1),
        audience_row(
            4,
            CAMPAIGN_ID,
            status=3,
            call_status="SOMETHING_NEW",
            last_attempt_at=datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        ),
    ]
    await add_audience(engine, rows)

    body = await graphql(client, AUDIENCE_NODES, {"id": CAMPAIGN_ID}, token=token)
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["campaign"]["audience"]["edges"]]
    assert [node["id"] for node in nodes] == [1, 2, 3, 4]
    for node, row in zip(nodes, rows, strict=True):
        assert node == {
            "id": row["id"],
            "mobileNo": row["mobile_no"],
            "status": STATUS_NAMES[row["status"]],
            "callStatus": row["call_status"],
            "firstStatus": row["first_status"],
            "lastStatus": row["last_status"],
            "attempt": row["attempt"],
            "duration": row["duration"],
            "lastAttemptAt": node["lastAttemptAt"],
            "lastDisposition": row["last_disposition"],
            "inputData": row["input_data"],
        }
        assert _instant(node["lastAttemptAt"]) == row["last_attempt_at"]

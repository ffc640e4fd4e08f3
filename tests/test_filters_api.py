"""The filter of contract section 3: one meaning in GraphQL and REST alike."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import reference
from tests.api import graphql, rest
from tests.factories import add_audience, add_campaign, add_workspace, audience_row

FILTERED = """
query Filtered($id: Int!, $filter: AudienceFilter) {
  campaign(id: $id) {
    audience(filter: $filter, first: 100) { totalCount edges { node { id } } }
    audienceStats(filter: $filter) {
      totalAudience coverage totalAttempt totalDuration successfulCalls
    }
  }
  campaignAudienceStats(campaignId: $id, filter: $filter) {
    totalAudience coverage totalAttempt totalDuration successfulCalls
  }
}
"""

# Single values where the schema has lists, written as literals in the document.
SINGLE_VALUE_LITERALS = {
    "status": "query { campaign(id: 1) { audience(first: 100, filter: {status: COMPLETED}) "
    "{ edges { node { id } } } } }",
    "callStatus": "query { campaign(id: 1) { audience(first: 100, filter: "
    '{callStatus: "no_answer"}) { edges { node { id } } } } }',
    "firstStatus": "query { campaign(id: 1) { audience(first: 100, filter: "
    '{firstStatus: "busy"}) { edges { node { id } } } } }',
    "lastStatus": "query { campaign(id: 1) { audience(first: 100, filter: "
    '{lastStatus: "Agent_Ended"}) { edges { node { id } } } } }',
    "attempt": "query { campaign(id: 1) { audience(first: 100, filter: {attempt: 1}) "
    "{ edges { node { id } } } } }",
    "stats": "query { campaignAudienceStats(campaignId: 1, filter: "
    '{status: HALTED, callStatus: "no_answer", attempt: 3}) { totalAudience } }',
}

CAMPAIGN_ID = 1

COLUMNS = (
    "mobile_no",
    "status",
    "call_status",
    "first_status",
    "last_status",
    "attempt",
    "duration",
)
# id: (mobile_no, status, call_status, first_status, last_status, attempt, duration)
DATA: dict[int, tuple[str, int, str | None, str | None, str | None, int, int]] = {
    1: ("+12025550123", 1, "COMPLETED", "NO_ANSWER", "COMPLETED", 2, 120),
    2: ("+12025550199", 1, "NO_ANSWER", "NO_ANSWER", "NO_ANSWER", 3, 0),
    3: ("+14155550123", 2, "BUSY", "BUSY", "BUSY", 1, 0),
    4: ("+442071234567", 0, None, None, None, 0, 0),
    5: ("+1202%5550", 3, "ANSWER", "ANSWER", "ANSWER", 1, 45),
    6: ("+1202_5551", 1, "USER_ENDED", "NO_ANSWER", "USER_ENDED", 2, 300),
    7: ("+1202\\5552", 2, "FAILED", "FAILED", "FAILED", 1, 0),
    8: ("+1\\%_7", 0, "IN_PROGRESS", None, None, 1, 0),
    9: ("+12125559264", 3, "SOMETHING_NEW", "SOMETHING_NEW", "SOMETHING_NEW", 1000, 7),
    10: ("+16175558030", 1, "AGENT_ENDED", "BUSY", "AGENT_ENDED", 2, 569),
    11: ("+12025550100", 2, "NO_ANSWER", "NO_ANSWER", "NO_ANSWER", 3, 0),
    12: ("2025550123", 0, "REJECTED", "REJECTED", "REJECTED", 1, 0),
}
ALL = set(DATA)
# The same records as rows by column name, as tests/reference.py takes them.
ROWS = {record_id: dict(zip(COLUMNS, values, strict=True)) for record_id, values in DATA.items()}


async def _seed(engine: AsyncEngine) -> str:
    token = await add_workspace(engine, 1)
    await add_campaign(engine, CAMPAIGN_ID, 1)
    await add_campaign(engine, 2, 1)
    rows = [audience_row(record_id, CAMPAIGN_ID, **row) for record_id, row in ROWS.items()]
    # A sibling campaign that every filter below would match: never counted.
    rows += [
        audience_row(
            100 + record_id,
            2,
            mobile_no=row["mobile_no"],
            status=row["status"],
            attempt=row["attempt"],
        )
        for record_id, row in ROWS.items()
    ]
    await add_audience(engine, rows)
    return token


def _expected_stats(ids: set[int]) -> dict[str, Any]:
    """The REST body of contract section 5 over these records, by the reference model."""
    return reference.rest_body(reference.stats([ROWS[i] for i in sorted(ids)], None))


def _as_rest(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "total_audience": stats["totalAudience"],
        "coverage": stats["coverage"],
        "total_attempt": int(stats["totalAttempt"]),
        "total_duration": int(stats["totalDuration"]),
        "successful_calls": stats["successfulCalls"],
    }


async def _graphql_answer(
    client: httpx.AsyncClient, token: str, audience_filter: Any
) -> tuple[set[int], dict[str, Any]]:
    """The matching ids and the REST-shaped stats, checked to agree among GraphQL fields."""
    body = await graphql(
        client, FILTERED, {"id": CAMPAIGN_ID, "filter": audience_filter}, token=token
    )
    assert "errors" not in body, body
    campaign = body["data"]["campaign"]
    edges = campaign["audience"]["edges"]
    ids = [edge["node"]["id"] for edge in edges]
    assert len(ids) == len(set(ids))
    stats = _as_rest(body["data"]["campaignAudienceStats"])
    assert _as_rest(campaign["audienceStats"]) == stats
    assert campaign["audience"]["totalCount"] == stats["total_audience"]
    return set(ids), stats


def _case(
    gql: dict[str, Any] | None, params: list[tuple[str, str]], expected: set[int]
) -> tuple[dict[str, Any] | None, list[tuple[str, str]], set[int]]:
    return gql, params, expected


CASES = {
    # mobile number: substring
    "mobile-substring": _case({"mobileNo": "555012"}, [("mobile_no", "555012")], {1, 3, 12}),
    "mobile-prefix": _case({"mobileNo": "+1202555"}, [("mobile_no", "+1202555")], {1, 2, 11}),
    "mobile-whole": _case({"mobileNo": "+12025550123"}, [("mobile_no", "+12025550123")], {1}),
    "mobile-none": _case({"mobileNo": "+3"}, [("mobile_no", "+3")], set()),
    # mobile number: spaces, '-', '.', '(' and ')' are ignored
    "mobile-punctuation": _case(
        {"mobileNo": "(202) 555-0123"}, [("mobile_no", "(202) 555-0123")], {1, 12}
    ),
    "mobile-dots-spaces": _case(
        {"mobileNo": "+1 202.555.01 23"}, [("mobile_no", "+1 202.555.01 23")], {1}
    ),
    "mobile-only-ignored": _case({"mobileNo": " - . ( ) "}, [("mobile_no", " - . ( ) ")], ALL),
    # mobile number: '%', '_' and '\' are ordinary characters
    "percent": _case({"mobileNo": "%"}, [("mobile_no", "%")], {5, 8}),
    "underscore": _case({"mobileNo": "_"}, [("mobile_no", "_")], {6, 8}),
    "backslash": _case({"mobileNo": "\\"}, [("mobile_no", "\\")], {7, 8}),
    "percent-inside": _case({"mobileNo": "2%5"}, [("mobile_no", "2%5")], {5}),
    "underscore-inside": _case({"mobileNo": "2_5"}, [("mobile_no", "2_5")], {6}),
    "backslash-inside": _case({"mobileNo": "2\\5"}, [("mobile_no", "2\\5")], {7}),
    "backslash-percent": _case({"mobileNo": "\\%"}, [("mobile_no", "\\%")], {8}),
    "percent-underscore": _case({"mobileNo": "%_"}, [("mobile_no", "%_")], {8}),
    "underscore-percent": _case({"mobileNo": "_%"}, [("mobile_no", "_%")], set()),
    "backslash-backslash": _case({"mobileNo": "\\\\"}, [("mobile_no", "\\\\")], set()),
    "all-specials": _case({"mobileNo": "1\\%_7"}, [("mobile_no", "1\\%_7")], {8}),
    # audience status
    "status-one": _case({"status": ["COMPLETED"]}, [("status", "1")], {1, 2, 6, 10}),
    "status-two": _case(
        {"status": ["COMPLETED", "HALTED"]},
        [("status", "1"), ("status", "2")],
        {1, 2, 3, 6, 7, 10, 11},
    ),
    "status-fresh": _case({"status": ["FRESH"]}, [("status", "0")], {4, 8, 12}),
    # call / first / last status, compared upper-case
    "call-lower": _case({"callStatus": ["no_answer"]}, [("call_status", "no_answer")], {2, 11}),
    "call-mixed": _case(
        {"callStatus": ["Completed", "busy"]},
        [("call_status", "Completed"), ("call_status", "busy")],
        {1, 3},
    ),
    "call-open-set": _case(
        {"callStatus": ["something_new"]}, [("call_status", "something_new")], {9}
    ),
    "call-unknown": _case({"callStatus": ["NEVER_SEEN"]}, [("call_status", "NEVER_SEEN")], set()),
    "first-lower": _case(
        {"firstStatus": ["no_answer"]}, [("first_status", "no_answer")], {1, 2, 6, 11}
    ),
    "last-mixed": _case(
        {"lastStatus": ["Agent_Ended", "user_ended"]},
        [("last_status", "Agent_Ended"), ("last_status", "user_ended")],
        {6, 10},
    ),
    # attempts
    "attempt-one": _case({"attempt": [1]}, [("attempt", "1")], {3, 5, 7, 8, 12}),
    "attempt-bounds": _case(
        {"attempt": [0, 1000]}, [("attempt", "0"), ("attempt", "1000")], {4, 9}
    ),
    # AND across fields, OR within a list
    "and-status-call": _case(
        {"status": ["COMPLETED"], "callStatus": ["NO_ANSWER"]},
        [("status", "1"), ("call_status", "NO_ANSWER")],
        {2},
    ),
    "and-three": _case(
        {"status": ["COMPLETED", "HALTED"], "attempt": [3], "mobileNo": "0100"},
        [("status", "1"), ("status", "2"), ("attempt", "3"), ("mobile_no", "0100")],
        {11},
    ),
    "and-disjoint": _case(
        {"callStatus": ["no_answer"], "firstStatus": ["busy"]},
        [("call_status", "no_answer"), ("first_status", "busy")],
        set(),
    ),
    "and-first-last": _case(
        {"firstStatus": ["no_answer"], "lastStatus": ["completed", "user_ended"]},
        [
            ("first_status", "no_answer"),
            ("last_status", "completed"),
            ("last_status", "user_ended"),
        ],
        {1, 6},
    ),
    "and-every-field": _case(
        {
            "mobileNo": "+1",
            "status": ["COMPLETED", "INQUEUE"],
            "callStatus": ["completed", "answer", "agent_ended"],
            "firstStatus": ["no_answer", "answer", "busy"],
            "lastStatus": ["completed", "answer"],
            "attempt": [1, 2],
        },
        [
            ("mobile_no", "+1"),
            ("status", "1"),
            ("status", "3"),
            ("call_status", "completed"),
            ("call_status", "answer"),
            ("call_status", "agent_ended"),
            ("first_status", "no_answer"),
            ("first_status", "answer"),
            ("first_status", "busy"),
            ("last_status", "completed"),
            ("last_status", "answer"),
            ("attempt", "1"),
            ("attempt", "2"),
        ],
        {1, 5},
    ),
    # null, an empty list and an empty string: no constraint
    "absent": _case(None, [], ALL),
    "empty-object": _case({}, [], ALL),
    "nulls": _case(
        {
            "mobileNo": None,
            "status": None,
            "callStatus": None,
            "firstStatus": None,
            "lastStatus": None,
            "attempt": None,
        },
        [],
        ALL,
    ),
    "empties": _case(
        {
            "mobileNo": "",
            "status": [],
            "callStatus": [],
            "firstStatus": [],
            "lastStatus": [],
            "attempt": [],
        },
        [
            ("mobile_no", ""),
            ("status", ""),
            ("call_status", ""),
            ("first_status", ""),
            ("last_status", ""),
            ("attempt", ""),
        ],
        ALL,
    ),
    "empty-beside-constraint": _case(
        {"status": [], "mobileNo": "", "callStatus": ["busy"]},
        [("status", ""), ("mobile_no", ""), ("call_status", "busy")],
        {3},
    ),
}


@pytest.mark.parametrize(("gql", "params", "expected"), CASES.values(), ids=CASES.keys())
async def test_filter_matches_the_contract_in_both_apis(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    gql: dict[str, Any] | None,
    params: list[tuple[str, str]],
    expected: set[int],
) -> None:
    token = await _seed(engine)

    ids, stats = await _graphql_answer(client, token, gql)

    # The expected ids are written by hand; the reference model reads the filter the same way.
    assert {i for i, row in ROWS.items() if reference.matches(row, gql)} == expected
    assert ids == expected
    assert stats == _expected_stats(expected)
    body = await rest(client, [("campaign_id", str(CAMPAIGN_ID)), *params], token=token)
    assert body == stats


@pytest.mark.parametrize(
    ("name", "list_filter"),
    [
        ("status", {"status": ["COMPLETED"]}),
        ("callStatus", {"callStatus": ["no_answer"]}),
        ("firstStatus", {"firstStatus": ["BUSY"]}),
        ("lastStatus", {"lastStatus": ["agent_ended"]}),
        ("attempt", {"attempt": [1]}),
    ],
)
async def test_single_value_literal_means_a_list_of_one(
    engine: AsyncEngine, client: httpx.AsyncClient, name: str, list_filter: dict[str, Any]
) -> None:
    token = await _seed(engine)
    expected, _stats = await _graphql_answer(client, token, list_filter)
    assert expected

    body = await graphql(client, SINGLE_VALUE_LITERALS[name], token=token)
    assert "errors" not in body, body
    edges = body["data"]["campaign"]["audience"]["edges"]
    assert {edge["node"]["id"] for edge in edges} == expected

    # Variables coerce a single value to a list the same way.
    single = {key: value[0] for key, value in list_filter.items()}
    assert (await _graphql_answer(client, token, single))[0] == expected


async def test_single_values_combine_with_and(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    token = await _seed(engine)
    body = await graphql(client, SINGLE_VALUE_LITERALS["stats"], token=token)
    assert body == {"data": {"campaignAudienceStats": {"totalAudience": 1}}}


LIST_PARAMETERS = [
    ("status", ["COMPLETED", "HALTED"], ["1", "2"]),
    ("status", ["FRESH", "INQUEUE", "HALTED"], ["0", "3", "2"]),
    ("callStatus", ["no_answer", "Completed"], ["no_answer", "Completed"]),
    ("firstStatus", ["busy", "NO_ANSWER"], ["busy", "NO_ANSWER"]),
    ("lastStatus", ["user_ended", "agent_ended"], ["user_ended", "agent_ended"]),
    ("attempt", [1, 3], ["1", "3"]),
    ("attempt", [0, 2, 1000], ["0", "2", "1000"]),
]
REST_NAME = {
    "status": "status",
    "callStatus": "call_status",
    "firstStatus": "first_status",
    "lastStatus": "last_status",
    "attempt": "attempt",
}


@pytest.mark.parametrize(("field", "gql_values", "rest_values"), LIST_PARAMETERS)
async def test_rest_list_encodings_agree_with_graphql(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    field: str,
    gql_values: list[Any],
    rest_values: list[str],
) -> None:
    token = await _seed(engine)
    ids, stats = await _graphql_answer(client, token, {field: gql_values})
    assert ids, "the values must match some records"
    assert ids != ALL, "the values must leave some records out"
    name = REST_NAME[field]
    campaign = ("campaign_id", str(CAMPAIGN_ID))

    encodings = {
        "repeated": [campaign, *[(name, value) for value in rest_values]],
        "brackets": [campaign, *[(f"{name}[]", value) for value in rest_values]],
        "comma": [campaign, (name, ",".join(rest_values))],
    }
    for encoding, params in encodings.items():
        body = await rest(client, params, token=token)
        assert body == stats, encoding


@pytest.mark.parametrize(("field", "gql_values", "rest_values"), LIST_PARAMETERS)
async def test_rest_single_value_agrees_with_graphql(
    engine: AsyncEngine,
    client: httpx.AsyncClient,
    field: str,
    gql_values: list[Any],
    rest_values: list[str],
) -> None:
    token = await _seed(engine)
    _ids, stats = await _graphql_answer(client, token, {field: gql_values[:1]})
    name = REST_NAME[field]
    for key in (name, f"{name}[]"):
        body = await rest(
            client, [("campaign_id", str(CAMPAIGN_ID)), (key, rest_values[0])], token=token
        )
        assert body == stats, key
